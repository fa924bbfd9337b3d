"""Reading an intake file (YAML) into the mapping that ``core.intakes.parse_intake`` checks.

Only YAML's safe subset is read (no Python objects). Two things differ from plain
``yaml.safe_load``, both so that mistakes reach the coordinator with their key or line:
- a key given twice in one mapping is an error at its line (PyYAML keeps the last silently);
- a date-shaped value that is no real date (``2024-02-30``) stays text, so ``parse_intake``
  reports it under its key instead of the whole file failing to load.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Mapping
from pathlib import Path
from typing import Any

import yaml

from castctl.errors import InputError


class _IntakeLoader(yaml.SafeLoader):
    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if isinstance(key, Hashable) and key in seen:
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f"the key {key!r} is given twice (first at line {seen[key]})",
                    key_node.start_mark,
                )
            if isinstance(key, Hashable):
                seen[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)


def _timestamp_or_text(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> object:
    try:
        return loader.construct_yaml_timestamp(node)
    except ValueError:
        return loader.construct_scalar(node)


_IntakeLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_or_text)


def read_intake_file(path: Path | str) -> Mapping[Any, Any]:
    """The top-level mapping of the intake file at ``path``; an InputError for a file that
    cannot be read, is not YAML (with its line), or does not hold a mapping."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"cannot read {path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"cannot read {path}: it is a directory, not an intake file") from None
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        # Bytes, not text: PyYAML then reads UTF-8 or UTF-16 by their byte-order mark.
        doc = yaml.load(raw, Loader=_IntakeLoader)  # a SafeLoader: no Python objects
    except yaml.reader.ReaderError:
        raise InputError(f"{path.name} is not UTF-8 text; save it as UTF-8") from None
    except yaml.MarkedYAMLError as exc:
        raise InputError(f"{path.name} is not valid YAML: {_where(exc)}") from None
    except yaml.YAMLError as exc:
        raise InputError(f"{path.name} is not valid YAML: {exc}") from None
    if doc is None:
        raise InputError(f"{path.name} is empty; see data/intake.example.yaml for an intake file")
    if not isinstance(doc, Mapping):
        kind = "a list" if isinstance(doc, list) else "a single value"
        raise InputError(
            f"{path.name} must hold a mapping of keys (name, start, weeks, …), not {kind}"
        )
    return doc


def _where(exc: yaml.MarkedYAMLError) -> str:
    """``line L, column C: problem``, and where the unfinished thing began when that is on
    another line (an unclosed quote is noticed only at the end of the file)."""
    mark = exc.problem_mark or exc.context_mark
    problem = exc.problem or exc.context or "cannot be read"
    if mark is None:
        return problem
    where = f"line {mark.line + 1}, column {mark.column + 1}: {problem}"
    began = exc.context_mark
    if exc.problem and exc.context and began is not None and began.line != mark.line:
        thing = re.sub(r"^while (parsing|scanning) (an? )?", "", exc.context)
        where += f" (in the {_PLAIN.get(thing, thing)} that starts at line {began.line + 1})"
    return where


# PyYAML's names for what was left unfinished, as a coordinator would call them.
_PLAIN = {
    "flow sequence": "[…] list",
    "flow mapping": "{…} mapping",
    "quoted scalar": "quoted text",
    "block mapping": "mapping",
    "block collection": "list",
    "block scalar": "text block",
}
