"""Hostile: opens files until the system says no, and keeps them open.

expect-kata: 58
expect-words: oserror
"""

import os

_OPEN = []


def crawl(root, get_links, *, workers):
    for _ in range(100_000):
        _OPEN.append(os.open(os.devnull, os.O_RDONLY))
    return {root}
