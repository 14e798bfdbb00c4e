"""Kata 61 reference — style: an asyncio.Protocol on loop.create_server, framing in data_received, a task per client."""

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


async def answer(store: Store, incr_lock: asyncio.Lock, line: bytes) -> str:
    try:
        command, *args = line.decode().split() or [""]
    except UnicodeDecodeError:
        return "ERR not UTF-8"
    try:
        if command == "GET" and len(args) == 1:
            found = await store.get(args[0])
            return "VALUE 0" if found is None else f"VALUE {found}"
        if command == "SET" and len(args) == 2:
            await store.set(args[0], int(args[1]))
            return "OK"
        if command == "INCR" and 1 <= len(args) <= 2:
            step = 1 if len(args) == 1 else int(args[1])
            async with incr_lock:
                total = (await store.get(args[0]) or 0) + step
                await store.set(args[0], total)
            return f"VALUE {total}"
        if command == "QUIT" and not args:
            return "BYE"
    except ValueError as error:
        return f"ERR {error}"
    if command in {"GET", "SET", "INCR", "QUIT"}:
        return f"ERR wrong number of arguments ({len(args)}) for {command}"
    return "ERR empty line" if not command else f"ERR unknown command {command!r}"


class Connection(asyncio.Protocol):
    """The transport calls back with bytes; one task answers the framed lines in order."""

    def __init__(self, store: Store, incr_lock: asyncio.Lock) -> None:
        self.store = store
        self.incr_lock = incr_lock
        self.buffer = bytearray()
        self.lines: asyncio.Queue[bytes | None] = asyncio.Queue()  # None: no more lines
        self.writable = asyncio.Event()
        self.writable.set()
        self.finished = False  # the worker is done: ignore what comes in
        self.too_long = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.worker = asyncio.get_running_loop().create_task(self.work())

    def data_received(self, data: bytes) -> None:
        if self.finished:
            return
        self.buffer += data
        while 0 <= (end := self.buffer.find(b"\n")) <= MAX_LINE:
            self.lines.put_nowait(bytes(self.buffer[:end]))
            del self.buffer[: end + 1]
        if len(self.buffer) > MAX_LINE:  # a long line, whether or not its newline has come
            self.too_long = self.finished = True
            self.lines.put_nowait(None)
            self.buffer.clear()

    def eof_received(self) -> bool:
        self.lines.put_nowait(None)
        return True  # keep the transport to answer the lines already queued; the worker closes it

    def connection_lost(self, exc: Exception | None) -> None:
        self.writable.set()
        self.lines.put_nowait(None)

    def pause_writing(self) -> None:  # the client does not read its replies: stop taking commands
        self.writable.clear()
        self.transport.pause_reading()

    def resume_writing(self) -> None:
        self.writable.set()
        self.transport.resume_reading()

    async def work(self) -> None:
        try:
            while True:
                line = await self.lines.get()
                if line is None:
                    if self.too_long and not self.transport.is_closing():
                        self.transport.write(b"ERR line too long\n")
                    break
                reply = await answer(self.store, self.incr_lock, line)
                await self.writable.wait()  # like drain(): only this connection waits
                if self.transport.is_closing():  # lost (maybe a send just failed): write nothing more
                    break
                self.transport.write(reply.encode() + b"\n")
                if reply == "BYE":
                    break
        finally:
            self.finished = True
            self.transport.close()


async def start_server(store: Store, host: str = "127.0.0.1", port: int = 0) -> asyncio.Server:
    incr_lock = asyncio.Lock()
    loop = asyncio.get_running_loop()
    return await loop.create_server(lambda: Connection(store, incr_lock), host, port)
