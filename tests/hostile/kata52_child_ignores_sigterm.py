"""Hostile: starts a child that ignores SIGTERM and leaves the grading session (setsid), then never waits.

expect-kata: 52
expect-words: not implemented
"""

import subprocess
import sys

_CHILD = "import os, signal, time; os.setsid(); signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(3600)"
subprocess.Popen([sys.executable, "-c", _CHILD])


def run(args, *, input=None, timeout):
    raise NotImplementedError


def run_all(commands, *, timeout):
    raise NotImplementedError


def pipeline(commands, data, *, timeout):
    raise NotImplementedError
