"""The Markdown board (--markdown, the GitHub Actions job summary), rendered from the results document."""

from __future__ import annotations

from tests import fakes
from tools import document, markdown


def build(*results, layer=1):
    return document.build([document.kata_entry(r, hint_layer=layer) for r in results], jobs=2, duration=3.0)


def test_the_markdown_board_has_the_table_the_failure_the_hints_and_the_next_kata():
    text = markdown.render(build(fakes.result(54, "pp"), fakes.result(55, "pf", message="ran | away"), layer=3))
    assert "| ✅ | 54 · Locks against data races | 2/2 | 10/10 | 1.5 s |" in text
    assert "| ❌ | 55 · A pipeline of threads and queues | 1/2 | 0/10 | 1.5 s |" in text
    assert "```text\nran | away\n```" in text
    assert "- **55**, task 2 · backpressure, hint 1/3: queue.Queue() without a maxsize" in text
    assert "hint 3/3: <https://docs.python.org/3/library/queue.html#queue.Queue.put>" in text
    assert text.rstrip().endswith("Edit `katas/kata55_queue.py` and run `tox -e kata55`.")
