"""HTML pages, one blueprint per module."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import render_template
from sqlalchemy.orm import Session

from mentorship.db import get_session
from mentorship.forms import BaseForm
from mentorship.services.errors import FieldErrors


def render_form(template: str, form: BaseForm, **context: Any) -> tuple[str, int]:
    """Render a form page: 422 when it carries field errors, so clients can tell."""
    status = 422 if form.errors or form.form_errors else 200
    return render_template(template, form=form, **context), status


def commit_form(form: BaseForm, change: Callable[[Session], object]) -> bool:
    """Apply a valid form through a service and commit; on refusal show why at the fields.

    True when the change was saved (the caller flashes and redirects), False when the
    page should be shown again with the service's messages.
    """
    session = get_session()
    try:
        change(session)
    except FieldErrors as exc:
        form.add_errors(exc)
        return False
    session.commit()
    return True
