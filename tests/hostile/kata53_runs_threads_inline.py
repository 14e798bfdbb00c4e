"""Hostile: a correct-looking fetch_all, but Thread.start patched to run the target inline, one at a time.

expect-kata: 53
expect-words: replaced, threading.thread.start
"""

import threading

threading.Thread.start = lambda self: self.run()


def fetch_all(urls, fetch, *, timeout):
    results = [None] * len(urls)

    def one(i, url):
        results[i] = fetch(url)

    threads = [threading.Thread(target=one, args=(i, u)) for i, u in enumerate(urls)]
    for t in threads:
        t.start()
    return results
