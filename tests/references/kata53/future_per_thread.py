"""Kata 53 reference — style: one Thread per URL completes a concurrent.futures.Future; wait on all of them."""

from __future__ import annotations

import concurrent.futures as cf
import threading
import time
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")


def _complete(future: cf.Future, fetch, url) -> None:
    if not future.set_running_or_notify_cancel():
        return
    try:
        value = fetch(url)
    except Exception as exc:
        future.set_exception(exc)
    else:
        future.set_result(value)


def fetch_all(urls: Sequence[str], fetch: Callable[[str], T], *, timeout: float) -> list[T]:
    t0 = time.monotonic()
    futures = [cf.Future() for _ in urls]
    for future, url in zip(futures, urls, strict=False):
        threading.Thread(target=_complete, args=(future, fetch, url), daemon=True).start()
    _done, not_done = cf.wait(futures, timeout=max(0.0, timeout - (time.monotonic() - t0)))
    if not_done:
        raise TimeoutError(f"{len(not_done)} of {len(futures)} fetches still running")
    for future in futures:
        exc = future.exception()
        if exc is not None:
            raise exc
    return [future.result() for future in futures]
