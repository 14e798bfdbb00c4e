"""A strict reader of the YAML subset ``tools/yamlout.py`` writes, for the workflow tests.

PyYAML is not a dependency, and the workflows are generated, so the tests read them with this small
reader, written apart from the emitter and from the YAML spec's rules for the subset:

- block mappings with simple keys (``runs-on``, ``KATA-54_RESULTS``) or double-quoted keys;
- block sequences, whose items may be mappings (``- name: ...`` and its following keys);
- scalars: double-quoted (JSON escapes), single-quoted, ``|`` / ``|-`` literal blocks, and plain
  ones, read as int, ``true``/``false`` or string;
- whole-line ``#`` comments.

Anything outside it raises ``YamlError`` with the line number, rather than being guessed at:
flow collections, anchors, tags, inline comments, tabs, duplicate keys, empty values, and plain
scalars that YAML 1.1 readers would take for something else (``on``, ``yes``, ``3.12``, ``1e3``).
So a workflow that passes this reader means the same to GitHub's parser and to any other.
"""

from __future__ import annotations

import json
import re
from typing import Any

KEY = re.compile(r'(?P<key>[A-Za-z_][A-Za-z0-9_-]*|"(?:[^"\\]|\\.)*"):(?: (?P<rest>.*)|$)')
INT = re.compile(r"-?(0|[1-9][0-9]*)")
AMBIGUOUS = re.compile(
    r"(?i)(y|yes|n|no|on|off|null|~|[-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9]*)?)([eE][-+]?[0-9]+)?|\.inf|\.nan|0[xob].*|.*:[0-9].*)"
)


class YamlError(ValueError):
    pass


class _Reader:
    def __init__(self, text: str) -> None:
        self.lines = text.split("\n")
        if self.lines and self.lines[-1] == "":
            self.lines.pop()
        self.at = 0

    def fail(self, message: str, line: int | None = None) -> YamlError:
        number = (self.at if line is None else line) + 1
        return YamlError(f"line {number}: {message}")

    def peek(self) -> tuple[int, str] | None:
        """(indent, content) of the next line that is not blank or a comment; None at the end."""
        while self.at < len(self.lines):
            raw = self.lines[self.at]
            if "\t" in raw:
                raise self.fail("tabs are not part of the subset")
            content = raw.lstrip(" ")
            if content and not content.startswith("#"):
                if raw != raw.rstrip():
                    raise self.fail("trailing whitespace")
                return len(raw) - len(content), content
            self.at += 1
        return None

    def document(self) -> Any:
        start = self.peek()
        if start is None or start[0] != 0:
            raise self.fail("the document must start with a mapping at column 0")
        value = self.mapping(0)
        if self.peek() is not None:
            raise self.fail("unexpected indentation")
        return value

    def block(self, indent: int) -> Any:
        _, content = self.peek() or (0, "")
        return self.sequence(indent) if content == "-" or content.startswith("- ") else self.mapping(indent)

    def mapping(self, indent: int, first: str | None = None) -> dict[str, Any]:
        result: dict[str, Any] = {}
        while True:
            if first is None:
                line = self.peek()
                if line is None or line[0] < indent:
                    return result
                if line[0] > indent:
                    raise self.fail("unexpected indentation")
                content = line[1]
            else:
                content, first = first, None
            match = KEY.fullmatch(content)
            if match is None:
                raise self.fail(f"not a `key: value` line: {content!r}")
            key = match["key"]
            key = json.loads(key) if key.startswith('"') else key
            if key in result:
                raise self.fail(f"duplicate key {key!r}")
            self.at += 1
            result[key] = self.value(match["rest"], indent)

    def sequence(self, indent: int) -> list[Any]:
        items: list[Any] = []
        while True:
            line = self.peek()
            if line is None or line[0] < indent:
                return items
            if line[0] > indent or not (line[1] == "-" or line[1].startswith("- ")):
                raise self.fail("expected a `- ` item at this indentation")
            rest = line[1][2:]
            if KEY.fullmatch(rest):
                items.append(self.mapping(indent + 2, first=rest))
            else:
                self.at += 1
                items.append(self.value(rest or None, indent))

    def value(self, rest: str | None, indent: int) -> Any:
        """The value after ``key:`` or ``-`` (``rest`` on the same line, else the nested block)."""
        if rest is None:
            line = self.peek()
            if line is None or line[0] <= indent:
                raise self.fail("empty values are not part of the subset", self.at - 1)
            return self.block(line[0])
        if rest in ("|", "|-"):
            return self.literal(indent, keep_newline=rest == "|")
        return self.scalar(rest)

    def literal(self, indent: int, *, keep_newline: bool) -> str:
        body: list[str] = []
        block_indent = None
        while self.at < len(self.lines):
            raw = self.lines[self.at]
            content = raw.lstrip(" ")
            depth = len(raw) - len(content)
            if content:
                if block_indent is None:
                    if depth <= indent:
                        break
                    block_indent = depth
                elif depth < block_indent:
                    break
            body.append(raw[block_indent:] if content else "")
            self.at += 1
        while body and body[-1] == "":
            body.pop()
        if not body:
            raise self.fail("an empty literal block")
        return "\n".join(body) + ("\n" if keep_newline else "")

    def scalar(self, text: str) -> Any:
        line = self.at - 1
        if text.startswith('"'):
            try:
                return json.loads(text)
            except ValueError as exc:
                raise self.fail(f"bad double-quoted scalar {text!r}: {exc}", line) from None
        if text.startswith("'"):
            if len(text) < 2 or not text.endswith("'") or "'" in text[1:-1].replace("''", ""):
                raise self.fail(f"bad single-quoted scalar {text!r}", line)
            return text[1:-1].replace("''", "'")
        if INT.fullmatch(text):
            return int(text)
        if text[0] in "[]{}>!&*?%@`|,-#:" or " #" in text or ": " in text or text.endswith(":"):
            raise self.fail(f"plain scalar outside the subset: {text!r}", line)
        if text in ("true", "false"):
            return text == "true"
        if AMBIGUOUS.fullmatch(text):
            raise self.fail(f"ambiguous plain scalar {text!r}: quote it", line)
        return text


def loads(text: str) -> Any:
    """The data of a YAML document in the subset; YamlError for anything outside it."""
    return _Reader(text).document()
