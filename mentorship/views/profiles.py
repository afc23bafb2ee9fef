"""The signed-in person's profile: view and edit."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from mentorship.db import get_session
from mentorship.forms import ProfileForm
from mentorship.services import profiles
from mentorship.services.fields import language_names, timezone_names
from mentorship.services.matches import tag_suggestions
from mentorship.views import commit_form, render_form

bp = Blueprint("profiles", __name__, url_prefix="/profile")


@bp.get("/")
@login_required
def show() -> str:
    profile = profiles.get_profile(get_session(), current_user)
    return render_template("profiles/show.html", profile=profile, languages=language_names())


@bp.route("/edit", methods=["GET", "POST"])
@login_required
def edit() -> Response | tuple[str, int]:
    profile = profiles.get_profile(get_session(), current_user)
    form = ProfileForm.from_request(data=profile_form_data(profile))
    if form.is_submitted_and_valid() and commit_form(
            form, lambda db: profiles.update_profile(db, current_user, request.form)):
        flash("Profile saved.", "success")
        return redirect(url_for("profiles.show"))
    return render_form("profiles/edit.html", form, suggestions=tag_suggestions(),
                       timezones=sorted(timezone_names()))


def profile_form_data(profile: profiles.Profile) -> dict[str, object]:
    """Stored values as the form shows them (lists become comma-separated text)."""
    return {
        "headline": profile.headline, "bio": profile.bio, "industry": profile.industry,
        "languages": ", ".join(profile.languages or []), "timezone": profile.timezone or "",
        "years_experience": "" if profile.years_experience is None else profile.years_experience,
        "skills": ", ".join(profile.skills or []),
    }
