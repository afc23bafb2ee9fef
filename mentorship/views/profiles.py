"""The signed-in person's profile: view and edit."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from mentorship.db import get_session
from mentorship.forms import ProfileForm
from mentorship.services import profiles
from mentorship.services.specs import PROFILE
from mentorship.services.vocabulary import language_names, sorted_timezones, tag_suggestions
from mentorship.views import form_page

bp = Blueprint("profiles", __name__, url_prefix="/profile")


@bp.get("/")
@login_required
def show() -> str:
    """The signed-in person's profile."""
    profile = profiles.get_profile(get_session(), current_user)
    return render_template("profiles/show.html", profile=profile, languages=language_names())


@bp.route("/edit", methods=["GET", "POST"])
@login_required
def edit() -> Response | tuple[str, int]:
    """Edit one's profile; a save over a newer version is a 409 that keeps the entries."""
    profile = profiles.get_profile(get_session(), current_user)
    form = ProfileForm.from_request(data=PROFILE.form_data(profile) | {"version": profile.version})
    page = form_page("profiles/edit.html", form, suggestions=tag_suggestions(),
                     timezones=sorted_timezones())
    if not form.is_submitted_and_valid():
        return page.render()
    profiles.update_profile(get_session(), current_user, form.values(PROFILE),
                            version=form.version.data)
    get_session().commit()
    flash("Profile saved.", "success")
    return redirect(url_for("profiles.show"))
