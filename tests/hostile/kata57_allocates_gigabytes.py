"""Hostile: allocates memory without end (about 8 GB if nothing stopped it).

expect-kata: 57
expect-words: memory, gb
"""

_HOARD = []


class WorkerPool:
    def __init__(self, workers):
        for _ in range(64):
            _HOARD.append(bytearray(128 * 2**20))
            _HOARD[-1][:: 4096] = b"x" * len(_HOARD[-1][:: 4096])

    def submit(self, fn, /, *args, **kwargs):
        raise NotImplementedError

    def shutdown(self, wait=True):
        pass


class Job:
    pass
