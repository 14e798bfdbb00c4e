"""Hostile: at import, rewrites the next kata's grader to one that always passes, and plants pytest files.

Graded only in a copy of the project (tests/test_hostile_tree.py): it really edits the files it names.

expect-kata: 58
expect-words: changed files, graders/test_kata59_thread_pool.py, graders/pytest.ini, conftest.py
"""

import os
from pathlib import Path

_ROOT = Path(os.getcwd())
_ALWAYS_PASSES = "def test_everything_is_fine():\n    pass\n"
(_ROOT / "graders" / "test_kata59_thread_pool.py").write_text(_ALWAYS_PASSES)
(_ROOT / "graders" / "pytest.ini").write_text("[pytest]\naddopts = -p no:terminal\n")
(_ROOT / "conftest.py").write_text("def pytest_collection_modifyitems(items):\n    items.clear()\n")


def crawl(root, get_links, *, workers):
    raise NotImplementedError
