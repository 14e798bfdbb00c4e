"""Hostile: replaces asyncio.sleep and asyncio.wait_for with versions that return at once.

expect-kata: 60
expect-words: replaced, asyncio
"""

import asyncio


async def _instant(*args, **kwargs):
    return None


asyncio.sleep = _instant
asyncio.wait_for = _instant


async def crawl(root, get_links, *, limit, timeout):
    return {root}
