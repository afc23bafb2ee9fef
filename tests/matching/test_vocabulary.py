import json
from importlib import resources

import pytest

from matching.vocabulary import Term, alias_map, load_vocabulary, normalize_tags

CATEGORIES = {"engineering", "data", "product", "design", "leadership", "career",
              "communication", "business"}


def test_file_has_the_shape_the_web_app_reads() -> None:
    raw = json.loads(resources.files("matching").joinpath("data", "vocabulary.json").read_text("utf-8"))
    assert set(raw) == {"terms"}
    for term in raw["terms"]:
        assert set(term) == {"name", "category", "aliases"}
        assert isinstance(term["aliases"], list)


def test_vocabulary_is_large_lowercase_and_covers_all_categories() -> None:
    terms = load_vocabulary()
    assert len(terms) >= 300
    assert {t.category for t in terms} == CATEGORIES
    for t in terms:
        assert isinstance(t, Term)
        assert t.name == t.name.strip().lower()
        assert all(a == a.strip().lower() and a for a in t.aliases)


def test_names_and_aliases_are_unambiguous() -> None:
    seen: dict[str, str] = {}
    for t in load_vocabulary():
        for spelling in (t.name, *t.aliases):
            assert spelling not in seen, (spelling, seen.get(spelling), t.name)
            seen[spelling] = t.name


def test_vocabulary_is_cached_and_frozen() -> None:
    assert load_vocabulary() is load_vocabulary()
    with pytest.raises(AttributeError):
        load_vocabulary()[0].name = "x"  # type: ignore[misc]


@pytest.mark.parametrize(("alias", "name"), [
    ("ml", "machine learning"), ("pm", "product management"), ("ux", "ux design"),
    ("k8s", "kubernetes"), ("leading a team", "people management"),
    ("salary negotiation", "negotiating salary"), ("1:1s", "one-on-ones"),
])
def test_common_abbreviations_and_synonyms_are_known(alias: str, name: str) -> None:
    assert alias_map()[alias] == name


def test_career_moves_are_present() -> None:
    names = {t.name for t in load_vocabulary()}
    assert {"career change", "promotion", "negotiating salary", "public speaking"} <= names


def test_normalize_tags_cleans_maps_and_dedupes_in_order() -> None:
    assert normalize_tags([" People   Management ", "leading a team", "", "  ", "Knitting", "ML", "ml"]) == [
        "people management", "knitting", "machine learning"]


@pytest.mark.parametrize("bad", ["python", ["ok", 3]])
def test_normalize_tags_rejects_non_string_tags(bad: object) -> None:
    with pytest.raises(ValueError, match="tags must"):
        normalize_tags(bad)  # type: ignore[arg-type]
