"""The board as Markdown (``--markdown OUT``, and the job summary under GitHub Actions), from the results document.

The table of katas and the first failing claim of each failing kata are :mod:`tools.board_markdown`'s, the
board the Classroom and CI workflows put in their job summaries, so every Markdown board looks the same; this
adds what a learner's own board has besides: the hints revealed, the katas not built yet, and the next kata.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from tools import board_markdown


def render(document: dict[str, Any]) -> str:
    """The Markdown board of a results document (see :mod:`tools.document`)."""
    lines = [board_markdown.render(document["katas"]).rstrip("\n")]
    hinted = [k for k in document["katas"] if k.get("hint")]
    if hinted:
        lines += ["", "### Hints", ""]
        for entry in hinted:
            hint = entry["hint"]
            task = f"task {hint['task']}" + (f" · {hint['task_title']}" if hint["task_title"] else "")
            for shown in hint["shown"]:
                text = f"<{shown['text']}>" if shown["kind"] == "docs" else _inline(shown["text"])
                lines.append(f"- **{entry['number']}**, {task}, hint {shown['layer']}/{hint['layers']}: {text}")
    if document["not_built"]:
        lines += ["", f"Not built yet: {', '.join(str(n) for n in document['not_built'])}."]
    step = document["next"]
    if step is not None:
        lines += [
            "",
            f"**Next kata:** {step['number']} · {_inline(step['title'])}. "
            f"Edit `{step['file']}` and run `{step['command']}`.",
        ]
    return "\n".join(lines) + "\n"


def write(document: dict[str, Any], target: str) -> None:
    """Write the Markdown board to a file, or to stdout for ``-``."""
    if target == "-":
        sys.stdout.write(render(document))
        sys.stdout.flush()
    else:
        Path(target).write_text(render(document), encoding="utf-8")


def _inline(text: str) -> str:
    """Text safe in a Markdown line: no stray HTML, and backticked code stays code."""
    return text.replace("<", "&lt;").replace(">", "&gt;")
