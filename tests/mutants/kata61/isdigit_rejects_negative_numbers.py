"""Checks numbers with str.isdigit(), so SET a -5 and INCR a -2 get ERR although -5 is an integer.

expect-fail: test_get_set_and_incr_answer_one_line_each
expect-words: negative number is an integer, isdigit
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
    for arg in args[1:]:
        if command in ("SET", "INCR") and not arg.isdigit():
            return "ERR not an integer"
    try:
        if command == "GET" and len(args) == 1:
            value = await store.get(args[0])
            return f"VALUE {0 if value is None else value}"
        if command == "SET" and len(args) == 2:
            await store.set(args[0], int(args[1]))
            return "OK"
        if command == "INCR" and len(args) in (1, 2):
            by = int(args[1]) if len(args) == 2 else 1
            async with lock:
                value = (await store.get(args[0])) or 0
                await store.set(args[0], value + by)
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
                reply = await _respond(store, lock, raw[:-1].decode("utf-8", errors="replace"))
                writer.write(reply.encode() + b"\n")
                await writer.drain()
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
