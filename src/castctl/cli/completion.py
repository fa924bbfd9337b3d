"""Shell completion callbacks: what TAB offers for district, province and trainee values.

typer calls these only while completing (``_CASTCTL_COMPLETE=complete_bash castctl …``), never
on a normal run. Each opens the database named by ``--db`` (or ``$CASTCTL_DB``, or the default)
only if it exists, asks ``castctl.app.completion``, and on any failure offers nothing: a broken
or missing database must never print an error or a traceback into the user's prompt.

The root command's callback does not run while completing, so ``--db`` is read from the parsed
parameters of the root context instead of ``Invocation``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from typing import Any

import typer

Suggestions = list[tuple[str, str]]

_SHELL_SPECIAL = re.compile(r"[\s'\"\\$`&|;<>()\[\]*?!{}#~]")  # what bash would split or expand


def _for_the_shell(value: str) -> str:
    """bash inserts a suggestion as it is: spaces (``Mae Chai``) and other shell characters
    go in backslash-escaped, so the name stays one word. Not quotes: typer keeps only the
    suggestions that begin with the word typed so far. zsh, fish and PowerShell escape
    suggestions themselves; only bash's completion sets ``COMP_WORDS``."""
    if "COMP_WORDS" in os.environ:
        return _SHELL_SPECIAL.sub(r"\\\g<0>", value)
    return value


def _suggest(ctx: typer.Context, incomplete: str, use_case: str, **options: Any) -> Suggestions:
    """``castctl.app.completion.<use_case>(store, incomplete, **options)``, fit for the shell."""
    store = None
    try:
        # The one dispatch point, imported only while completing: every command imports this
        # module (through cli/options.py) and must not pay for the storage modules here.
        from castctl.app import completion

        root = ctx.find_root().params
        store = completion.open_for_completion(root.get("db"))
        if store is None:
            return []
        lookup: Callable[..., Suggestions] = getattr(completion, use_case)
        if use_case != "complete_provinces":  # trainees and pilots belong to an intake
            options["intake"] = root.get("intake")
        return [(_for_the_shell(v), text) for v, text in lookup(store, incomplete, **options)]
    except Exception:  # nothing may reach the prompt: no suggestions instead
        return []
    finally:
        if store is not None:
            store.close()


def complete_pilot_districts(ctx: typer.Context, incomplete: str) -> Suggestions:
    return _suggest(ctx, incomplete, "complete_districts", pilot_only=True)


def complete_provinces(ctx: typer.Context, incomplete: str) -> Suggestions:
    return _suggest(ctx, incomplete, "complete_provinces")


def complete_trainee_ids(ctx: typer.Context, incomplete: str) -> Suggestions:
    return _suggest(ctx, incomplete, "complete_trainee_ids")
