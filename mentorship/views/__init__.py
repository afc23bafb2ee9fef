"""HTML pages, one blueprint per module, and the form page they share.

A view that shows a form registers it with ``form_page`` before calling a service.
If the service refuses (``FieldErrors``, ``Conflict``, ``TooManyAttempts``), the
app-level handlers in ``mentorship/errors.py`` render that page again with the
messages at their fields and the right status; the view itself only handles success.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import g, render_template

from mentorship.forms import BaseForm


@dataclass
class FormPage:
    """A template showing ``form``, with the rest of its context."""

    template: str
    form: BaseForm
    context: dict[str, Any] = field(default_factory=dict)

    def render(self, status: int | None = None) -> tuple[str, int]:
        """The page; 422 when it carries field errors, so clients can tell."""
        if status is None:
            status = 422 if self.form.errors or self.form.form_errors else 200
        return render_template(self.template, form=self.form, **self.context), status


def form_page(template: str, form: BaseForm, **context: Any) -> FormPage:
    """Register the page that shows ``form``, for the error handlers to render again."""
    page = FormPage(template, form, context)
    g.form_page = page
    return page
