"""The one family of user-facing errors.

The core raises these; the CLI turns them into ``Error: …`` on stderr and the exit code, in
exactly one place (``castctl.cli.main``). Messages must never carry personal data (names,
emails): name trainees by their id only.
"""

from __future__ import annotations


class CastError(Exception):
    """A mistake the user can fix: bad input, unknown name, unreadable database."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InputError(CastError):
    """A file or option value that does not pass validation.

    ``problems`` holds every problem found (``row N, column C: …``), so the user sees them all
    at once instead of fixing one per run.
    """

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


class OptionRangeError(CastError):
    """An option value outside its documented range, when the range depends on the data (a
    ``--week`` beyond the intake's weeks): a usage error, exit 2, shown as click shows one
    (``Error: Invalid value for '--week': …``) by the CLI's one error handler."""

    exit_code = 2

    def __init__(self, option: str, message: str) -> None:
        super().__init__(message)
        self.option = option


class NotFoundError(CastError):
    """A district, province, trainee or week that does not exist."""


class DatabaseError(CastError):
    """The database cannot be opened, read or written."""


class InfeasibleError(CastError):
    """No placement satisfies the constraints; the message says why."""

    exit_code = 3
