"""Hostile: its worker threads raise KeyboardInterrupt and BaseException instead of crawling.

expect-kata: 56
expect-words: crawl
"""

import threading


def _explode(kind):
    raise kind("from a worker thread")


def crawl(root, get_links, *, max_depth):
    threads = [threading.Thread(target=_explode, args=(k,)) for k in (KeyboardInterrupt, BaseException, SystemExit)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {}


def wait_fraction(func, *args):
    threading.Thread(target=_explode, args=(KeyboardInterrupt,)).start()
    return 0.5
