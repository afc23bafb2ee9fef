"""Mentorship web application: the app factory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from mentorship import auth, bodylimit, cli, db, errors, guards, routing, seclog, settings
from mentorship.api import bp as api_bp
from mentorship.views import (
    account,
    admin,
    feedback,
    goals,
    health,
    invitations,
    main,
    matching,
    meetings,
    notifications,
    pairings,
    profiles,
    program_data,
    programs,
    rounds,
    thread,
    workspace,
)
from mentorship.views import auth as auth_pages

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build a configured app; tests pass overrides in ``test_config``."""
    app = Flask(__name__, template_folder=str(ROOT / "templates"),
                static_folder=str(ROOT / "static"), instance_path=str(ROOT / "instance"))
    settings.load_config(app, test_config)
    app.url_map.converters["int"] = routing.IdConverter  # before any route is added
    app.url_rule_class = routing.LazyRule
    routing.init_app(app)
    if app.config["PROXY_COUNT"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=int(app.config["PROXY_COUNT"]),  # type: ignore[method-assign]
                                x_proto=1)
    bodylimit.init_app(app)  # first: no check may read a body before its size is known
    db.init_app(app)
    auth.init_app(app)
    guards.init_app(app)
    seclog.init_app(app)
    errors.init_app(app)
    cli.init_app(app)
    main.init_app(app)
    notifications.init_app(app)
    for blueprint in (auth_pages.bp, main.bp, account.bp, profiles.bp, programs.bp, admin.bp,
                      matching.bp, pairings.bp, rounds.bp, notifications.bp, workspace.bp,
                      goals.bp, feedback.bp, meetings.bp, thread.bp, health.bp, program_data.bp,
                      invitations.bp, api_bp):
        app.register_blueprint(blueprint)
    return app
