"""How a use case lets its caller show that a long step is running, without knowing how.

The command line passes its spinner (``castctl.cli.output.working``); tests and other callers
pass nothing and the step runs quietly.
"""

from __future__ import annotations

import contextlib
from contextlib import AbstractContextManager
from typing import Protocol


class Working(Protocol):
    def __call__(self, label: str, *, size: int) -> AbstractContextManager[None]:
        """Wrap a step of ``size`` items described by ``label``."""
        ...


def quietly(label: str, *, size: int) -> AbstractContextManager[None]:
    """The step runs with nothing shown."""
    return contextlib.nullcontext()
