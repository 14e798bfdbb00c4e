"""Hostile: deletes the grading records file named on the grader's command line, then returns a wrong answer.

expect-kata: 59
expect-words: grading records
"""

import os
import sys

for _i, _arg in enumerate(sys.argv):
    if _arg == "--results-json":
        os.unlink(sys.argv[_i + 1])


def crawl(root, get_links, *, max_workers, timeout):
    return {root}
