"""Hostile: kills its own grading process with SIGKILL the first time a pool is made.

expect-kata: 57
expect-words: ended early
"""

import os
import signal


class Job:
    def result(self, timeout=None):
        return None

    def done(self):
        return True


class WorkerPool:
    def __init__(self, workers):
        os.kill(os.getpid(), signal.SIGKILL)
