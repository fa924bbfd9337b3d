"""Reports store which codes they mention as three integers, so progress can SUM them.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02

``report`` gains ``coverage_0``, ``coverage_1`` and ``coverage_2`` (see
``castctl.core.progress.coverage_words``): a field of 6 bits per mechanism, network and SDG.
Summed over one trainee's reports they count the reports mentioning each code, which lets
``progress`` aggregate coverage with SQL's ``SUM`` instead of joining and scanning every report's
text, and the index ``ix_report_coverage`` covers those sums (together twice as fast on 220,000
reports). The existing reports get their words computed from their stored lists by one UPDATE
in plain SQL (so ``--sql`` scripts compute them too), then the index is built, all in the
migration's one transaction.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from castctl.core.progress import COVERAGE_COLUMNS, COVERAGE_WORDS, coverage_field

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def _word_sql(word: str) -> str:
    """SQL computing ``word`` of a report from its stored lists, as ``coverage_words`` does:
    plain SQL (LIKE, CASE, +) that both backends run, online or as an offline script."""
    terms = []
    for index, (kind, code, _name) in enumerate(COVERAGE_COLUMNS):
        column, shift = coverage_field(index)
        if column == word:
            pattern = code.replace("_", "\\_")  # "_" would match any one character
            terms.append(
                f"CASE WHEN (';' || {kind} || ';') LIKE '%;{pattern};%' ESCAPE '\\' "
                f"THEN {1 << shift} ELSE 0 END"
            )
    return " + ".join(terms)


def upgrade() -> None:
    for name in COVERAGE_WORDS:
        op.add_column(
            "report", sa.Column(name, sa.BigInteger(), server_default="0", nullable=False)
        )
    words = ", ".join(f"{word} = {_word_sql(word)}" for word in COVERAGE_WORDS)
    op.execute(f"UPDATE report SET {words}")
    op.create_index(
        "ix_report_coverage", "report", ["intake", "trainee_id", "week", *COVERAGE_WORDS]
    )


def downgrade() -> None:
    op.drop_index("ix_report_coverage", table_name="report")
    with op.batch_alter_table("report") as batch:
        for name in reversed(COVERAGE_WORDS):
            batch.drop_column(name)
