"""Kata 61 reference — style: a server class, reader.read(4096) framed in a buffer by hand, an asyncio.Lock per key."""

from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict
from collections.abc import Awaitable, Callable
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


class BadRequest(Exception):
    """A command the protocol refuses: the message is the reason after ``ERR``."""


def integer(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise BadRequest(f"not an integer: {text!r}") from None


class KeyValueServer:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)
        self.commands: dict[str, tuple[range, Callable[[list[str]], Awaitable[str]]]] = {
            "GET": (range(1, 2), self.get),
            "SET": (range(2, 3), self.set),
            "INCR": (range(1, 3), self.incr),
            "QUIT": (range(0, 1), self.quit),
        }

    async def get(self, args: list[str]) -> str:
        value = await self.store.get(args[0])
        return f"VALUE {value or 0}"

    async def set(self, args: list[str]) -> str:
        await self.store.set(args[0], integer(args[1]))
        return "OK"

    async def incr(self, args: list[str]) -> str:
        key, step = args[0], integer(args[1]) if len(args) > 1 else 1
        async with self.locks[key]:  # INCRs of other keys go on meanwhile
            value = (await self.store.get(key) or 0) + step
            await self.store.set(key, value)
        return f"VALUE {value}"

    async def quit(self, args: list[str]) -> str:
        return "BYE"

    async def respond(self, line: bytes) -> str:
        try:
            words = line.decode("utf-8").split()
            if not words:
                raise BadRequest("empty line")
            command, args = words[0], words[1:]
            if command not in self.commands:
                raise BadRequest(f"unknown command {command!r}")
            counts, run = self.commands[command]
            if len(args) not in counts:
                raise BadRequest(f"{command} takes {counts.start} to {counts.stop - 1} arguments, got {len(args)}")
            return await run(args)
        except UnicodeDecodeError:
            return "ERR not UTF-8"
        except BadRequest as bad:
            return f"ERR {bad}"

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        buffer = bytearray()
        try:
            while True:
                end = buffer.find(b"\n")
                if end > MAX_LINE or (end == -1 and len(buffer) > MAX_LINE):  # even before its newline
                    writer.write(b"ERR line too long\n")
                    await writer.drain()
                    break
                if end == -1:
                    chunk = await reader.read(4096)
                    if not chunk:
                        break  # EOF: a partial line is dropped
                    buffer += chunk
                    continue
                line = bytes(buffer[:end])
                del buffer[: end + 1]
                reply = await self.respond(line)
                writer.write(f"{reply}\n".encode())
                await writer.drain()
                if reply == "BYE":
                    break
        except ConnectionError:
            pass
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()


async def start_server(store: Store, host: str = "127.0.0.1", port: int = 0) -> asyncio.Server:
    return await asyncio.start_server(KeyValueServer(store).serve, host, port)
