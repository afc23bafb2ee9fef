import pytest

from matching import Mentee, Mentor, Suggestion


def test_only_id_is_required_and_lists_become_tuples() -> None:
    mentor = Mentor(id=1, expertise=["a", "b"], languages=["en"])
    assert mentor.expertise == ("a", "b") and mentor.capacity == 1 and mentor.about == ""
    mentee = Mentee(id="x")
    assert mentee.skills_to_grow == () and mentee.exclude == frozenset() and mentee.timezone is None


def test_records_are_frozen_and_hashable_ids_are_accepted() -> None:
    mentee = Mentee(id=("program", 3), exclude=[1, 2])
    assert mentee.exclude == frozenset({1, 2})
    with pytest.raises(AttributeError):
        mentee.goals = "x"  # type: ignore[misc]
    assert Suggestion(mentor_id=1, score=0.5, reasons=["a"]).reasons == ("a",)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"capacity": -1}, "capacity must be a non-negative integer, got -1"),
    ({"capacity": 1.5}, "capacity"),
    ({"years_experience": -2}, "years_experience"),
    ({"expertise": "python"}, "expertise must be a list"),
    ({"languages": [1]}, "languages must contain strings"),
    ({"about": 3}, "about must be a string"),
])
def test_bad_mentor_fields_raise_value_error(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Mentor(id=1, **kwargs)


def test_bad_mentee_exclude_raises() -> None:
    with pytest.raises(ValueError, match="exclude"):
        Mentee(id=1, exclude="12")  # type: ignore[arg-type]
