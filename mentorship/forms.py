"""WTForms forms: they render fields and carry CSRF. The rules live in services.

Forms are built from the field specifications (``services/specs.py``), so a label,
a help text, a length or a choice is written once. Forms have no validators: the
services clean what ``values()`` returns and raise ``FieldErrors`` with the one
message of each rule, shown at the field.
"""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

from flask import current_app, request, session
from wtforms import (
    BooleanField,
    Form,
    HiddenField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms import Field as FormField
from wtforms.csrf.session import SessionCSRF
from wtforms.fields.choices import SelectChoice
from wtforms.meta import DefaultMeta
from wtforms.widgets import HiddenInput

from mentorship.models import Role
from mentorship.services.errors import FieldErrors
from mentorship.services.specs import (
    ACCOUNT,
    CREDENTIALS,
    MENTEE,
    MENTOR,
    PROFILE,
    PROGRAM,
    Field,
    Spec,
)

ROLE_CHOICES = [SelectChoice(Role.MENTEE.value, "Mentee: I want guidance"),
                SelectChoice(Role.MENTOR.value, "Mentor: I can guide others")]


class BaseForm(Form):
    """Every form: session-based CSRF, bound to request data only on POST."""

    class Meta(DefaultMeta):
        csrf_class = SessionCSRF
        csrf_time_limit = timedelta(hours=8)

        @property
        def csrf(self) -> bool:
            """Read per app (``CSRF_ENABLED``): this Meta class is shared by every app."""
            return bool(current_app.config["CSRF_ENABLED"])

        @property
        def csrf_secret(self) -> bytes:
            """Tokens are signed with the app's ``SECRET_KEY``."""
            return str(current_app.config["SECRET_KEY"]).encode()

        @property
        def csrf_context(self) -> Any:
            """SessionCSRF keeps its token in the Flask session."""
            return session

        def render_field(self, field: Any, render_kw: dict[str, Any]) -> Any:
            """Hidden inputs carry no id: no label points at them, and a page with
            several forms would repeat it."""
            if isinstance(field.widget, HiddenInput):
                render_kw = {"id": False, **render_kw}
            return super().render_field(field, render_kw)

    @classmethod
    def from_request(cls, **kwargs: Any) -> Any:
        """The form bound to the posted data on POST only; otherwise it shows ``kwargs``."""
        return cls(request.form if request.method == "POST" else None, **kwargs)

    def is_submitted_and_valid(self) -> bool:
        """A POST whose CSRF token is good (the services judge the fields)."""
        return request.method == "POST" and self.validate()

    def values(self, spec: Spec | None = None) -> dict[str, Any]:
        """The submitted inputs of ``spec``'s fields (all of the form's by default), raw."""
        names = spec.names if spec else [n for n in self._fields if n != "csrf_token"]
        data: dict[str, Any] = {}
        for name in names:
            if name in self._fields:
                data[name] = self._fields[name].data
            elif (group := [n for n in self._fields if n.startswith(f"{name}__")]):
                data[name] = {n.split("__", 1)[1]: self._fields[n].data for n in group
                              if (self._fields[n].data or "").strip()}
        return data

    def ids_prefixed(self, prefix: str) -> Any:
        """Give each field an id of its own (``prefix-name``), keeping the submitted names,
        so two forms on one page never share an id and every label finds its input."""
        for field in self:
            field.id = f"{prefix}-{field.name}"
            field.label.field_id = field.id
        return self

    def add_errors(self, exc: FieldErrors) -> None:
        """Show a service's messages at their fields (or at the top when there is none)."""
        for name, message in exc.fields.items():
            field = self._fields.get(name)
            if field is None:
                self.form_errors.append(message)
                continue
            if isinstance(field.errors, tuple):  # WTForms keeps untouched errors as a tuple
                field.errors = []
            field.errors.append(message)


def form_field(spec_field: Field) -> FormField:
    """The WTForms field that renders ``spec_field``: its widget, label, help and limits."""
    kw: dict[str, Any] = {"description": spec_field.help}
    attrs: dict[str, Any] = {}
    if spec_field.default is not None:
        kw["default"] = spec_field.show(spec_field.default)
    if spec_field.max_length and spec_field.kind != "password":
        attrs["maxlength"] = spec_field.max_length
    kind = spec_field.kind
    if kind == "textarea":
        return TextAreaField(spec_field.label, render_kw=attrs | {"rows": 4}, **kw)
    if kind == "password":
        return PasswordField(spec_field.label, **kw)
    if kind == "choice":
        return SelectField(spec_field.label,
                           choices=[SelectChoice(v, label) for v, label in spec_field.choices],
                           validate_choice=False, **kw)
    if kind == "int":
        attrs["inputmode"] = "numeric"
    elif kind == "date":
        attrs["type"] = "date"
    elif kind == "email":
        attrs["type"] = "email"
        attrs["autocomplete"] = "email"
    elif kind == "tags":
        attrs.update({"list": "tag-suggestions", "autocomplete": "off", "data-tags": "1"})
    elif kind == "timezone":
        attrs.update({"list": "timezones", "autocomplete": "off"})
    return StringField(spec_field.label, render_kw=attrs, **kw)


def form_for(name: str, *specs: Spec, base: type[BaseForm] = BaseForm,
             **extra: FormField) -> type[BaseForm]:
    """A form class with one field per spec field (weights: one input per criterion)."""
    attrs: dict[str, Any] = {}
    for spec in specs:
        for f in spec.fields:
            if f.kind == "weights":
                for key, label in f.keys.items():
                    attrs[f"{f.name}__{key}"] = StringField(
                        label, render_kw={"inputmode": "decimal"})
            else:
                attrs[f.name] = form_field(f)
    metaclass: Any = type(base)  # WTForms' FormMeta, which sets up the class
    form_class: type[BaseForm] = metaclass(name, (base,), attrs | extra)
    return form_class


class VersionedForm(BaseForm):
    """An edit form that carries the version it was opened at (409 if it is stale)."""

    version = HiddenField()


class ConfirmForm(BaseForm):
    """No fields: a CSRF-protected button for POST-only actions (sign out, revoke)."""


def session_csrf_token() -> str:
    """The CSRF token a form of this session carries ("" when CSRF is off), made as the
    form's own CSRF field makes it, without building a form: every page asks for one,
    and building even an empty form cost several times more."""
    meta = BaseForm.Meta()
    if not meta.csrf:
        return ""
    csrf = meta.csrf_class()
    csrf.setup_form(SimpleNamespace(meta=meta))
    return str(csrf.generate_csrf_token(None))


RegisterForm = form_for("RegisterForm", ACCOUNT, Spec((CREDENTIALS["password"],)))
LoginForm = form_for("LoginForm", CREDENTIALS,
                     remember=BooleanField("Keep me signed in for 14 days"))
AccountForm = form_for("AccountForm", ACCOUNT, current_password=PasswordField(
    "Current password", description="Needed only to change your email."))
PasswordForm = form_for("PasswordForm", current_password=PasswordField("Current password"),
                        new_password=PasswordField(
                            "New password", description=CREDENTIALS["password"].help
                            + " Other devices are signed out."))
DeleteAccountForm = form_for(
    "DeleteAccountForm", password=PasswordField("Your password"),
    confirm=BooleanField("I understand: my profile, enrolments and messages are erased, "
                         "my mentorships end, and this cannot be undone."))
ProfileForm = form_for("ProfileForm", PROFILE, base=VersionedForm)
ProgramForm = form_for("ProgramForm", PROGRAM, base=VersionedForm)
EnrolForm = form_for("EnrolForm", MENTEE, MENTOR, base=VersionedForm,
                     role=RadioField("I join as", choices=ROLE_CHOICES, validate_choice=False,
                                     default=Role.MENTEE.value))
