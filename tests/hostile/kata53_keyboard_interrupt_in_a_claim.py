"""Hostile: raises KeyboardInterrupt from the learner's function, as if Ctrl-C had been pressed.

expect-kata: 53
expect-words: keyboardinterrupt
"""


def fetch_all(urls, fetch, *, timeout):
    raise KeyboardInterrupt
