"""Writing output files atomically: readers see the old file or the new one, never half.

One writer for every file castctl writes (digests, placements, dataset exports): a private
temporary file beside the target, flushed to disk, then renamed over it. Also the checks that
come before a file is read or written.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from castctl.errors import CastError, InputError


def check_readable(path: Path) -> None:
    """Refuse, naming it, an input path where there is no file to read."""
    if not path.exists():
        raise InputError(f"{path} does not exist")
    if path.is_dir():
        raise InputError(f"{path} is a directory, not a file")


def check_writable(path: Path) -> None:
    """Refuse, before any work is done, a target that cannot become a file: a directory, or a
    file in a directory that does not exist."""
    if path.is_dir():
        raise CastError(f"{path} is a directory; give a file name")
    if not path.parent.is_dir():
        raise CastError(f"cannot write {path}: the directory {path.parent} does not exist")


@contextlib.contextmanager
def atomic_file(path: Path, *, mode: int = 0o600) -> Iterator[BinaryIO]:
    """A binary file to write ``path`` through: a temporary file beside it, made ``mode``
    (0600 by default: exports and digests name trainees) before the first byte, flushed to
    disk and renamed over ``path`` when the block ends (``os.replace`` is atomic on one file
    system). An exception in the block removes the temporary file and leaves ``path`` as it
    was."""
    check_writable(path)
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise CastError(f"cannot write {path}: {exc.strerror}") from None
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise CastError(f"cannot write {path}: {exc.strerror or exc}") from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_atomic(path: Path, data: bytes, *, mode: int = 0o600) -> None:
    """Write ``data`` to ``path`` atomically (see ``atomic_file``)."""
    with atomic_file(path, mode=mode) as fh:
        fh.write(data)


def same_file(a: Path, b: Path) -> bool:
    """Whether two paths name one file (also through links); False when either is unreadable."""
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and a.samefile(b))
    except OSError:
        return False


def timestamped_path(path: Path, label: str) -> Path:
    """``castctl.db`` -> ``castctl.<label>-20240501T120000Z.db`` beside it, a name not yet
    taken (UTC, so names sort in time order whatever the machine's zone)."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    for n in range(1000):
        extra = f"-{n}" if n else ""
        candidate = path.with_name(f"{path.stem}.{label}-{stamp}{extra}{path.suffix or '.db'}")
        if not candidate.exists():
            return candidate
    raise CastError(f"cannot find a free backup file name beside {path}")
