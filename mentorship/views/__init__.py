"""HTML pages, one blueprint per module."""

from __future__ import annotations

from typing import Any

from flask import render_template

from mentorship.forms import BaseForm


def render_form(template: str, form: BaseForm, **context: Any) -> tuple[str, int]:
    """Render a form page: 422 when it carries field errors, so clients can tell."""
    status = 422 if form.errors or form.form_errors else 200
    return render_template(template, form=form, **context), status
