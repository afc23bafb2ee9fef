"""URL rules: their builders are made on first use, and build what werkzeug's own build."""

from __future__ import annotations

from flask import Flask
from werkzeug.routing import Map, Rule

from mentorship.routing import IdConverter, LazyRule


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
