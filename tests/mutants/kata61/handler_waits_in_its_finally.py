"""Its reader task ends with `finally: await replies.put(_CLOSE)` on a bounded queue: when a client that never read resets, the writer task dies, and the cancelled reader waits in the finally for room that never comes, so the handler never ends.

expect-fail: test_a_client_that_never_reads_delays_no_one_else
expect-words: handler coroutine did not end, await replies.put(_close)
"""
from __future__ import annotations

import asyncio

MAX_LINE = 1024
_CLOSE = None


class MemoryStore:
    def __init__(self) -> None:
        self._values: dict[str, int] = {}

    async def get(self, key: str) -> int | None:
        return self._values.get(key)

    async def set(self, key: str, value: int) -> None:
        self._values[key] = value


class Server:
    COMMANDS = {"GET": {1}, "SET": {2}, "INCR": {1, 2}, "QUIT": {0}}

    def __init__(self, store) -> None:
        self.store = store
        self.incr_cond = asyncio.Condition(asyncio.Lock())

    async def execute(self, line: str) -> str:
        words = line.split()
        if not words:
            return "ERR empty line"
        name, args = words[0], words[1:]
        if name not in self.COMMANDS:
            return "ERR unknown command"
        if len(args) not in self.COMMANDS[name]:
            return f"ERR {name} takes {'/'.join(map(str, sorted(self.COMMANDS[name])))} argument(s)"
        if name == "QUIT":
            return "BYE"
        if name == "GET":
            v = await self.store.get(args[0])
            return "VALUE %d" % (v if v is not None else 0)
        try:
            n = int(args[1]) if len(args) > 1 else 1
        except ValueError:
            return "ERR not an integer"
        if name == "SET":
            await self.store.set(args[0], n)
            return "OK"
        async with self.incr_cond:  # holds the underlying asyncio.Lock across get and set
            old = await self.store.get(args[0])
            new = (old if old is not None else 0) + n
            await self.store.set(args[0], new)
            self.incr_cond.notify_all()
        return f"VALUE {new}"

    async def reading(self, reader: asyncio.StreamReader, replies: asyncio.Queue) -> None:
        try:
            while True:
                try:
                    raw = await reader.readline()
                except ValueError:  # readline's form of LimitOverrunError
                    await replies.put("ERR line too long")
                    return
                if not raw.endswith(b"\n"):
                    return  # EOF, maybe in the middle of a line
                reply = await self.execute(raw[:-1].decode("utf-8", "replace"))
                await replies.put(reply)
                if reply == "BYE":
                    return
        finally:
            await replies.put(_CLOSE)

    async def writing(self, writer: asyncio.StreamWriter, replies: asyncio.Queue) -> None:
        while (reply := await replies.get()) is not _CLOSE:
            writer.write(f"{reply}\n".encode())
            await writer.drain()

    async def client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        replies: asyncio.Queue = asyncio.Queue(maxsize=100)
        try:
            async with asyncio.TaskGroup() as tg:
                tg.create_task(self.reading(reader, replies))
                tg.create_task(self.writing(writer, replies))
        except* (ConnectionError, OSError):
            pass  # the client went away: only this connection ends
        finally:
            writer.close()
            try:
                await writer.wait_closed()
            except OSError:
                pass


async def start_server(store, host: str = "127.0.0.1", port: int = 0) -> asyncio.Server:
    server = Server(store)
    return await asyncio.start_server(server.client, host, port, limit=MAX_LINE)
