"""Hostile: a pool task raises SystemExit(0), which future.result() carries back into the claim.

expect-kata: 59
expect-words: systemexit
"""

from concurrent.futures import ThreadPoolExecutor


def _leave():
    raise SystemExit(0)


def crawl(root, get_links, *, max_workers, timeout):
    with ThreadPoolExecutor(max_workers) as pool:
        pool.submit(_leave).result()
    return {root}
