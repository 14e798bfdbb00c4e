"""Hostile: a coroutine that computes forever without ever awaiting, so the event loop never runs again.

expect-kata: 60
expect-words: did not return, stuck
"""


async def crawl(root, get_links, *, limit, timeout):
    while True:
        pass
