"""``python -m castctl.db.migrations [--db PATH_OR_URL] ALEMBIC-COMMAND …``: alembic's own
command line on castctl's migrations and database, for developers (``revision
--autogenerate``, ``history``, ``current``, ``downgrade``). castctl itself never needs it."""

from __future__ import annotations

import sys

from alembic.config import CommandLine

from castctl.db.location import resolve_location
from castctl.db.migrations import config
from castctl.db.store import open_store


def main(argv: list[str]) -> None:
    location = None
    if len(argv) >= 2 and argv[0] == "--db":
        location, argv = argv[1], argv[2:]
    cli = CommandLine(prog="python -m castctl.db.migrations")
    options = cli.parser.parse_args(argv)
    if not hasattr(options, "cmd"):
        cli.parser.error("too few arguments")
    cli.run_cmd(config(url=open_store(resolve_location(location)).url), options)


if __name__ == "__main__":
    main(sys.argv[1:])
