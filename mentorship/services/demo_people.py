"""Invented people for the demo program: names, profiles and enrolment texts.

Pure and deterministic: everything comes from the ``random.Random`` passed in and
the tables in ``mentorship/data`` (names by background, career tracks). Values are
raw input; the caller cleans them with the same rules as a sign-up form.
"""

from __future__ import annotations

import json
import random
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent.parent / "data"
DEMO_DOMAIN = "demo.mentorship.test"  # .test is reserved: these addresses never deliver
CAPACITY_WEIGHTS = (20, 35, 25, 12, 8)  # capacity 1..5; most mentors take two or three
PAUSED_SHARE = 0.08
DUAL_SHARE = 0.06  # mentors who are also mentees in the same program
HERITAGE_SHARE = 0.85  # English speakers from elsewhere who also list a home language
_ASCII = str.maketrans({"ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ø": "o", "Ø": "O",
                        "ı": "i", "ß": "ss", "æ": "ae"})


@cache
def table(name: str) -> dict[str, Any]:
    """One of the JSON tables in ``mentorship/data`` (read once; never mutate it)."""
    with (DATA / f"{name}.json").open(encoding="utf-8") as handle:
        return json.load(handle)


@dataclass
class Person:
    """One demo person: account, profile, and the enrolment data of each role they take."""

    name: str
    email: str
    track: str
    profile: dict[str, Any]
    mentee: dict[str, Any] | None = None
    mentor: dict[str, Any] | None = None


@dataclass
class _Origin:
    culture: dict[str, Any]
    zone: str
    city: str
    languages: list[str]
    second_language: bool  # English is listed but is not their first language


def role_counts(n_mentees: int, n_mentors: int) -> tuple[int, int]:
    """How many mentors are paused, and how many are also mentees (a few of each)."""
    if n_mentors < 5:
        return 0, 0
    paused = max(1, round(n_mentors * PAUSED_SHARE))
    dual = min(n_mentees, max(1, round(n_mentors * DUAL_SHARE)))
    return paused, dual


def make_people(rng: random.Random, n_mentees: int, n_mentors: int) -> list[Person]:
    """Mentors first, then mentees; ``n_mentees`` includes the mentors who are also mentees."""
    tracks = table("demo_tracks")["tracks"]
    mentor_tracks = [t for t in tracks if t["mentor"]]
    taken: tuple[set[str], set[str]] = (set(), set())
    people = [_mentor(rng, taken, _weighted(rng, mentor_tracks, "mentors"))
              for _ in range(n_mentors)]
    n_paused, n_dual = role_counts(n_mentees, n_mentors)
    chosen = rng.sample(range(n_mentors), n_paused + n_dual)
    for index in chosen[:n_paused]:
        people[index].mentor["availability"] = "paused"  # type: ignore[index]
    for index in chosen[n_paused:]:
        people[index].mentee = _senior_goals(rng)
    people += [_mentee(rng, taken, _weighted(rng, tracks, "mentees"))
               for _ in range(n_mentees - n_dual)]
    _ensure_shared_language(people)
    return people


def _weighted(rng: random.Random, items: list[dict[str, Any]], key: str) -> dict[str, Any]:
    return rng.choices(items, weights=[item[key] for item in items])[0]


def _origin(rng: random.Random, *, mentor: bool) -> _Origin:
    names = table("demo_names")
    cultures = list(names["cultures"].values())
    culture = rng.choices(cultures, weights=[c["weight"] for c in cultures])[0]
    zone, local = rng.choice(culture["zones"]), None
    abroad = names["abroad"]
    if rng.random() < abroad["share"]:
        zone = rng.choice(sorted(set(abroad["zones"]) - set(culture["zones"])))
        local = abroad["zones"][zone]
    english_first = culture["english"] == 1.0
    heritage = None  # people for whom English is a second language always list their first
    if culture["languages"] and (not english_first or rng.random() < HERITAGE_SHARE):
        heritage = rng.choice(culture["languages"])
    english = rng.random() < min(1.0, culture["english"] + (0.15 if mentor else 0.0))
    languages = [code for code in (["en", heritage] if english_first else [heritage, "en"])
                 if code and (code != "en" or english)]
    if local and rng.random() < 0.5:
        languages.append(local)
    if rng.random() < 0.1:
        languages.append(rng.choice(names["learned_languages"]))
    city = names["cities"].get(zone) or zone.rsplit("/", 1)[-1].replace("_", " ")
    return _Origin(culture, zone, city, list(dict.fromkeys(languages)),
                   second_language=english and bool(culture["languages"]) and not english_first)


def _name(rng: random.Random, culture: dict[str, Any],
          taken: tuple[set[str], set[str]]) -> tuple[str, str]:
    names, emails = taken
    for _ in range(20):  # prefer a full name nobody in the demo has yet
        given, family = rng.choice(culture["given"]), rng.choice(culture["family"])
        if f"{given} {family}" not in names:
            break
    names.add(f"{given} {family}")
    local = f"{_ascii(given)}.{_ascii(family)}"
    email, n = local, 2
    while email in emails:
        email, n = f"{local}{n}", n + 1
    emails.add(email)
    return f"{given} {family}", f"{email}@{DEMO_DOMAIN}"


def _ascii(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.translate(_ASCII))
    return "".join(c for c in decomposed.lower() if c.isascii() and (c.isalnum() or c == "-"))


def _job(rng: random.Random, track: dict[str, Any], side: dict[str, Any],
         persona: dict[str, str] | None = None) -> tuple[str, str, int]:
    """Headline, industry and years of experience for one side of a track."""
    persona = persona or {}
    industry = persona.get("industry") or rng.choice(track["industries"])
    title = persona.get("title") or rng.choice(side["titles"])
    company = rng.choice(table("demo_tracks")["industries"][industry])
    if "{" in title:
        headline = title.format(company=company, industry=industry)
    elif track.get("headline") == "title":
        headline = title
    else:
        headline = f"{title} at {company}"
    return headline, industry, rng.randint(*side["years"])


def _mentee(rng: random.Random, taken: tuple[set[str], set[str]],
            track: dict[str, Any]) -> Person:
    side = track["mentee"]
    origin = _origin(rng, mentor=False)
    name, email = _name(rng, origin.culture, taken)
    # A persona ties a title to its story ("Nurse moving into health data" + hospitals).
    persona = rng.choice(side["personas"]) if "personas" in side else None
    headline, industry, years = _job(rng, track, side, persona)
    goals = rng.sample(side["goals"], 2 if rng.random() < 0.55 else 1)
    extra = table("demo_tracks")["extra_goals"]
    if origin.second_language and rng.random() < 0.25:
        goals.append(rng.choice(extra["second_language"]))
    elif rng.random() < 0.3:
        goals.append(rng.choice(extra["any"]))
    hobby = _hobby(rng, origin)
    background = persona["background"] if persona else rng.choice(side["background"])
    bio = (f"Based in {origin.city}. {background} {hobby}" if rng.random() < 0.5
           else f"{background} I live in {origin.city}. {hobby}")
    skills = rng.sample(side["skills"], min(len(side["skills"]), rng.randint(2, 4)))
    profile = _profile(origin, headline, bio, years,
                       "" if track["key"] == "students" else industry, skills)
    return Person(name, email, track["key"], profile, mentee=_goals(goals))


def _mentor(rng: random.Random, taken: tuple[set[str], set[str]],
            track: dict[str, Any]) -> Person:
    side = track["mentor"]
    origin = _origin(rng, mentor=True)
    name, email = _name(rng, origin.culture, taken)
    headline, industry, years = _job(rng, track, side)
    tables = table("demo_tracks")
    extras = tables["mentor_extras"]
    expertise = rng.sample(side["expertise"], rng.randint(4, 7))
    expertise += rng.sample(extras, rng.choice((0, 1, 1, 2)))
    shown = [tables["display_names"].get(tag, tag) for tag in expertise[:3]]
    about = (f"{rng.choice(side['about'])} I can help with {shown[0]}, {shown[1]} and "
             f"{shown[2]}. {rng.choice(tables['mentor_styles'])}")
    sector = tables["sector_phrases"].get(industry, industry)
    bio = (f"{headline.split(' at ')[0]} in {origin.city}, {years} years into a career in "
           f"{sector}. {_hobby(rng, origin)}")
    tools = track["mentee"]["skills"]
    skills = rng.sample(tools, min(len(tools), rng.randint(3, 5)))
    capacity = rng.choices(range(1, 6), weights=CAPACITY_WEIGHTS)[0]
    mentor = {"about": about, "expertise": expertise, "capacity": capacity,
              "availability": "open"}
    profile = _profile(origin, headline, bio, years, industry, skills)
    return Person(name, email, track["key"], profile, mentor=mentor)


def _hobby(rng: random.Random, origin: _Origin) -> str:
    hobbies = table("demo_tracks")["hobbies"]
    if "ja" in origin.languages:  # nobody learns their own language "one kanji at a time"
        hobbies = [h for h in hobbies if "Japanese" not in h]
    return rng.choice(hobbies)


def _senior_goals(rng: random.Random) -> dict[str, Any]:
    senior = table("demo_tracks")["extra_goals"]["senior"]
    return _goals(rng.sample(senior, 2 if rng.random() < 0.5 else 1))


def _goals(goals: list[dict[str, Any]]) -> dict[str, Any]:
    tags = list(dict.fromkeys(tag for goal in goals for tag in goal["tags"]))
    return {"goals": " ".join(goal["text"] for goal in goals), "skills_to_grow": tags}


def _profile(origin: _Origin, headline: str, bio: str, years: int, industry: str,
             skills: list[str]) -> dict[str, Any]:
    return {"headline": headline, "bio": bio, "languages": origin.languages,
            "timezone": origin.zone, "years_experience": years, "industry": industry,
            "skills": skills}


def _ensure_shared_language(people: list[Person]) -> None:
    """Give each mentee a language some open mentor speaks, as real sign-ups mostly do.

    Without this a small demo can leave a mentee with nobody to talk to, which only
    shows an empty suggestion list instead of the matching at work.
    """
    spoken = [p.profile["languages"] for p in people
              if p.mentor and p.mentor["availability"] == "open"]
    if not spoken:
        return
    counts: dict[str, int] = {}
    for languages in spoken:
        for code in languages:
            counts[code] = counts.get(code, 0) + 1
    common = max(sorted(counts), key=lambda code: counts[code])
    for person in people:
        if person.mentee and not set(person.profile["languages"]) & set(counts):
            person.profile["languages"].append(common)
