"""Participants of a program imported from a CSV file. Take a session; never commit.

``check`` reads the whole file and reports every problem (row, column, message) before
anything is written; ``apply`` writes it all in the caller's transaction or, when the
report has any error, nothing. Every cell is cleaned by the same field specifications
as the forms and the API.

Rules a file follows:

- Columns ``name``, ``email``, ``role`` (mentee or mentor) are required; the profile
  columns and the enrolment columns of each role are optional. Unknown columns are
  ignored with a warning. A mentee's row leaves the mentor columns empty and the reverse.
- One row per person and role: an email twice in one role is an error. Someone in both
  roles has a row for each, agreeing on name and profile.
- Existing accounts are matched by email in any letter case; their name and profile
  stay as their owner wrote them, only the enrolment in this program is created or
  updated. An empty enrolment cell leaves the stored value as it is.
- New accounts get no password: a set-password link is emailed (``invitations``).
- Cells starting with ``=``, ``+``, ``-`` or ``@`` are kept as text, with a warning;
  the ``'`` our exports put before such cells is removed.

Importing the same file twice changes nothing the second time.

50,000 rows take well under a minute: each distinct cell is cleaned once, people are
looked up in bulk (a temporary table joined on PostgreSQL, IN lists of CHUNK emails
elsewhere), and rows are inserted in bulk (COPY on PostgreSQL, executemany elsewhere);
see ``benchmarks/imports.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import column, select, table, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from mentorship.models import Base, Enrolment, Program, Role, User, utcnow
from mentorship.services import csv_files, invitations
from mentorship.services.audit import Action
from mentorship.services.bulk import CHUNK, bulk_insert, chunks, copy_rows, on_postgres
from mentorship.services.errors import Conflict
from mentorship.services.exports import record_action
from mentorship.services.fields import normalize_email
from mentorship.services.specs import ACCOUNT, MENTEE, MENTOR, PROFILE, ROLE_SPECS

MAX_ROWS = 50_000
MAX_LISTED = 500  # problems of each kind kept for the report; the rest are counted
REQUIRED = ("name", "email", "role")
ROLE_COLUMNS = {Role.MENTEE: MENTEE.names, Role.MENTOR: MENTOR.names}
KNOWN = (*REQUIRED, *PROFILE.names, *MENTEE.names, *MENTOR.names)
WARN_FORMULA = ("=", "+", "-", "@")
FLAGGED = frozenset("'=+-@\t\r")  # first characters worth a closer look (not "")
RACED = ("Some of these people were added or changed by someone else while the file was "
         "being imported, so nothing was imported. Import the file again.")
Progress = Callable[[int], None]
PROFILE_DEFAULTS: dict[str, Any] = {"headline": "", "bio": "", "languages": [], "timezone": None,
                                    "years_experience": None, "industry": "", "skills": []}
ENROLMENT_DEFAULTS: dict[str, Any] = {"goals": "", "skills_to_grow": [], "about": "",
                                      "expertise": [], "capacity": None, "availability": None}
# Core tables: bulk inserts through them are several times faster than the ORM's bulk
# path (the values are cleaned already; the models' defaults are filled in).
USERS, PROFILES, ENROLMENTS, TOKENS, OUTBOX = (
    Base.metadata.tables[name] for name in ("users", "profiles", "enrolments",
                                            "password_tokens", "outbox_emails"))
KEYS = table("import_keys", column("key"))  # PostgreSQL: the file's emails, for joins
FIELDS = {f.name: f for spec in (ACCOUNT, PROFILE, MENTEE, MENTOR) for f in spec.fields}
UNIQUE = frozenset({"name", "email"})  # never worth caching
ROLE_DEFAULTS = {role: spec.clean({}, partial=False) for role, spec in ROLE_SPECS.items()}


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or worth a look) in the file: spreadsheet row, column, message.

    Row 1 is the header; a problem with the whole file has row 0.
    """

    row: int
    column: str
    message: str


@dataclass
class Row:
    """One person's row, cleaned: the account, the role, the profile and enrolment values."""

    line: int
    name: str
    email: str
    key: str  # the email as compared
    role: Role
    profile: dict[str, Any]
    enrolment: dict[str, Any]  # the non-empty cells only


@dataclass
class Report:
    """What a file holds and what importing it would do (or did)."""

    encoding: str = ""
    separator: str = ""
    rows: list[Row] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    error_count: int = 0
    warning_count: int = 0
    new_accounts: int = 0
    existing_accounts: int = 0
    new_enrolments: int = 0
    updated_enrolments: int = 0
    unchanged: int = 0
    invited: int = 0
    applied: bool = False

    @property
    def ok(self) -> bool:
        """Whether the file can be imported: no errors at all."""
        return self.error_count == 0

    @property
    def changes(self) -> int:
        """People whose enrolment the import creates or changes."""
        return self.new_enrolments + self.updated_enrolments

    def error(self, row: int, column: str, message: str) -> None:
        """Add an error (listed while there are fewer than MAX_LISTED)."""
        self.error_count += 1
        if len(self.errors) < MAX_LISTED:
            self.errors.append(Problem(row, column, message))

    def warn(self, row: int, column: str, message: str) -> None:
        """Add a warning (listed while there are fewer than MAX_LISTED)."""
        self.warning_count += 1
        if len(self.warnings) < MAX_LISTED:
            self.warnings.append(Problem(row, column, message))

    def summary(self) -> dict[str, int]:
        """The counts, for the audit log and the API."""
        return {"rows": len(self.rows), "errors": self.error_count,
                "warnings": self.warning_count, "new_accounts": self.new_accounts,
                "existing_accounts": self.existing_accounts,
                "new_enrolments": self.new_enrolments,
                "updated_enrolments": self.updated_enrolments, "unchanged": self.unchanged,
                "invited": self.invited}


def read(data: bytes, progress: Progress | None = None) -> Report:
    """Decode and clean the whole file; no database needed. Every problem goes in the report."""
    report = Report()
    try:
        text = csv_files.decode(data)
    except csv_files.CsvProblem as exc:
        report.error(0, "", str(exc))
        return report
    report.encoding, report.separator = text.encoding, text.separator_name
    records = text.records()
    header = [_column_name(cell) for cell in next(records, [])]
    columns = _check_header(header, report)
    if columns is None:
        return report
    seen: dict[str, list[Row]] = {}  # the rows of each email so far
    cleaner = Cleaner()
    for number, cells in enumerate(records, start=2):
        if not any(cell.strip() for cell in cells):
            continue  # blank lines spreadsheets leave at the end
        if number - 1 > MAX_ROWS:
            report.error(0, "", f"The file has more than {MAX_ROWS:,} rows: split it into "
                                "smaller files and import them one after another.")
            break
        if len(cells) > len(header) and any(c.strip() for c in cells[len(header):]):
            report.error(number, "", f"This row has {len(cells)} cells but the header names "
                                     f"{len(header)} columns.")
            continue
        row = _clean_row(number, {name: cells[i] if i < len(cells) else ""
                                  for name, i in columns.items()}, report, cleaner)
        if row is not None and not _repeats(row, seen.setdefault(row.key, []), report):
            seen[row.key].append(row)
            report.rows.append(row)
        if progress and number % 1000 == 0:
            progress(1000)
    return report


def _repeats(row: Row, earlier: list[Row], report: Report) -> bool:
    """Whether ``row`` repeats a person already in the file (an error).

    One row per person and role: someone who mentors and is mentored has two rows,
    which must agree on the name and on the profile cells both fill.
    """
    for other in earlier:
        if other.role == row.role:
            report.error(row.line, "email", f"The same email as row {other.line}, in the "
                                            "same role: one row per person and role.")
            return True
        clashes = [name for name in PROFILE.names
                   if name in row.profile and name in other.profile
                   and row.profile[name] != other.profile[name]]
        if row.name != other.name:
            clashes.insert(0, "name")
        for name in clashes:
            report.error(row.line, name, f"Differs from row {other.line}, the same person "
                                         "in the other role: one person has one name and "
                                         "one profile.")
        if clashes:
            return True
        other.profile = row.profile = other.profile | row.profile
    return False


def _column_name(cell: str) -> str:
    """A header cell as a column name: trimmed, lowercase, spaces as underscores."""
    return cell.strip().lstrip("\ufeff").removeprefix("ï»¿").strip().lower().replace(" ", "_")


def _check_header(header: list[str], report: Report) -> dict[str, int] | None:
    """Known column name -> position; None (with the errors) if the header cannot work."""
    columns: dict[str, int] = {}
    for i, name in enumerate(header):
        if name in columns:
            report.error(1, name, "This column appears twice in the header.")
        elif name in KNOWN:
            columns[name] = i
        elif name:
            report.warn(1, name, "Unknown column: ignored. Known columns: "
                                 f"{', '.join(KNOWN)}.")
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        report.error(1, "", f"Missing required column{'s' if len(missing) > 1 else ''}: "
                            f"{', '.join(missing)}. The header row must name them.")
    return None if report.error_count else columns


def _cell(line: int, column: str, raw: str, report: Report) -> str:
    """A cell's text: an export's ``'`` before a formula removed, formulas flagged."""
    value = csv_files.unquote_formula(raw)
    if value is raw and raw.startswith(WARN_FORMULA):
        report.warn(line, column, f"Starts with “{raw[0]}”, like a spreadsheet formula: "
                                  "kept as text, never run. Check it is meant.")
    return value


def _clean_row(line: int, cells: dict[str, str], report: Report,
               cleaner: Cleaner) -> Row | None:
    """The row cleaned by the specs; None (with its problems reported) if any cell is wrong."""
    cells = {name: _cell(line, name, raw, report) if raw[:1] in FLAGGED else raw
             for name, raw in cells.items()}
    before = report.error_count
    account = cleaner.clean({"name": cells["name"], "email": cells["email"]}, line, report)
    role_text = cells["role"].strip().lower()
    role = Role(role_text) if role_text in Role._value2member_map_ else None
    if role is None:
        report.error(line, "role", "Choose one of: mentee, mentor.")
    profile = cleaner.clean(_filled(cells, PROFILE.names), line, report)
    enrolment: dict[str, Any] = {}
    if role is not None:
        enrolment = cleaner.clean(_filled(cells, ROLE_COLUMNS[role]), line, report)
        other = Role.MENTOR if role == Role.MENTEE else Role.MENTEE
        for name in _filled(cells, ROLE_COLUMNS[other]):
            report.error(line, name, f"Only for {other.value}s: leave it empty on a "
                                     f"{role.value}'s row.")
    if report.error_count > before or role is None:
        return None
    return Row(line, account["name"], account["email"], normalize_email(account["email"]),
               role, profile, enrolment)


def _filled(cells: dict[str, str], names: Sequence[str]) -> dict[str, str]:
    """The non-empty cells among ``names`` (an empty cell means "not given")."""
    return {name: cells[name] for name in names if cells.get(name, "").strip()}


class Cleaner:
    """Each cell cleaned by its field's ``Field.clean``, as ``Spec.clean`` does it.

    A file repeats most of its values (languages, time zones, capacities): each distinct
    cell of a column is cleaned once and the result reused, up to CACHED entries.
    """

    CACHED = 200_000

    def __init__(self) -> None:
        """An empty cache: (column, cell) -> (cleaned, value or message)."""
        self.cache: dict[tuple[str, str], tuple[bool, Any]] = {}

    def clean(self, data: dict[str, str], line: int, report: Report) -> dict[str, Any]:
        """The cleaned values of ``data``'s cells; each problem reported at its column."""
        values: dict[str, Any] = {}
        for name, raw in data.items():
            outcome = self.cache.get((name, raw))
            if outcome is None:
                try:
                    outcome = (True, FIELDS[name].clean(raw))
                except ValueError as exc:
                    outcome = (False, str(exc))
                if name not in UNIQUE and len(self.cache) < self.CACHED:
                    self.cache[(name, raw)] = outcome
            cleaned, value = outcome
            if not cleaned:
                report.error(line, name, value)
            else:
                values[name] = list(value) if isinstance(value, list) else value
        return values


def check(session: Session, program: Program, data: bytes,
          progress: Progress | None = None) -> Report:
    """The dry run: read the file and work out what importing it would change."""
    report = read(data, progress)
    if report.rows:
        _plan(session, program, report)
    return report


def _plan(session: Session, program: Program, report: Report) -> _Plan:
    """Match the rows to stored accounts and enrolments (looked up in bulk) and count."""
    users = _user_ids(session, [row.key for row in report.rows])
    stored = {(e.user_id, e.role): e for e in _stored(session, program, list(users.values()))}
    plan = _Plan(users)
    report.new_accounts = report.existing_accounts = 0
    report.new_enrolments = report.updated_enrolments = report.unchanged = 0
    counted: set[str] = set()
    for row in report.rows:
        user_id = users.get(row.key)
        if row.key not in counted:  # a person in both roles has two rows
            counted.add(row.key)
            report.existing_accounts += user_id is not None
            report.new_accounts += user_id is None
        found = stored.get((user_id, row.role)) if user_id is not None else None
        if found is None:
            report.new_enrolments += 1
            plan.fresh.append(row)
            continue
        changes = {k: v for k, v in row.enrolment.items() if getattr(found, k) != v}
        if changes.get("capacity") is not None and changes["capacity"] < found.seats_taken:
            report.error(row.line, "capacity", f"This mentor has {found.seats_taken} "
                                               "mentees now: capacity cannot be lower.")
        elif changes:
            report.updated_enrolments += 1
            plan.updates.append((found, changes))
        else:
            report.unchanged += 1
    return plan


@dataclass
class _Plan:
    """What ``_plan`` found: stored accounts by email key, and the enrolment changes."""

    users: dict[str, int]
    updates: list[tuple[Enrolment, dict[str, Any]]] = field(default_factory=list)
    fresh: list[Row] = field(default_factory=list)  # rows whose enrolment is new


def apply(session: Session, program: Program, data: bytes, actor: User | None,
          link_for: Callable[[str], str], progress: Progress | None = None) -> Report:
    """Import the file, all or nothing: with any error in the report nothing is written.

    Inserts go in bulk; the caller commits. ``link_for`` turns a token into the
    set-password URL of the invitation email.
    """
    report = read(data, progress)
    plan = _plan(session, program, report) if report.rows else _Plan({})
    if not report.ok or not report.rows:
        return report
    now = utcnow()
    new_rows = list({row.key: row for row in report.rows if row.key not in plan.users}.values())
    roles: dict[str, list[str]] = {}
    for row in report.rows:
        roles.setdefault(row.key, []).append(row.role.value)
    try:
        with session.begin_nested():  # someone else's change meanwhile: refuse it all
            users = plan.users | _insert_accounts(session, new_rows, now)
            _insert_enrolments(session, program, plan.fresh, users, now)
            for enrolment, changes in plan.updates:
                for name, value in changes.items():
                    setattr(enrolment, name, value)
            session.flush()
    except (IntegrityError, StaleDataError):
        raise Conflict(RACED) from None
    tokens, emails = invitations.invitations(
        [invitations.Invitee(users[row.key], row.name, row.email, " and ".join(roles[row.key]))
         for row in new_rows], program.name, link_for)
    bulk_insert(session, TOKENS, tokens)
    bulk_insert(session, OUTBOX, emails)
    report.invited = len(emails)
    record_action(session, actor, Action.PARTICIPANTS_IMPORTED, program, "participants",
                **report.summary())
    report.applied = True
    return report


def _insert_accounts(session: Session, rows: list[Row], now: datetime) -> dict[str, int]:
    """Create the new accounts and their profiles; their ids by email key."""
    bulk_insert(session, USERS, [
        {"name": row.name, "email": row.email, "email_normalized": row.key,
         "password_hash": invitations.NO_PASSWORD, "is_admin": False, "created_at": now}
        for row in rows])
    made = _user_ids(session, [row.key for row in rows])
    bulk_insert(session, PROFILES, [
        PROFILE_DEFAULTS | row.profile | {"user_id": made[row.key], "updated_at": now,
                                          "version": 1} for row in rows])
    return made


def _user_ids(session: Session, keys: list[str]) -> dict[str, int]:
    """Account ids by compared email.

    PostgreSQL joins the emails from a temporary table: a long IN list of parameters
    is compared one by one with every row. Elsewhere the emails go CHUNK at a time.
    """
    if on_postgres(session):
        session.execute(text("CREATE TEMPORARY TABLE IF NOT EXISTS import_keys (key text) "
                             "ON COMMIT DROP"))
        session.execute(text("TRUNCATE import_keys"))
        copy_rows(session, "import_keys", ["key"], ([key] for key in keys))
        session.execute(text("ANALYZE import_keys"))
        return dict(session.execute(select(User.email_normalized, User.id).join(
            KEYS, KEYS.c.key == User.email_normalized)).all())
    found: dict[str, int] = {}
    for part in chunks(keys, CHUNK):
        found.update(session.execute(select(User.email_normalized, User.id)
                                     .where(User.email_normalized.in_(part))).all())
    return found


def _stored(session: Session, program: Program, user_ids: list[int]) -> list[Enrolment]:
    """The program's enrolments of these accounts (on PostgreSQL: those of the emails
    ``_user_ids`` just looked up)."""
    if on_postgres(session):
        return list(session.scalars(
            select(Enrolment).join(User, User.id == Enrolment.user_id)
            .join(KEYS, KEYS.c.key == User.email_normalized)
            .where(Enrolment.program_id == program.id)))
    found: list[Enrolment] = []
    for part in chunks(user_ids, CHUNK):
        found += session.scalars(select(Enrolment).where(
            Enrolment.program_id == program.id, Enrolment.user_id.in_(part)))
    return found


def _insert_enrolments(session: Session, program: Program, rows: list[Row],
                       users: dict[str, int], now: datetime) -> None:
    """Insert the enrolments that do not exist yet, with each role's defaults."""
    bulk_insert(session, ENROLMENTS, [
        ENROLMENT_DEFAULTS | ROLE_DEFAULTS[row.role] | row.enrolment
        | {"program_id": program.id, "user_id": users[row.key], "role": row.role,
           "created_at": now, "updated_at": now, "version": 1, "seats_taken": 0}
        for row in rows])
