"""The committed cross-field sets: halves fixed before tuning, disjoint, large enough, and kept out of the engine."""

from __future__ import annotations

import doctest
import json
import re
from importlib import resources

import pytest

from benchmarks import build_texteval_fields
from benchmarks.evalset import FIELD_SETS, load_evalset, recall_at
from benchmarks.texttune import TUNING_SETS


@pytest.mark.parametrize("source", ["esco", "onet"])
def test_halves_are_disjoint_and_carry_their_split(source: str) -> None:
    tuning = load_evalset(FIELD_SETS[f"{source}-tuning"])
    heldout = load_evalset(FIELD_SETS[f"{source}-heldout"])
    assert {m["uri"] for m in tuning.mentors}.isdisjoint(m["uri"] for m in heldout.mentors)
    assert abs(len(tuning.mentors) - len(heldout.mentors)) <= 1
    for data, half in ((tuning, "tuning"), (heldout, "heldout")):
        assert data.source["half"] == half and data.source["split_seed"] == build_texteval_fields.SPLIT_SEED
        assert data.source["licence"]
        assert len(data.queries) == len(data.mentors)


def test_esco_sets_hold_over_a_thousand_goals_from_every_field() -> None:
    goals = [q["goals"] for name in ("esco-tuning", "esco-heldout") for q in load_evalset(FIELD_SETS[name]).queries]
    assert len(goals) >= 2000
    text = " ".join(goals).lower()
    for job in ("nurse", "plumber", "lawyer", "accountant", "teacher", "actor", "police", "farm", "chef", "judge"):
        assert job in text, job


@pytest.mark.parametrize("name", list(FIELD_SETS))
def test_a_mentor_never_names_its_own_occupation(name: str) -> None:
    data = load_evalset(FIELD_SETS[name])
    named = sum(bool(re.search(rf"\b{re.escape(m['title'].lower())}s?\b", m["about"].lower()))
                for m in data.mentors)
    assert named <= 0.01 * len(data.mentors)  # a few titles recur in other words ("drama" in a drama teacher's text)


def test_the_engine_reads_no_held_out_occupation() -> None:
    corpus = json.loads(resources.files("matching").joinpath("data", "occupations.json").read_text("utf-8"))
    tuning = {m["title"].lower() for m in load_evalset(FIELD_SETS["esco-tuning"]).mentors}
    heldout = {m["title"].lower() for m in load_evalset(FIELD_SETS["esco-heldout"]).mentors} - tuning
    texts = [t.lower() for t in corpus["occupations"]]  # each opens with its preferred label
    assert len(texts) == len(load_evalset(FIELD_SETS["esco-tuning"]).mentors)
    assert all(any(t.startswith(title + " ") for title in tuning) for t in texts)
    assert not any(t.startswith(title + " ") and not any(t.startswith(o + " ") for o in tuning)
                   for t in texts for title in heldout)
    assert all(name.endswith("tuning") for name in TUNING_SETS)


def test_baselines_are_far_above_chance_on_the_held_out_half() -> None:
    from benchmarks.evalset import char_tfidf_scores
    data = load_evalset(FIELD_SETS["onet-heldout"])
    assert recall_at(char_tfidf_scores(data.mentor_texts(), data.query_texts()), data.relevant, 10) > 0.5


def test_doctests() -> None:
    assert doctest.testmod(build_texteval_fields).failed == 0
