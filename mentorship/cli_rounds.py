"""The ``match-round`` command: a program's matching round from the terminal.

A thin wrapper over the rounds services, loaded only when it runs (see ``cli.LazyCommand``).
Big programs are matched here rather than in a request: the progress bar follows the
run's phases, and ``--publish`` publishes in the same invocation.
"""

from __future__ import annotations

import time
from pathlib import Path

import click
from flask.cli import with_appcontext

from mentorship.db import get_session
from mentorship.models import MatchRound, Program, RoundStatus
from mentorship.services import matches, round_edits, round_publish, round_report, round_runs, rounds
from mentorship.services.errors import Conflict, FieldErrors


@click.command("match-round")
@click.argument("program_id", type=click.IntRange(1, 2**31 - 1))
@click.option("--objective", type=click.Choice(["score", "coverage"]), default="score",
              show_default=True, help="Best total score, or most people matched first.")
@click.option("--min-score", type=click.FloatRange(0, 1), default=None,
              help="Pairs scoring below it (0 to 1) are never made.")
@click.option("--equity", type=click.FloatRange(0, 1), default=0.0, show_default=True,
              help="0 to 1: a fairer chance for mentees whose options are all weak.")
@click.option("--group-by", type=click.Choice([key for key, _ in round_report.GROUPINGS]),
              default="language", show_default=True, help="Groups of the fairness report.")
@click.option("--publish", is_flag=True, help="Publish the draft at once if it holds.")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the draft's proposals to this CSV file.")
@with_appcontext
def match_round_command(program_id: int, objective: str, min_score: float | None,
                        equity: float, group_by: str, publish: bool,
                        csv_path: Path | None) -> None:
    """Run a matching round of PROGRAM_ID into a draft and print its report."""
    session = get_session()
    program = session.get(Program, program_id)
    if program is None:
        raise click.ClickException(f"No program has the id {program_id}.")
    settings = {"objective": objective, "min_score": min_score, "equity": equity,
                "group_by": group_by}
    try:
        started = rounds.start_round(session, program, settings, None)
    except FieldErrors as exc:
        raise click.ClickException("; ".join(f"{k}: {v}" for k, v in exc.fields.items())) from None
    except Conflict as exc:
        raise click.ClickException(str(exc)) from None
    session.commit()
    began = time.perf_counter()
    with click.progressbar(length=len(round_runs.PHASES), label=f"Round {started.id}",
                           item_show_func=lambda phase: phase) as bar:
        round_ = round_runs.run_round(session, started.id, matches.MatcherCache(),
                                      lambda phase: bar.update(1, phase))
    took = time.perf_counter() - began
    if round_.status != RoundStatus.DRAFT:
        raise click.ClickException(f"Round {round_.id} failed: {round_.error}")
    click.echo(describe(round_))
    click.echo(f"The run took {took:.1f} s.")
    if csv_path is not None:
        with csv_path.open("w", encoding="utf-8", newline="") as out:
            out.writelines(round_edits.proposals_csv(session, round_))
        click.echo(f"Proposals written to {csv_path}.")
    if publish:
        try:
            made = round_publish.publish(session, round_)
        except Conflict as exc:
            session.rollback()
            raise click.ClickException(str(exc)) from None
        session.commit()
        click.echo(f"Published: {len(made)} pairings created and notified.")
    else:
        click.echo(f"Draft saved as round {round_.id}; publish it on its admin page or with "
                   "the API.")


def describe(round_: MatchRound) -> str:
    """The report as a few lines of text."""
    r = round_.report

    def num(x: float | None) -> str:
        return "—" if x is None else f"{x:.2f}"
    lines = [f"Matched {r['matched']} of {r['mentees']} mentees ({r['coverage']:.0%}); "
             f"{r['pinned']} pinned; optimal: {'yes' if r['certified'] else 'not proven'}",
             f"Scores: mean {num(r['mean_score'])}, minimum {num(r['min_score'])}, "
             f"lowest tenth below {num(r['p10_score'])}",
             f"Mentors: {r['mentors_used']} of {r['mentors']} with a seat get mentees; "
             f"seats filled per mentor: mean {r['load_mean']:.0%}, Gini {r['load_gini']:.2f}",
             f"Coverage by {r['group_by']}:"]
    lines += [f"  {g['label']}: {g['matched']} of {g['mentees']} ({g['coverage']:.0%})"
              + ("  below 80% of the best group" if g["warning"] else "") for g in r["groups"]]
    lines += [f"Not matched, {why.replace('_', ' ')}: {n}" for why, n in r["why_counts"].items()]
    lines.append("Seconds by phase: " + ", ".join(f"{name} {s:.2f}" for name, s in r["seconds"].items()))
    return "\n".join(lines)
