"""WTForms forms. They carry CSRF and render fields; the rules live in services."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import current_app, request, session
from wtforms import (
    BooleanField,
    EmailField,
    Form,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.csrf.session import SessionCSRF
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from mentorship.models import Availability, ProgramStatus, Role
from mentorship.services.errors import FieldErrors
from mentorship.services.fields import EMAIL_MAX


class BaseForm(Form):
    """Every form: session-based CSRF, bound to request data only on POST."""

    class Meta:
        csrf_class = SessionCSRF
        csrf_time_limit = timedelta(hours=8)

        @property
        def csrf(self) -> bool:
            return current_app.config["CSRF_ENABLED"]

        @property
        def csrf_secret(self) -> bytes:
            return current_app.config["SECRET_KEY"].encode()

        @property
        def csrf_context(self) -> Any:
            return session

    @classmethod
    def from_request(cls, **kwargs: Any) -> BaseForm:
        return cls(request.form if request.method == "POST" else None, **kwargs)

    def is_submitted_and_valid(self) -> bool:
        return request.method == "POST" and self.validate()

    def add_errors(self, exc: FieldErrors) -> None:
        """Show a service's messages at their fields (or at the top when there is none)."""
        for name, message in exc.fields.items():
            field = self._fields.get(name)
            target = field.errors if field is not None else self.form_errors
            if isinstance(target, tuple):  # WTForms keeps untouched errors as a tuple
                target = field.errors = []  # type: ignore[union-attr]
            target.append(message)


class ConfirmForm(BaseForm):
    """No fields: a CSRF-protected button for POST-only actions (sign out, revoke)."""


class RegisterForm(BaseForm):
    name = StringField("Full name", [DataRequired(), Length(max=120)])
    email = EmailField("Email", [DataRequired(), Length(max=EMAIL_MAX)])
    password = PasswordField("Password", [DataRequired()],
                             description="At least 12 characters. A few unusual words work well.")


class LoginForm(BaseForm):
    email = EmailField("Email", [DataRequired(), Length(max=EMAIL_MAX)])
    password = PasswordField("Password", [DataRequired(), Length(max=1024)])
    remember = BooleanField("Keep me signed in for 14 days")


class AccountForm(BaseForm):
    name = StringField("Full name", [DataRequired(), Length(max=120)])
    email = EmailField("Email", [DataRequired(), Length(max=EMAIL_MAX)])
    current_password = PasswordField("Current password",
                                     description="Needed only to change your email.")


class PasswordForm(BaseForm):
    current_password = PasswordField("Current password", [DataRequired()])
    new_password = PasswordField("New password", [DataRequired()],
                                 description="At least 12 characters. Other devices are signed out.")


class ProfileForm(BaseForm):
    headline = StringField("Headline", description="One line, e.g. 'Backend engineer at a bank'")
    bio = TextAreaField("About you")
    languages = StringField("Languages", description="Two-letter codes, comma-separated: en, de")
    timezone = StringField("Time zone", description="e.g. Europe/Berlin or America/New_York")
    years_experience = StringField("Years of experience", render_kw={"inputmode": "numeric"})
    industry = StringField("Industry", description="e.g. fintech, healthcare, software")
    skills = StringField("Skills", description="Comma-separated; suggestions appear as you type")


class ProgramForm(BaseForm):
    name = StringField("Name", [DataRequired(), Length(max=120)])
    description = TextAreaField("Description")
    starts_on = StringField("Starts on", render_kw={"type": "date"})
    ends_on = StringField("Ends on", render_kw={"type": "date"})
    status = SelectField("Status", validate_choice=False, choices=[SelectChoice(s.value, s.value.title()) for s in ProgramStatus])
    max_timezone_gap_hours = StringField("Largest time-zone gap (hours)",
                                         description="0 to 12 (the farthest two places can be). Leave empty for no limit.",
                                         render_kw={"inputmode": "numeric"})
    max_pending_requests = StringField("Pending requests per mentee", default="3",
                                       render_kw={"inputmode": "numeric"})
    weight_text = StringField("Weight: goals and expertise", default="")
    weight_language = StringField("Weight: shared language", default="")
    weight_timezone = StringField("Weight: time-zone distance", default="")
    weight_experience = StringField("Weight: experience gap", default="")
    weight_industry = StringField("Weight: same industry", default="")


class EnrolForm(BaseForm):
    role = RadioField("I join as", validate_choice=False, choices=[SelectChoice(Role.MENTEE.value, "Mentee: I want guidance"),
                                            SelectChoice(Role.MENTOR.value,
                                                         "Mentor: I can guide others")],
                      default=Role.MENTEE.value)
    goals = TextAreaField("Your goals", description="What do you want to achieve in this program, "
                          "and why now? Mentors are matched on this.")
    skills_to_grow = StringField("Skills to grow", description="Comma-separated, e.g. "
                                 "people management, public speaking")
    about = TextAreaField("What you can help with", description="The situations you have been "
                          "through and can guide others through.")
    expertise = StringField("Expertise", description="Comma-separated, e.g. system design, "
                            "career change")
    capacity = StringField("How many mentees can you take? (1–10)", default="2",
                           render_kw={"inputmode": "numeric"})
    availability = SelectField("Availability", validate_choice=False,
                               choices=[SelectChoice(a.value, a.value.title())
                                        for a in Availability])
