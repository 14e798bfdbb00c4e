"""Kata 61 reference — style: readuntil() framing under limit=1024, `match` on the words, one asyncio.Lock for INCR."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Protocol

MAX_LINE = 1024
COMMANDS = ("GET", "SET", "INCR", "QUIT")


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
    incr_lock = asyncio.Lock()

    async def respond(line: bytes) -> str:
        try:
            words = line.decode().split()
        except UnicodeDecodeError:
            return "ERR not UTF-8"
        try:
            match words:
                case ["GET", key]:
                    value = await store.get(key)
                    return f"VALUE {0 if value is None else value}"
                case ["SET", key, number]:
                    await store.set(key, int(number))
                    return "OK"
                case ["INCR", key, *by] if len(by) <= 1:
                    step = int(by[0]) if by else 1
                    async with incr_lock:  # no other INCR between the read and the write
                        value = (await store.get(key) or 0) + step
                        await store.set(key, value)
                    return f"VALUE {value}"
                case ["QUIT"]:
                    return "BYE"
                case [command, *_] if command in COMMANDS:
                    return f"ERR wrong number of arguments for {command}"
                case [command, *_]:
                    return f"ERR unknown command {command!r}"
                case _:
                    return "ERR empty line"
        except ValueError:
            return "ERR not an integer"

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                try:
                    line = await reader.readuntil(b"\n")
                except asyncio.LimitOverrunError:  # over MAX_LINE bytes, with or without its newline yet
                    writer.write(b"ERR line too long\n")
                    await writer.drain()
                    return
                except asyncio.IncompleteReadError:  # EOF, maybe mid-line
                    return
                reply = await respond(line[:-1])
                writer.write(reply.encode() + b"\n")
                await writer.drain()  # waits for this client only
                if reply == "BYE":
                    return
        except ConnectionError:
            pass  # the client reset the connection
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    return await asyncio.start_server(handle, host, port, limit=MAX_LINE)
