"""CSV files as spreadsheets write and read them: encodings, separators and formulas.

Reading takes what Excel, LibreOffice and Google Sheets save: UTF-8 with or without a
byte-order mark, or Windows-1252 (Excel's "CSV" on Western Windows), separated by
commas, semicolons (Excel where the decimal mark is a comma) or tabs.

Writing neutralises formulas: a spreadsheet runs a cell starting with ``=``, ``+``,
``-`` or ``@`` (and tab or carriage return, which some strip first) as a formula, so
such a cell gets a leading ``'``, which spreadsheets show as text and hide. Reading
removes that ``'`` again, so an export can be imported unchanged.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from mentorship.services.errors import NotFound

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
SEPARATORS = {",": "comma", ";": "semicolon", "\t": "tab"}
ENCODINGS = (("utf-8-sig", "UTF-8 with byte-order mark"), ("utf-8", "UTF-8"),
             ("cp1252", "Windows-1252"))
UNDECODABLE = ("The file is not text in UTF-8 or Windows-1252. Save it from your spreadsheet "
               "as “CSV UTF-8 (comma delimited)” and upload it again.")
NOT_TEXT = "The file holds binary data, not CSV text: save it as CSV from your spreadsheet."
STAGED_LIFETIME = 24 * 3600  # seconds an uploaded file waits for its confirmation
DIGEST = re.compile(r"[0-9a-f]{64}")
EMPTY = "The file is empty: it needs a header row naming the columns."


class CsvProblem(ValueError):
    """A file that cannot be read as CSV at all (the message says why and what to do)."""


@dataclass(frozen=True)
class CsvText:
    """A decoded file: its text, the encoding used and the separator found."""

    text: str
    encoding: str
    separator: str

    @property
    def separator_name(self) -> str:
        """How the report names the separator ("comma", "semicolon", "tab")."""
        return SEPARATORS[self.separator]

    def records(self) -> Iterator[list[str]]:
        """Every record, the header first; quoted cells may span lines."""
        return csv.reader(io.StringIO(self.text, newline=""), delimiter=self.separator,
                          strict=False)


def decode(data: bytes) -> CsvText:
    """The file's text, trying UTF-8 (with or without BOM) then Windows-1252."""
    if b"\x00" in data:
        raise CsvProblem(NOT_TEXT)
    for codec, name in ENCODINGS:
        if codec == "utf-8-sig" and not data.startswith(b"\xef\xbb\xbf"):
            continue
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        if not text.strip():
            raise CsvProblem(EMPTY)
        return CsvText(text, name, sniff_separator(text))
    raise CsvProblem(UNDECODABLE)


def sniff_separator(text: str) -> str:
    """The separator of the header row: whichever of comma, semicolon and tab it has most of.

    The header names columns with plain words, so it holds separators and nothing else
    that looks like one; a one-column file reads as comma-separated.
    """
    header = text.lstrip("\ufeff").split("\n", 1)[0]
    counts = {sep: header.count(sep) for sep in SEPARATORS}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def looks_like_formula(value: str) -> bool:
    """Whether a spreadsheet would run ``value`` as a formula."""
    return value.startswith(FORMULA_STARTS)


def unquote_formula(value: str) -> str:
    """Remove the ``'`` an export put before a formula-looking cell."""
    if value.startswith("'") and looks_like_formula(value[1:]):
        return value[1:]
    return value


def neutralise(value: object) -> str:
    """A cell as text a spreadsheet shows and never runs."""
    text = "" if value is None else str(value)
    return "'" + text if looks_like_formula(text) else text


def write_rows(rows: Iterable[Iterable[object]]) -> Iterator[str]:
    """CSV text, one line per row as it is made (for streaming), every cell neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


def stage(directory: Path, data: bytes) -> str:
    """Keep an uploaded file until it is confirmed; its SHA-256 names it.

    Files older than a day (never confirmed) are removed on the way.
    """
    directory.mkdir(parents=True, exist_ok=True)
    for old in directory.glob("*.csv"):
        if old.stat().st_mtime < time.time() - STAGED_LIFETIME:
            old.unlink(missing_ok=True)
    digest = hashlib.sha256(data).hexdigest()
    (directory / f"{digest}.csv").write_bytes(data)
    return digest


def staged(directory: Path, digest: str) -> bytes:
    """The staged file named ``digest``; NotFound if there is none (or it expired)."""
    path = directory / f"{digest}.csv"
    if not DIGEST.fullmatch(digest) or not path.is_file():
        raise NotFound("import")
    return path.read_bytes()


def unstage(directory: Path, digest: str) -> None:
    """Remove a staged file once it is imported."""
    if DIGEST.fullmatch(digest):
        (directory / f"{digest}.csv").unlink(missing_ok=True)
