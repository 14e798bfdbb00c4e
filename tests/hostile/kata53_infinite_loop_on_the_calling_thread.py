"""Hostile: spins forever on the thread that calls it.

expect-kata: 53
expect-words: did not return, stuck
"""


def fetch_all(urls, fetch, *, timeout):
    while True:
        pass
