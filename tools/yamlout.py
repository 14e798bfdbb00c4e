"""Write Python data as YAML, in a small, conservative subset that every YAML reader agrees on.

The workflows under ``.github/workflows`` are generated, not hand-edited, so they come out of this
one emitter.  The subset it writes:

- block mappings and block sequences only (no flow ``[a, b]`` or ``{a: b}``), indented by two;
- keys plain when they are simple words (``runs-on``, ``KATA-54_RESULTS``), otherwise double-quoted;
- strings plain only when they start with a letter or ``$ . / _``, hold no ``: `` / `` #``-style
  indicators and cannot be read as anything but a string (``on``, ``yes``, ``3.12`` are quoted);
  multi-line strings as ``|`` literal blocks; everything else double-quoted with JSON escapes
  (a JSON string is a valid YAML double-quoted scalar);
- integers and booleans as themselves; ``#`` comments only on whole lines.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_PLAIN_VALUE = re.compile(r"[A-Za-z_$./][A-Za-z0-9_$./{}()&|>'\"=,+*@% -]*")
_SPECIAL_WORDS = {"y", "yes", "n", "no", "true", "false", "on", "off", "null", ".inf", ".nan"}


def dumps(data: Mapping[str, Any], *, header: Sequence[str] = ()) -> str:
    """``data`` (a mapping) as YAML text, after ``header`` written as ``#`` comment lines."""
    lines = [f"# {line}".rstrip() for line in header]
    _mapping(data, 0, lines)
    return "\n".join(lines) + "\n"


def scalar(value: Any) -> str:
    """One scalar on one line: plain when that is unambiguous, else double-quoted."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if not isinstance(value, str):
        raise TypeError(f"cannot write {type(value).__name__} {value!r} as a YAML scalar")
    if _PLAIN_VALUE.fullmatch(value) and not value.endswith(" ") and value.lower() not in _SPECIAL_WORDS:
        return value
    return json.dumps(value, ensure_ascii=False)


def _key(key: str) -> str:
    if not isinstance(key, str):
        raise TypeError(f"YAML keys here are strings, not {key!r}")
    return key if _PLAIN_KEY.fullmatch(key) else json.dumps(key, ensure_ascii=False)


def _is_block(value: Any) -> bool:
    return isinstance(value, Mapping | list | tuple)


def _literal(text: str, indent: int, lines: list[str]) -> str:
    """The ``|`` indicator for ``text``; its lines are appended at ``indent``."""
    body = text.removesuffix("\n")
    if body.endswith("\n") or body.startswith(" ") or any(line != line.rstrip() for line in body.split("\n")):
        raise ValueError(f"multi-line string not writable as a clean literal block: {text!r}")
    lines.extend(" " * indent + line if line else "" for line in body.split("\n"))
    return "|" if text.endswith("\n") else "|-"


def _mapping(data: Mapping[str, Any], indent: int, lines: list[str]) -> None:
    if not data:
        raise ValueError("empty mappings are not written (GitHub reads them as null)")
    for key, value in data.items():
        _entry(" " * indent + _key(key) + ":", value, indent + 2, lines)


def _sequence(items: Sequence[Any], indent: int, lines: list[str]) -> None:
    if not items:
        raise ValueError("empty sequences are not written")
    for item in items:
        if isinstance(item, Mapping):
            nested: list[str] = []
            _mapping(item, indent + 2, nested)
            lines.append(" " * indent + "- " + nested[0].lstrip())
            lines.extend(nested[1:])
        elif _is_block(item):
            raise ValueError("a sequence directly inside a sequence is not written")
        else:
            _entry(" " * indent + "-", item, indent + 2, lines)


def _entry(prefix: str, value: Any, indent: int, lines: list[str]) -> None:
    """``prefix`` (``key:`` or ``-``) followed by ``value``, nested blocks at ``indent``."""
    if isinstance(value, Mapping):
        lines.append(prefix)
        _mapping(value, indent, lines)
    elif isinstance(value, list | tuple):
        lines.append(prefix)
        _sequence(value, indent, lines)
    elif isinstance(value, str) and "\n" in value:
        at = len(lines)
        lines.append("")
        lines[at] = f"{prefix} {_literal(value, indent, lines)}"
    else:
        lines.append(f"{prefix} {scalar(value)}")
