"""Reading a participants CSV file into rows and a report of its problems.

Every cell is cleaned by the same field specifications as the forms and the API, each
distinct cell once per file; the report names the row, the column and the message of
every problem (see ``imports`` for what a file may hold and how it is written).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from mentorship.models import Role
from mentorship.services import csv_files
from mentorship.services.fields import normalize_email
from mentorship.services.specs import ACCOUNT, MENTEE, MENTOR, PROFILE

MAX_ROWS = 50_000
MAX_LISTED = 500  # problems of each kind kept for the report; the rest are counted
REQUIRED = ("name", "email", "role")
ROLE_COLUMNS = {Role.MENTEE: MENTEE.names, Role.MENTOR: MENTOR.names}
KNOWN = (*REQUIRED, *PROFILE.names, *MENTEE.names, *MENTOR.names)
WARN_FORMULA = ("=", "+", "-", "@")
FLAGGED = frozenset("'=+-@\t\r")  # first characters worth a closer look (not "")
Progress = Callable[[int], None]
FIELDS = {f.name: f for spec in (ACCOUNT, PROFILE, MENTEE, MENTOR) for f in spec.fields}
UNIQUE = frozenset({"name", "email"})  # never worth caching


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
