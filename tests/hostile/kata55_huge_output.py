"""Hostile: prints without end, to fill the disk with its output.

expect-kata: 55
expect-words: file too large
"""

import sys


def run_pipeline(items, stages, *, maxsize):
    line = "spam " * 2000 + "\n"
    while True:
        sys.stdout.write(line)
        sys.stderr.write(line)
