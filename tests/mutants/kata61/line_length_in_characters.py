"""Measures a complete line's length in characters after decoding it, so a line of 600 two-byte characters (1,204 bytes) is answered.

expect-fail: test_a_line_over_1024_bytes_is_refused_and_closes_the_connection
expect-words: 1204 bytes, not characters
"""
from __future__ import annotations

import asyncio
from collections import defaultdict
from dataclasses import dataclass, field

MAX_LINE = 1024


class MemoryStore:
    def __init__(self) -> None:
        self._values: dict[str, int] = {}

    async def get(self, key: str) -> int | None:
        return self._values.get(key)

    async def set(self, key: str, value: int) -> None:
        self._values[key] = value


class TooLong(Exception):
    pass


@dataclass
class LineFramer:
    """Splits a byte stream into lines; refuses any line whose body exceeds MAX_LINE bytes."""

    buffer: bytearray = field(default_factory=bytearray)

    def feed(self, chunk: bytes) -> list[bytes]:
        self.buffer += chunk
        lines = []
        while True:
            idx = self.buffer.find(b"\n")
            if idx < 0:
                break
            if len(self.buffer[:idx].decode("utf-8", "replace")) > MAX_LINE:
                raise TooLong
            lines.append(bytes(self.buffer[:idx]))
            del self.buffer[: idx + 1]
        if len(self.buffer) > MAX_LINE:
            raise TooLong
        return lines


@dataclass
class Service:
    store: object
    locks: defaultdict = field(default_factory=lambda: defaultdict(asyncio.Lock))

    async def incr(self, key: str, by: int) -> int:
        lock = self.locks[key]
        await lock.acquire()
        try:
            current = await self.store.get(key)
            new = (current or 0) + by
            await self.store.set(key, new)
        finally:
            lock.release()
        return new

    async def respond(self, line: str) -> str:
        words = line.split()
        if not words:
            return "ERR empty line"
        cmd, *args = words
        known = {"GET": (1,), "SET": (2,), "INCR": (1, 2), "QUIT": (0,)}
        if cmd not in known:
            return f"ERR unknown command {cmd!r}"
        if len(args) not in known[cmd]:
            return f"ERR wrong number of arguments for {cmd}"
        try:
            if cmd == "GET":
                v = await self.store.get(args[0])
                return f"VALUE {v if v is not None else 0}"
            if cmd == "SET":
                n = int(args[1])
                await self.store.set(args[0], n)
                return "OK"
            if cmd == "INCR":
                by = int(args[1]) if len(args) == 2 else 1
                return f"VALUE {await self.incr(args[0], by)}"
        except ValueError:
            return "ERR not an integer"
        return "BYE"

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        framer = LineFramer()
        try:
            while True:
                chunk = await reader.read(4096)
                if not chunk:
                    break
                try:
                    lines = framer.feed(chunk)
                except TooLong:
                    writer.write(b"ERR line too long\n")
                    await writer.drain()
                    break
                done = False
                for raw in lines:
                    reply = await self.respond(raw.decode("utf-8", "replace"))
                    writer.write(f"{reply}\n".encode())
                    await writer.drain()
                    if reply == "BYE":
                        done = True
                        break
                if done:
                    break
        except OSError:
            pass
        finally:
            writer.close()
            try:
                await writer.wait_closed()
            except OSError:
                pass


async def start_server(store, host: str = "127.0.0.1", port: int = 0) -> asyncio.Server:
    service = Service(store)
    return await asyncio.start_server(service.handle, host=host, port=port)
