"""Each program's mentee and mentor counts, kept by triggers on ``enrolments``.

They move with every insert, delete (a cascade included) and change of role or program
of an enrolment: a trigger sees the writes the ORM, a bulk import (COPY) and a cascade
make alike, in the writing transaction. On PostgreSQL inserts and deletes are counted
once per statement from its transition table: counted per row, importing 50,000 people
into one program updated its row 50,000 times in one transaction, each update walking
the versions the previous ones left (an import took 91 s instead of 13).
"""

from __future__ import annotations

from sqlalchemy import DDL, event

from mentorship.models.programs import Enrolment

_ROW = ("UPDATE programs SET mentee_count = mentee_count {sign} CASE WHEN {row}.role = "
        "'mentee' THEN 1 ELSE 0 END, mentor_count = mentor_count {sign} CASE WHEN "
        "{row}.role = 'mentor' THEN 1 ELSE 0 END WHERE id = {row}.program_id;")
_ADD_ROW, _REMOVE_ROW = _ROW.format(sign="+", row="NEW"), _ROW.format(sign="-", row="OLD")
_STATEMENT = ("CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
              "BEGIN UPDATE programs SET mentee_count = programs.mentee_count {sign} c.mentees, "
              "mentor_count = programs.mentor_count {sign} c.mentors FROM (SELECT program_id, "
              "count(*) FILTER (WHERE role = 'mentee') AS mentees, "
              "count(*) FILTER (WHERE role = 'mentor') AS mentors "
              "FROM {rows} GROUP BY program_id) AS c WHERE programs.id = c.program_id; "
              "RETURN NULL; END $$")

TRIGGERS = {
    "sqlite": (
        "CREATE TRIGGER enrolments_count_insert AFTER INSERT ON enrolments "
        f"BEGIN {_ADD_ROW} END",
        "CREATE TRIGGER enrolments_count_delete AFTER DELETE ON enrolments "
        f"BEGIN {_REMOVE_ROW} END",
        "CREATE TRIGGER enrolments_count_update AFTER UPDATE OF role, program_id ON enrolments "
        f"BEGIN {_REMOVE_ROW} {_ADD_ROW} END",
    ),
    "postgresql": (
        _STATEMENT.format(name="enrolments_count_added", sign="+", rows="added"),
        _STATEMENT.format(name="enrolments_count_removed", sign="-", rows="removed"),
        "CREATE OR REPLACE FUNCTION enrolments_count_moved() RETURNS trigger "
        f"LANGUAGE plpgsql AS $$ BEGIN {_REMOVE_ROW} {_ADD_ROW} RETURN NULL; END $$",
        "CREATE TRIGGER enrolments_count_insert AFTER INSERT ON enrolments "
        "REFERENCING NEW TABLE AS added FOR EACH STATEMENT "
        "EXECUTE FUNCTION enrolments_count_added()",
        "CREATE TRIGGER enrolments_count_delete AFTER DELETE ON enrolments "
        "REFERENCING OLD TABLE AS removed FOR EACH STATEMENT "
        "EXECUTE FUNCTION enrolments_count_removed()",
        # A changed role or program is rare (the app never makes one): counted per row.
        "CREATE TRIGGER enrolments_count_update AFTER UPDATE OF role, program_id ON enrolments "
        "FOR EACH ROW EXECUTE FUNCTION enrolments_count_moved()",
    ),
}
DROPS = {
    "sqlite": tuple(f"DROP TRIGGER enrolments_count_{op}" for op in ("insert", "delete", "update")),
    "postgresql": (
        *(f"DROP TRIGGER enrolments_count_{op} ON enrolments"
          for op in ("insert", "delete", "update")),
        *(f"DROP FUNCTION enrolments_count_{what}()" for what in ("added", "removed", "moved")),
    ),
}

for _dialect, _statements in TRIGGERS.items():
    for _statement in _statements:
        event.listen(Enrolment.__table__, "after_create",
                     DDL(_statement).execute_if(dialect=_dialect))
