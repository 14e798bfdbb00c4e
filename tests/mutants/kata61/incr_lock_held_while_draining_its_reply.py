"""Takes the INCR lock for the store's read and write but releases it only after the reply's drain(), so a client that never reads its INCR replies keeps the lock and every other INCR waits.

expect-fail: test_a_client_that_never_reads_delays_no_one_else
expect-words: never read, drain
"""
from __future__ import annotations

import asyncio
from typing import Protocol

MAX_LINE = 1024


class Store(Protocol):
    async def get(self, key: str) -> int | None: ...
    async def set(self, key: str, value: int) -> None: ...


class MemoryStore:
    def __init__(self) -> None:
        self._values: dict[str, int] = {}

    async def get(self, key: str) -> int | None:
        return self._values.get(key)

    async def set(self, key: str, value: int) -> None:
        self._values[key] = value


async def _respond(store, lock: asyncio.Lock, line: str) -> str:
    words = line.split()
    if not words:
        return "ERR empty line"
    command, args = words[0], words[1:]
    try:
        if command == "GET" and len(args) == 1:
            value = await store.get(args[0])
            return f"VALUE {0 if value is None else value}"
        if command == "SET" and len(args) == 2:
            await store.set(args[0], int(args[1]))
            return "OK"
        if command == "INCR" and len(args) in (1, 2):
            by = int(args[1]) if len(args) == 2 else 1
            await lock.acquire()  # released by the handler once the reply is drained
            try:
                value = (await store.get(args[0])) or 0
                await store.set(args[0], value + by)
            except BaseException:
                lock.release()
                raise
            return f"VALUE {value + by}"
        if command == "QUIT" and not args:
            return "BYE"
    except ValueError:
        return "ERR not an integer"
    if command in ("GET", "SET", "INCR", "QUIT"):
        return f"ERR wrong number of arguments for {command}"
    return f"ERR unknown command {command!r}"


async def start_server(store: Store, host: str = "127.0.0.1", port: int = 0) -> asyncio.Server:
    lock = asyncio.Lock()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                try:
                    raw = await reader.readuntil(b"\n")
                except asyncio.LimitOverrunError:
                    writer.write(b"ERR line too long\n")
                    await writer.drain()
                    return
                except asyncio.IncompleteReadError:
                    return
                line = raw[:-1].decode("utf-8", errors="replace")
                reply = await _respond(store, lock, line)
                try:
                    writer.write(reply.encode() + b"\n")
                    await writer.drain()
                finally:
                    if lock.locked() and line.split()[:1] == ["INCR"] and reply.startswith("VALUE"):
                        lock.release()
                if reply == "BYE":
                    return
        except (ConnectionError, OSError):
            return
        finally:
            writer.close()
            try:
                await writer.wait_closed()
            except (ConnectionError, OSError):
                pass

    return await asyncio.start_server(handle, host, port, limit=MAX_LINE)
