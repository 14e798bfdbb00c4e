"""Holds one server-wide lock from each command to the end of its reply's drain(), so a client that never reads its replies keeps the lock while drain() waits for it.

expect-fail: test_a_client_that_never_reads_delays_no_one_else
expect-words: never reads
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


async def start_server(store: Store, host: str = "127.0.0.1", port: int = 0) -> asyncio.Server:
    lock = asyncio.Lock()

    async def respond(line: str) -> str:
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
                value = (await store.get(args[0]) or 0) + by
                await store.set(args[0], value)
                return f"VALUE {value}"
            if command == "QUIT" and not args:
                return "BYE"
        except ValueError:
            return "ERR not an integer"
        if command in ("GET", "SET", "INCR", "QUIT"):
            return f"ERR wrong number of arguments for {command}"
        return f"ERR unknown command {command!r}"

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                try:
                    raw = await reader.readuntil(b"\n")
                except asyncio.LimitOverrunError:
                    writer.write(b"ERR line too long\n")
                    await writer.drain()
                    break
                except asyncio.IncompleteReadError:
                    break
                async with lock:  # one command at a time, server-wide, reply included
                    reply = await respond(raw[:-1].decode(errors="replace"))
                    writer.write(reply.encode() + b"\n")
                    await writer.drain()  # MUTANT: waits for this client with the lock held
                if reply == "BYE":
                    break
        except ConnectionError:
            pass
        finally:
            writer.close()
            try:
                await writer.wait_closed()
            except ConnectionError:
                pass

    return await asyncio.start_server(handle, host, port, limit=MAX_LINE)
