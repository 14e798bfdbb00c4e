"""Kata 61 · Porting a threaded server to asyncio (Effective Python, Item 61).

A threaded server is easy to write (one thread per client, blocking reads) but every client costs an
OS thread.  Porting it to asyncio turns each thread into a coroutine on one event loop: blocking
``rfile.readline()`` becomes ``await reader.readuntil(...)``, ``wfile.write`` becomes
``writer.write`` then ``await writer.drain()``, and a ``threading.Lock`` becomes an ``asyncio.Lock``.
The protocol logic hardly changes.  What changes is what may go wrong: a coroutine only lets the
others run at an ``await``, so one blocking call (``time.sleep``, a ``threading.Lock``) stops every
client at once; and a shared value read before an ``await`` may have changed after it.

Below is a complete threaded server for a tiny key-value protocol (``ThreadedStore``,
``ThreadedHandler``, ``serve_threaded``): it works, run it and talk to it with ``nc``.  Port it:
write ``async def start_server(store, host, port)``, which returns a listening ``asyncio.Server``
serving the same protocol on ``store`` (``MemoryStore`` is given, but the grader passes stores of
its own whose ``get`` and ``set`` suspend).  The grader only calls ``start_server`` and
``MemoryStore``; leave the threaded code as it is, or delete it once you are done.

The protocol: UTF-8 lines ending in ``\\n``, one command per line, one reply line per command.

* ``GET <key>`` → ``VALUE <n>`` (``VALUE 0`` for a missing key)
* ``SET <key> <n>`` → ``OK``
* ``INCR <key> [<n>]`` → ``VALUE <new n>``; ``n`` defaults to 1
* ``QUIT`` → ``BYE``, then the server closes the connection
* anything else → ``ERR <reason>``, and the connection stays open
* a line over 1024 bytes (not counting its ``\\n``) → ``ERR line too long``, then the server closes the connection

Task 1 · The protocol on asyncio streams: ``asyncio.start_server`` calls a coroutine for each client
with a ``StreamReader`` and a ``StreamWriter``.  Read a line, answer it (``writer.write`` then
``await writer.drain()``), repeat until the client sends ``QUIT`` or goes away; always close the
writer at the end (``writer.close()``, ``await writer.wait_closed()``).  ``await server.wait_closed()``
after ``server.close()`` must return promptly once the clients have disconnected.

Task 2 · Framing and bad input: TCP carries bytes, not messages.  One ``read()`` may hold half a
command, or three: find the lines yourself in a buffer, or let ``reader.readuntil(b"\\n")`` do it.
Unknown commands (commands are upper-case: ``get a`` is unknown), a wrong number of arguments and
values that are not integers (``x``, ``1.5``) get ``ERR <reason>``, and the client may go on.  A line
longer than 1024 bytes gets ``ERR line too long`` and the connection is closed, even while its
``\\n`` has not arrived yet: never buffer an endless line (a ``StreamReader`` ``limit`` makes
``readuntil`` raise ``LimitOverrunError``).  A client that vanishes mid-line or resets the connection
(``ConnectionResetError``, ``IncompleteReadError``) just ends its own coroutine: the server goes on
serving everyone else.  A client that hangs up (end of file, with or without ``QUIT``) gets its side of
the connection closed too: on 3.12+ ``server.wait_closed()`` waits for every open connection.

Task 3 · Many clients, one store: ``INCR`` reads a value and writes it back, and the store may
suspend in between, so two clients could both read 5 and both write 6.  Hold an ``asyncio.Lock``
across the read and the write (one lock, or one per key); never a ``threading.Lock``, which blocks
the whole loop when a second coroutine waits for it.  No client may hold up another: not one that
stalls mid-line, not one that never reads its replies (don't hold a lock while you wait in
``drain()``), not one that disconnects abruptly (release every lock, even when a write raises).
Never block the event loop (``await asyncio.sleep``, never ``time.sleep``).

Run ``tox -e kata61`` to grade this file.
"""

from __future__ import annotations

import asyncio
import socketserver
import threading
from typing import Protocol

MAX_LINE = 1024
"""The longest line accepted, in bytes, not counting its ``\\n``."""


# ---------------------------------------------------------------------------------------------------
# The threaded server to port: it works as it is.  The grader never calls it.
# ---------------------------------------------------------------------------------------------------


class ThreadedStore:
    """The blocking store of the threaded server: a dict behind a lock (a real one would do network I/O)."""

    def __init__(self) -> None:
        self._values: dict[str, int] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> int | None:
        with self._lock:
            return self._values.get(key)

    def set(self, key: str, value: int) -> None:
        with self._lock:
            self._values[key] = value


class ThreadedHandler(socketserver.StreamRequestHandler):
    """One thread per client: read a line, answer it, until ``QUIT``, EOF or a line that is too long."""

    store: ThreadedStore
    incr_lock: threading.Lock

    def handle(self) -> None:
        try:
            while True:
                raw = self.rfile.readline(MAX_LINE + 1)  # blocks this thread only
                if len(raw) > MAX_LINE and not raw.endswith(b"\n"):
                    self.send("ERR line too long")
                    return
                if not raw.endswith(b"\n"):
                    return  # EOF (maybe mid-line): the client has gone
                reply = self.respond(raw[:-1].decode("utf-8", errors="replace"))
                self.send(reply)
                if reply == "BYE":
                    return
        except ConnectionError:
            return  # the client reset the connection

    def send(self, reply: str) -> None:
        self.wfile.write(reply.encode() + b"\n")

    def respond(self, line: str) -> str:
        words = line.split()
        if not words:
            return "ERR empty line"
        command, args = words[0], words[1:]
        try:
            if command == "GET" and len(args) == 1:
                value = self.store.get(args[0])
                return f"VALUE {0 if value is None else value}"
            if command == "SET" and len(args) == 2:
                self.store.set(args[0], int(args[1]))
                return "OK"
            if command == "INCR" and len(args) in (1, 2):
                by = int(args[1]) if len(args) == 2 else 1
                with self.incr_lock:  # the read and the write as one step
                    value = self.store.get(args[0]) or 0
                    self.store.set(args[0], value + by)
                return f"VALUE {value + by}"
            if command == "QUIT" and not args:
                return "BYE"
        except ValueError:
            return "ERR not an integer"
        if command in ("GET", "SET", "INCR", "QUIT"):
            return f"ERR wrong number of arguments for {command}"
        return f"ERR unknown command {command!r}"


def serve_threaded(store: ThreadedStore, host: str = "127.0.0.1", port: int = 0) -> socketserver.ThreadingTCPServer:
    """A listening threaded server for ``store``: call ``serve_forever()`` to run it, ``shutdown()`` to stop it.

    Its address is ``server.server_address``.  Try it::

        server = serve_threaded(ThreadedStore(), port=8061)
        server.serve_forever()        # then, in a shell: nc 127.0.0.1 8061
    """
    handler = type("BoundHandler", (ThreadedHandler,), {"store": store, "incr_lock": threading.Lock()})
    server = socketserver.ThreadingTCPServer((host, port), handler)
    server.daemon_threads = True
    return server


# ---------------------------------------------------------------------------------------------------
# The port: Store and MemoryStore are given; write start_server.
# ---------------------------------------------------------------------------------------------------


class Store(Protocol):
    """What ``start_server`` needs of a store: ``MemoryStore``, or any object with these two coroutines."""

    async def get(self, key: str) -> int | None: ...

    async def set(self, key: str, value: int) -> None: ...


class MemoryStore:
    """An asyncio store kept in a dict.  A real one would ``await`` the network in ``get`` and ``set``."""

    def __init__(self) -> None:
        self._values: dict[str, int] = {}

    async def get(self, key: str) -> int | None:
        """The value of ``key``, or ``None`` when it has none."""
        return self._values.get(key)

    async def set(self, key: str, value: int) -> None:
        """Give ``key`` the value ``value``."""
        self._values[key] = value


async def start_server(store: Store, host: str = "127.0.0.1", port: int = 0) -> asyncio.Server:
    """A listening ``asyncio.Server`` serving the protocol on ``store``; ``port=0`` picks a free port.

    ``store`` is any object with ``async def get(key)`` and ``async def set(key, value)``, which may
    suspend.  The caller
    finds the port in ``server.sockets[0].getsockname()`` and stops the server with ``server.close()``
    then ``await server.wait_closed()``.
    """
    # TODO: asyncio.start_server(handle_client, host, port, limit=...) with a coroutine per client that
    #       frames lines, answers each one as ThreadedHandler.respond does (but awaiting the store), and
    #       holds an asyncio.Lock across INCR's get and set.
    raise NotImplementedError
