"""``castctl demo``: fill an intake with a synthetic cohort and place it."""

from typing import Annotated

import typer

from castctl.cli.context import current_intake, open_store
from castctl.cli.output import message


def demo(
    trainees: Annotated[
        int, typer.Option("--trainees", min=1, max=50_000, help="How many trainees to make.")
    ] = 300,
    seed: Annotated[
        int, typer.Option("--seed", help="Random seed (same seed, same cohort).")
    ] = 2566,
    reports: Annotated[
        bool,
        typer.Option("--reports/--no-reports", help="Also make weekly reports for ended weeks."),
    ] = True,
) -> None:
    """Fill the intake with a plausible synthetic cohort, place it, and add reports.

    Trainee ids start with DEMO-; running it again with the same options changes nothing. It
    refuses to touch an intake that holds real (non-demo) trainees; other intakes are left
    alone. Reports are made for the intake's weeks that have ended.
    """
    from castctl.app.demo import fill_demo

    intake = current_intake()
    filled = fill_demo(open_store(), intake, trainees, seed, reports)
    message(
        f"demo cohort of intake {intake.name}: {filled.trainees}; "
        f"{filled.target_districts} target districts; "
        f"{filled.placed} trainees placed or moved; {filled.reports_added} weekly reports added. "
        "Try: castctl assignments, castctl progress, castctl summary weekly"
    )
