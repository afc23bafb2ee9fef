import numpy as np
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
    ({"capacity": -1}, "capacity must be a non-negative integer, at most 1000000, got -1"),
    ({"capacity": 1.5}, "capacity"),
    ({"capacity": 10**30}, "capacity must be a non-negative integer, at most 1000000, got 10{30}$"),
    ({"capacity": np.float64(2.0)}, "capacity"),
    ({"years_experience": -2}, "years_experience"),
    ({"years_experience": 10**400}, "years_experience must be a number from 0 to 100"),
    ({"years_experience": float("inf")}, "years_experience .* got inf"),
    ({"years_experience": float("nan")}, "years_experience .* got nan"),
    ({"years_experience": 101}, "years_experience"),
    ({"id": [1]}, r"id must be hashable, got \[1\]"),
    ({"expertise": "python"}, "expertise must be a list"),
    ({"languages": [1]}, "languages must contain strings"),
    ({"about": 3}, "about must be a string"),
])
def test_bad_mentor_fields_raise_value_error(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Mentor(**({"id": 1} | kwargs))


def test_numpy_numbers_are_accepted_and_stored_as_python_numbers() -> None:
    mentor = Mentor(id=1, capacity=np.int64(2), years_experience=np.int64(5))
    assert (mentor.capacity, mentor.years_experience) == (2, 5)
    assert type(mentor.capacity) is int and type(mentor.years_experience) is int
    years = Mentee(id=2, years_experience=np.float32(3.5)).years_experience
    assert years == 3.5 and type(years) is float


@pytest.mark.parametrize("exclude", [{1, 2}, frozenset({1, 2}), [1, 2, 2], (2, 1), (x for x in (1, 2))])
def test_exclude_accepts_any_collection_of_ids(exclude: object) -> None:
    assert Mentee(id=0, exclude=exclude).exclude == frozenset({1, 2})  # type: ignore[arg-type]


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"exclude": "12"}, "exclude must be a collection of mentor ids, got '12'"),
    ({"exclude": 5}, "exclude must be a collection of mentor ids, got 5"),
    ({"exclude": [[1]]}, r"exclude ids must be hashable, got \[1\]"),
    ({"id": {"a": 1}}, "id must be hashable"),
])
def test_bad_mentee_fields_raise_value_error(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Mentee(**({"id": 1} | kwargs))
