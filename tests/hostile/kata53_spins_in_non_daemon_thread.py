"""Hostile: every call starts a non-daemon thread that spins forever, and never returns.

expect-kata: 53
expect-words: did not return
"""

import threading


def fetch_all(urls, fetch, *, timeout):
    def spin() -> None:
        while True:
            pass

    worker = threading.Thread(target=spin)
    worker.start()
    worker.join()
    return []
