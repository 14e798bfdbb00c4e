"""Kata 55 · A pipeline of threads and queues (Effective Python, Item 55).

A pipeline splits work into stages, each running in its own thread, with a ``queue.Queue`` handing
items from one stage to the next.  The queue does the coordinating for you: ``get()`` blocks until
there is an item, so an idle thread sleeps instead of spinning on ``empty()``; ``Queue(maxsize)``
makes ``put()`` block when the next stage falls behind, so a fast producer cannot pile up work; and
a sentinel object put after the last item tells each stage that the stream has ended.  What the
queue does not do for you is stop: when one stage fails, the threads before it are left blocked on
a full queue and the ones after it on an empty one, unless you unblock them.

Write ``run_pipeline(items, stages, maxsize=...)``: pass every item through ``stages[0]``, then
``stages[1]``, and so on, and return what the last stage produced.

Task 1 · A pipeline of stages: start a producer thread that reads ``items`` lazily (one at a time,
as the first queue has room) and one thread per stage; connect consecutive threads with queues.  A
stage thread takes an item from its input queue, calls its stage on it and puts the result on its
output queue.  Return the last stage's outputs in the order of ``items``.  End the stream with a
sentinel that travels from stage to stage: make it a private ``object()``, because ``None`` is an
ordinary item.  With no stages, return ``list(items)``.  A thread with nothing to do must block in
``get``/``put``, never poll with ``get_nowait()`` or ``empty()`` in a loop.

Task 2 · Backpressure: create every queue with ``queue.Queue(maxsize)`` (``maxsize >= 1``).  When
the last stage stalls, the queues fill up and the producer stops reading ``items``: it is never
more than ``(len(stages) + 1) * (maxsize + 1)`` items ahead of what the last stage has taken
(every queue full, plus one item in each thread's hands).  ``items`` may be endless.

Task 3 · Stopping on an error: if a stage raises, or iterating ``items`` raises, stop everything:
the producer reads no further items, and no thread stays blocked on a full or an empty queue.
Then re-raise that exception, the original object.  Whether ``run_pipeline`` returns or raises,
every thread it started has finished by then.

Run ``tox -e kata55`` to grade this file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")


def run_pipeline(items: Iterable[T], stages: Sequence[Callable[[Any], Any]], *, maxsize: int) -> list[Any]:
    """Pass each item through every stage in turn, one thread per stage; the last stage's outputs in order.

    Raises:
        Exception: the exception a stage (or iterating ``items``) raised, once every thread has finished.
    """
    # TODO: queues of maxsize between a producer thread and the stage threads, a private sentinel to end
    # the stream, and a way to unblock every thread when something raises.
    raise NotImplementedError
