"""URL rules: their builders are made on first use, and build what werkzeug's own build;
templates build the same URLs as Flask's ``url_for``, wherever the app is mounted."""

from __future__ import annotations

from flask import Flask
from werkzeug.routing import Map, Rule

from mentorship.routing import IdConverter, LazyRule, remembered_url_for
from tests.factories import create, login, make_program, make_user


def test_every_url_is_built_as_a_plain_werkzeug_rule_builds_it(app: Flask) -> None:
    plain = Map(converters={"int": IdConverter})
    for rule in app.url_map.iter_rules():
        assert isinstance(rule, LazyRule) or rule.endpoint == "static"  # added by Flask()
        plain.add(Rule(rule.rule, endpoint=rule.endpoint, methods=rule.methods,
                       defaults=rule.defaults))
    ours, theirs = app.url_map.bind("localhost"), plain.bind("localhost")
    for rule in app.url_map.iter_rules():
        values = {name: 7 for name in rule.arguments} | {"next": "/a b?c"}
        for method in sorted(rule.methods or ()):
            assert ours.build(rule.endpoint, values, method=method) == \
                theirs.build(rule.endpoint, values, method=method)


def test_a_rule_makes_its_builders_only_when_a_url_is_built(app: Flask) -> None:
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == "programs.detail")
    assert rule._build_unknown.__name__ == "build_on_first_use"
    with app.test_request_context():
        assert app.url_for("programs.detail", program_id=3) == "/programs/3"
    assert rule._build_unknown.__name__ != "build_on_first_use"


def test_templates_build_the_urls_flask_builds(app: Flask) -> None:
    cases = [("programs.detail", {"program_id": 3}), ("programs.detail", {"program_id": 4}),
             ("main.home", {}), ("auth.login", {"next": "/a b?c"}),
             ("programs.detail", {"program_id": 3, "_anchor": "people"}),
             ("static", {"filename": "css/app.css"}), ("auth.login", {"next": True}),
             ("auth.login", {"next": 1})]
    for root in ("", "/mentoring", ""):
        with app.test_request_context(base_url=f"http://localhost{root}/"):
            for endpoint, values in cases * 2:  # the second time, from what was remembered
                assert remembered_url_for(endpoint, **values) == app.url_for(endpoint, **values)
                assert remembered_url_for(endpoint, **values).startswith(root + "/")


def test_a_page_served_under_a_prefix_links_under_it(app: Flask) -> None:
    ids = create(app, lambda s: (make_user(s, is_admin=True).id, make_program(s).id))
    client = app.test_client()
    login(app, client, ids[0])
    for root in ("", "/mentoring", ""):
        page = client.get("/", base_url=f"http://localhost{root}/").get_data(as_text=True)
        assert f'href="{root}/programs/{ids[1]}"' in page
        assert f'href="{root}/programs/' in page and f'action="{root}/logout"' in page
