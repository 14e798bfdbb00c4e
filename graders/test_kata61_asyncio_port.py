"""Kata 61 · Porting a threaded server to asyncio: the claims.

The grader starts the learner's server on 127.0.0.1 (port 0) and talks to it over real sockets from
the same event loop: bytes sent one at a time, several commands in one packet, 1025-byte lines,
clients that stall mid-line, never read, reset the connection, or leave without ``QUIT``.  A store
whose ``get`` and ``set`` suspend a varying number of times makes an unlocked ``INCR`` lose updates,
and a reply read again after the lock wrong, on every run.  Blocking calls on the loop's thread are
caught by a profiler (``time.sleep``, a ``threading`` lock); a blocked loop also shows as a hang with
the stuck line.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import socket
import struct
import time
import warnings
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from graders.harness.aio import BlockingSpy, Heartbeat, describe_task
from graders.harness.messages import ClaimFailed, failure, short_repr

GIVE_UP = 15.0
"""Seconds after which a claim's whole conversation with the server is a hang."""
REPLY_WAIT = 3.0
"""Seconds a client waits for one reply line."""
BLOCKED = 1.0
"""Heartbeat lateness that counts as a blocked loop on its own (correct code stays far below)."""
PORT_IDEA = (
    "asyncio.start_server(handle, host, port); in handle: `while line := await reader.readline()`, "
    "reply with writer.write(...) and await writer.drain()"
)
LOCK_IDEA = "one asyncio.Lock (or one per key) held across `await store.get` and `await store.set`"


class SuspendingStore:
    """A store whose every call gives the loop away, as a real database client would.

    How many times varies, 1 to 5, from a counter (the same sequence every run), so that the calls of different
    clients overlap in changing ways; and a read of the key the same task has just written waits 10 turns more:
    an INCR that reads its key again after releasing its lock, to make its reply, then sees the next INCR's
    write, every run (a correct INCR replies with the value it wrote).
    """

    def __init__(self) -> None:
        self.data: dict[str, int] = {}
        self._calls = itertools.count()
        self._wrote: dict[Any, str] = {}
        """task -> the key it wrote in its last call to the store."""

    async def _suspend(self, more: int = 0) -> None:
        for _ in range(1 + next(self._calls) % 5 + more):
            await asyncio.sleep(0)

    async def get(self, key: str) -> int | None:
        await self._suspend(10 if self._wrote.pop(asyncio.current_task(), None) == key else 0)
        return self.data.get(key)

    async def set(self, key: str, value: int) -> None:
        task = asyncio.current_task()
        self._wrote.pop(task, None)
        await self._suspend()
        self.data[key] = value
        self._wrote[task] = key


class NoReply(ClaimFailed):
    """A client waited in vain for a reply line (claims about other clients reframe it)."""


class ServerClosed(ClaimFailed):
    """A command could not be sent: the server had closed the connection."""


class Client:
    """One connection to the server, with a transcript for messages."""

    def __init__(self, name: str, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.name, self.reader, self.writer = name, reader, writer
        self.transcript: list[str] = []
        self.closed = False
        """Whether the server closed this connection (a reply was end-of-file, or a command could not be sent)."""

    @classmethod
    async def connect(cls, port: int, name: str = "client", rcvbuf: int | None = None) -> Client:
        sock = socket.socket()
        if rcvbuf:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.setblocking(False)
        await asyncio.get_running_loop().sock_connect(sock, ("127.0.0.1", port))
        reader, writer = await asyncio.open_connection(sock=sock)
        return cls(name, reader, writer)

    async def send(self, data: bytes, shown: str | None = None) -> None:
        try:
            self.writer.write(data)
            await self.writer.drain()
        except ConnectionError as exc:
            self.closed = True
            sent = shown if shown is not None else data.decode(errors="replace")
            unread = await self.unread()
            replied = f", after replying {', '.join(repr(line) for line in unread)}" if unread else ""
            self.transcript.append(
                f"{self.name} > {short_repr(sent, 40)}   (not sent: the server had closed the connection, "
                f"{type(exc).__name__})"
            )
            if unread:
                self.transcript.append(f"{self.name}   (replies not read yet: {short_repr(unread, 60)})")
            message = failure(
                f"The server closed the connection{replied} before {short_repr(sent, 40)} could be sent.",
                evidence=self.transcript[-6:],
                idea=PORT_IDEA,
            )
            raise ServerClosed(str(message)) from None

    async def unread(self) -> list[str]:
        """The first reply lines the server sent that this client has not read yet (after it closed)."""
        data = bytes(getattr(self.reader, "_buffer", b""))  # read() raises at once once the server has reset it
        if not data:
            try:
                data = await asyncio.wait_for(self.reader.read(4096), 0.5)
            except (TimeoutError, ConnectionError):
                return []
        return [line for line in data.decode(errors="replace").split("\n") if line][:3]

    async def reply(self, sent: str) -> str:
        try:
            line = await asyncio.wait_for(self.reader.readline(), REPLY_WAIT)
        except TimeoutError:
            self.transcript.append(f"{self.name} > {sent!r}   (no reply within {REPLY_WAIT:g} s)")
            message = failure(
                f"The server did not answer {sent!r} within {REPLY_WAIT:g} s.",
                evidence=self.transcript[-6:],
                idea=PORT_IDEA,
            )
            raise NoReply(str(message)) from None
        if not line:
            self.closed = True
            self.transcript.append(
                f"{self.name} > {short_repr(sent, 40)}   (no reply: the server closed the connection)"
            )
            return ""
        text = line.decode(errors="replace").rstrip("\n")
        self.transcript.append(f"{self.name} > {short_repr(sent, 40)}   < {text!r}")
        return text

    async def ask(self, command: str) -> str:
        await self.send(command.encode() + b"\n", command)
        return await self.reply(command)

    async def closed_by_server(self) -> bool:
        try:
            return await asyncio.wait_for(self.reader.read(1), REPLY_WAIT) == b""
        except (TimeoutError, ConnectionError):
            return False

    def reset(self) -> None:
        """Drop the connection abruptly: the server sees a reset (RST), not a clean close."""
        sock = self.writer.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.writer.transport.abort()

    async def close(self) -> None:
        self.writer.close()
        with contextlib.suppress(TimeoutError, ConnectionError):
            await asyncio.wait_for(self.writer.wait_closed(), 1.0)


Script = Callable[[int, asyncio.Server], Awaitable[Any]]


def serve(learner, script: Script, called: str, *, store: Any = None, spy: list[str] | None = None) -> Any:
    """Start the learner's server in a fresh loop, run ``script(port, server)``, shut it down; its result.

    A hang after the server was closed is ``asyncio.run`` waiting for a handler task that did not end when it
    cancelled it: the claim then says which line of the learner's that task is stuck on.
    """
    closed: list[asyncio.AbstractEventLoop] = []

    async def main() -> Any:
        server = await learner.start_server(store if store is not None else learner.MemoryStore(), "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        try:
            if spy is None:
                return await script(port, server)
            with BlockingSpy(learner.submission) as blocking:
                try:
                    return await script(port, server)
                finally:
                    spy.extend(blocking.calls)
        finally:
            server.close()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(server.wait_closed(), 2.0)
            closed.append(asyncio.get_running_loop())  # asyncio.run now cancels the tasks left, and waits for them

    try:
        outcome = learner.run(
            asyncio.run,
            main(),
            called=called,
            deadline=GIVE_UP,
            on_hang=f"{called}: the server stopped answering and the grader's clients, in the same event loop, "
            "stopped too: the loop is blocked (a threading.Lock or a blocking call in a coroutine?).",
        )
    except ClaimFailed:
        stuck = handlers_left(closed[0], learner.submission) if closed else []
        if not stuck:
            raise
        raise failure(
            "After the clients had gone and the server was closed, a handler coroutine did not end, not even when "
            "asyncio.run cancelled it, so asyncio.run could never finish (on 3.12+ server.wait_closed() waits for "
            "it too).",
            called=called,
            contract="server.close(); await server.wait_closed() shuts it down; a dropped client ends its handler",
            evidence=[f"still running: {line}" for line in stuck[:4]],
            idea="no await that can wait for ever in a `finally` or an `except CancelledError` (a put() into a "
            "full queue whose reader has died): use put_nowait, or let the cancellation end the task",
        ) from None
    return learner.result(outcome)


def handlers_left(loop: asyncio.AbstractEventLoop, submission: Any) -> list[str]:
    """Where the learner's unfinished tasks wait, read from another thread while ``loop`` hangs, idle, in
    ``asyncio.run``'s last step (nothing runs on it to change the tasks)."""
    try:
        tasks = [t for t in asyncio.all_tasks(loop) if not t.done()]
        lines = [describe_task(t, submission) for t in tasks]
    except RuntimeError:  # the set of tasks changed while it was read: the loop was not idle after all
        return []
    return [line for line in lines if " waiting at " in line]


def expect_replies(client: Client, got: list[str], expected: list[str], what: str, contract: str) -> None:
    if got != expected:
        raise failure(
            f"{what}: the replies were {got}; expected {expected}.",
            contract=contract,
            evidence=client.transcript[-8:],
            idea=PORT_IDEA,
        )


# ---------------------------------------------------------------- task 1 · the protocol on asyncio streams


@pytest.mark.task(1)
def test_get_set_and_incr_answer_one_line_each(learner):
    commands = ["GET a", "SET a 5", "GET a", "INCR a", "INCR a 10", "GET b", "SET c -5", "INCR c -2", "QUIT"]
    expected = ["VALUE 0", "OK", "VALUE 5", "VALUE 6", "VALUE 16", "VALUE 0", "OK", "VALUE -7", "BYE"]

    async def script(port: int, server: asyncio.Server) -> None:
        client = await Client.connect(port)
        got = [await client.ask(c) for c in commands]
        negative = [(c, r) for c, r in zip(commands, got, strict=False) if "-" in c and r.startswith("ERR")]
        if negative:
            raise failure(
                f"{negative[0][0]!r} got {negative[0][1]!r}: a negative number is an integer; only non-integers "
                "(such as x or 1.5) get ERR.",
                contract="SET <key> <n>: OK; INCR <key> [<n>]: VALUE <new n>; a non-integer: ERR <reason>",
                evidence=client.transcript[-4:],
                idea="parse with int() in a try (str.isdigit() rejects the minus sign)",
            )
        expect_replies(client, got, expected, "One command per line, one reply line each", "the protocol's replies")
        if not await client.closed_by_server():
            raise failure(
                "After QUIT and BYE the server did not close the connection.",
                evidence=client.transcript[-3:],
                idea="after replying BYE: writer.close(); await writer.wait_closed(); return",
            )

    serve(learner, script, "a client sends " + ", ".join(commands))


@pytest.mark.task(2)
def test_bad_input_gets_err_and_the_connection_stays_open(learner):
    bad = ["FOO a", "GET", "SET a", "SET a x", "INCR a 1.5", "get a", "SET a 1 2", ""]
    others = ["INCR a", "SET b 1", "GET b"]

    async def script(port: int, server: asyncio.Server) -> None:
        client = await Client.connect(port)
        got: list[str] = []
        with contextlib.suppress(ServerClosed):
            for command in bad:
                got.append(await client.ask(command))
                if client.closed:
                    break
        if client.closed:
            answered = [(c, r) for c, r in zip(bad, got, strict=False) if r]
            raise failure(
                (f"After {answered[-1][0]!r} got {answered[-1][1]!r}, the" if answered else "The")
                + " server closed the connection: after an ERR reply the connection stays open, and the client "
                "may go on.",
                contract="unknown words, wrong argument counts, non-integers: ERR <reason>; the connection stays open",
                evidence=client.transcript[-8:],
                idea="reply ERR <reason> and go on to the next line: end the handler only on QUIT, end of input, "
                "or a line that is too long",
            )
        wrong = [(c, r) for c, r in zip(bad, got, strict=True) if not r.startswith("ERR ")]
        if wrong:
            raise failure(
                f"{wrong[0][0]!r} got {wrong[0][1]!r}: unknown words, wrong argument counts and non-integers get a "
                "reply `ERR <reason>`.",
                contract="unknown words, wrong argument counts, non-integers: ERR <reason>; the connection stays open",
                evidence=client.transcript[-8:],
                idea="split the line; check the command word, the count, and int() in a try",
            )
        after = await client.ask("GET a")
        expect_replies(client, [after], ["VALUE 0"], "After the bad input, GET a", "the connection stays open")
        # Bad input from one client must not stop the server answering the others (a lock a failed INCR kept).
        other = await Client.connect(port, "another client")
        replies = []
        for command in others:
            try:
                replies.append(await other.ask(command))
            except NoReply:
                raise failure(
                    f"After a client's bad input ({', '.join(repr(b) for b in bad[3:5])}, …), another client's "
                    f"{command!r} got no reply within {REPLY_WAIT:g} s: bad input must not stop the server "
                    "answering the others. Was a lock left held when int() raised?",
                    contract="a server that stops answering others after bad input is a mistake",
                    evidence=[
                        *(line for line in client.transcript if "'SET a x'" in line or "'INCR a 1.5'" in line),
                        *client.transcript[-1:],
                        *other.transcript[-3:],
                    ],
                    idea="take locks with `async with lock:` (never acquire() then release() by hand), and parse "
                    "the arguments before taking one",
                ) from None
        expect_replies(
            other, replies, ["VALUE 1", "OK", "VALUE 1"], "Another client, after the bad input", "the others are served"
        )
        await other.close()
        await client.close()

    serve(learner, script, "a client sends " + ", ".join(repr(b) for b in bad) + "; then another client")


TOO_LONG = "a line over 1024 bytes: ERR line too long, then the connection is closed"


async def expect_refused(client: Client, line: str, what: str, rule: str, *, idea: str) -> None:
    """Send ``line``; fail unless it gets ``ERR line too long`` and the server then closes the connection."""
    got = await client.ask(line)
    if got != "ERR line too long" or not await client.closed_by_server():
        raise failure(
            f"{what} got {got!r}"
            + (" and the connection stayed open" if got == "ERR line too long" else "")
            + f": {rule}",
            contract=TOO_LONG,
            evidence=client.transcript[-2:],
            idea=idea,
        )


@pytest.mark.task(2)
def test_a_line_over_1024_bytes_is_refused_and_closes_the_connection(learner):
    async def script(port: int, server: asyncio.Server) -> None:
        fits = await Client.connect(port, "fits")
        line = "GET " + "k" * 1020
        got = await fits.ask(line)
        expect_replies(fits, [got], ["VALUE 0"], "A line of exactly 1024 bytes", "lines up to 1024 bytes are fine")
        await fits.close()
        long = await Client.connect(port, "too long")
        await expect_refused(
            long,
            "GET " + "k" * 1021,
            "A 1025-byte line",
            "a line over 1024 bytes gets `ERR line too long`, then the server closes the connection.",
            idea="StreamReader's limit (start_server(..., limit=...)) or your own buffer: count before the \\n",
        )
        wide = await Client.connect(port, "multi-byte")
        await expect_refused(
            wide,
            "GET " + "é" * 600,
            "A line of 604 characters but 1204 bytes ('GET ' and 600 × 'é', 2 bytes each in UTF-8)",
            "the limit is 1024 bytes, not characters.",
            idea="count the bytes before decoding (StreamReader's limit counts bytes), not len() of the str",
        )
        endless = await Client.connect(port, "no newline")
        await endless.send(b"GET " + b"k" * 1021)
        try:
            got = await endless.reply("GET kkk… (1025 bytes and no newline yet)")
        except NoReply:
            got = "(no reply)"
        if got != "ERR line too long" or not await endless.closed_by_server():
            raise failure(
                f"1025 bytes without a newline got {got!r}: a line is too long as soon as it passes 1024 bytes, "
                "whether or not its newline has come (otherwise one client can fill the server's memory).",
                contract=TOO_LONG,
                idea="count the bytes as they arrive, not only when a \\n comes",
            )

    serve(
        learner, script, "a 1024-byte line, a 1025-byte line, a 1204-byte line of 'é', then 1025 bytes with no newline"
    )


@pytest.mark.task(2)
def test_commands_split_across_packets_are_framed(learner):
    async def script(port: int, server: asyncio.Server) -> None:
        client = await Client.connect(port)
        for byte in b"SET a 1\nGET a\n":
            await client.send(bytes([byte]))
            await asyncio.sleep(0.002)
        got = [await client.reply("SET a 1"), await client.reply("GET a")]
        if got != ["OK", "VALUE 1"]:
            raise failure(
                f"'SET a 1\\nGET a\\n' sent one byte per packet got the replies {got}: one read() is not one "
                "command; a command ends at its \\n, however the bytes arrive.",
                contract="commands split across packets are framed correctly",
                evidence=client.transcript[-4:],
                idea="await reader.readline() (or keep a buffer and cut it at each \\n)",
            )
        await client.close()

    serve(learner, script, "'SET a 1\\nGET a\\n' sent one byte per packet")


@pytest.mark.task(2)
def test_several_commands_in_one_packet_get_one_reply_each(learner):
    async def script(port: int, server: asyncio.Server) -> None:
        client = await Client.connect(port)
        await client.send(b"SET a 1\nINCR a\nGET a\n")
        got = [await client.reply(c) for c in ("SET a 1", "INCR a", "GET a")]
        expect_replies(
            client,
            got,
            ["OK", "VALUE 2", "VALUE 2"],
            "Three commands in one packet",
            "several commands in one packet are framed correctly: one reply each",
        )
        await client.close()

    try:
        serve(learner, script, "'SET a 1\\nINCR a\\nGET a\\n' in one packet")
    except NoReply as error:
        raise failure(
            "Three commands in one packet did not get three replies: one read() can hold several commands, and "
            "each one gets its reply.",
            called="'SET a 1\\nINCR a\\nGET a\\n' in one packet",
            contract="several commands in one packet are framed correctly",
            evidence=str(error).splitlines()[:4],
            idea="keep what follows a \\n in a buffer (or let reader.readline() do it)",
        ) from None


# ---------------------------------------------------------------- task 3 · many clients, one store


def _number(reply: str) -> int:
    """The n of 'VALUE n' (for sorting replies); -1 for any other reply."""
    number = reply.removeprefix("VALUE ")
    return int(number) if number.isdigit() else -1


@pytest.mark.task(3)
def test_incr_loses_no_update_when_the_store_suspends(learner):
    clients, each = 10, 20

    async def script(port: int, server: asyncio.Server) -> tuple[int, list[str]]:
        conns = [await Client.connect(port, f"client {i}") for i in range(clients)]
        replies: list[str] = []

        async def increments(client: Client) -> None:
            for _ in range(each):
                replies.append(await client.ask("INCR n"))

        await asyncio.gather(*(increments(c) for c in conns))
        total = await conns[0].ask("GET n")
        for c in conns:
            await c.close()
        return (int(total.split()[-1]) if total.startswith("VALUE ") else -1), replies

    call = f"{clients} clients × {each} INCR n at once, on a store whose get and set suspend"
    total, replies = serve(learner, script, call, store=SuspendingStore())
    if total != clients * each:
        raise failure(
            f"{clients * each - total} of {clients * each} increments were lost (n ended at {total}): two INCRs read "
            "the same value while the store suspended, and both wrote value + 1.",
            called=call,
            contract="INCR is atomic across clients, even when the store's methods suspend",
            idea=LOCK_IDEA,
        )
    expected = Counter(f"VALUE {i}" for i in range(1, clients * each + 1))
    got = Counter(replies)
    if got != expected:
        twice = sorted((r for r, n in got.items() if n > 1), key=_number)
        never = sorted(expected - got, key=_number)
        raise failure(
            f"No increment was lost (n ended at {total}), but the INCR replies were not VALUE 1 … VALUE "
            f"{clients * each}, each once"
            + (f": {twice[0]!r} answered {got[twice[0]]} INCRs" if twice else "")
            + ". An INCR replies with the value it wrote; reading the key again after the lock is released can "
            "see another client's INCR.",
            called=call,
            contract="INCR <key> [<n>] replies VALUE <new n> (the value it wrote), atomic across clients",
            evidence=[
                f"{len(got)} different replies to {len(replies)} INCRs",
                f"given more than once: {short_repr(twice, 70)}",
                f"never given: {short_repr(never, 70)}",
            ],
            idea="inside the lock, new = value + n; store.set(key, new); reply VALUE new (no store.get after it)",
        )


@pytest.mark.task(3)
def test_a_client_stalled_mid_line_delays_no_one_else(learner):
    async def script(port: int, server: asyncio.Server) -> float:
        stalled = await Client.connect(port, "stalled")
        await stalled.send(b"SET a")
        other = await Client.connect(port, "other")
        start = time.perf_counter()
        for i in range(20):
            await other.ask(f"INCR b {i}")
        elapsed = time.perf_counter() - start
        await stalled.send(b" 1\n")
        done = await stalled.reply("SET a 1")
        expect_replies(stalled, [done], ["OK"], "The stalled client, finishing its line", "one reply per command")
        for c in (stalled, other):
            await c.close()
        return elapsed

    try:
        serve(learner, script, "one client sends 'SET a' and stalls; another sends 20 commands")
    except NoReply as error:
        raise failure(
            "While one client had sent half a line and stalled, another client was not answered: each client is "
            "served on its own, and a stalled one delays no one else.",
            called="one client sends 'SET a' and stalls; another sends 20 commands",
            contract="clients are served concurrently",
            evidence=str(error).splitlines()[:6],
            idea="start_server runs one handler task per connection; never wait for one client while holding "
            "something the others need",
        ) from None


class CountingStore:
    """A store that never suspends and counts its writes: the grader sees when a handler stopped working."""

    def __init__(self) -> None:
        self.data: dict[str, int] = {}
        self.writes = 0

    async def get(self, key: str) -> int | None:
        return self.data.get(key)

    async def set(self, key: str, value: int) -> None:
        self.data[key] = value
        self.writes += 1


@pytest.mark.task(3)
def test_a_client_that_never_reads_delays_no_one_else(learner):
    store = CountingStore()

    async def script(port: int, server: asyncio.Server) -> None:
        server.sockets[0].setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
        deaf = await Client.connect(port, "never reads", rcvbuf=4096)
        await deaf.ask(f"SET big {'9' * 1000}")  # long replies: a few of them fill the buffers
        deaf.writer.transport.pause_reading()  # from now on it reads nothing at all
        deaf.writer.write(b"INCR big\n" * 3000)  # 3 MB of replies pile up on the way back, each INCR's
        try:
            # Wait until its handler is stuck writing a reply (the store's writes stop), at most GIVE_UP / 3 s.
            writes, stop = -1, time.monotonic() + GIVE_UP / 3
            while (store.writes != writes or writes < 20) and time.monotonic() < stop:
                writes = store.writes
                await asyncio.sleep(0.1)
            other = await Client.connect(port, "other")
            for i in range(5):
                await other.ask(f"SET b {i}")
                await other.ask("INCR big")
            await other.close()
        finally:
            deaf.reset()

    call = "one client sends 3,000 'INCR big' and never reads a reply; another sends SET b and INCR big"
    try:
        serve(learner, script, call, store=store)
    except NoReply as error:
        raise failure(
            "While one client never read its replies, another client was not answered: a handler waiting for a "
            "slow reader (await writer.drain()) must not hold anything the other clients need.",
            called=call,
            contract="a client that never reads its replies delays no one else",
            evidence=str(error).splitlines()[:6],
            idea="hold the lock only around the store's read and write, never around writing to a client "
            "(write the reply after `async with lock:` ends)",
        ) from None


@pytest.mark.task(3)
def test_an_abrupt_disconnect_leaves_the_server_healthy(learner):
    async def script(port: int, server: asyncio.Server) -> None:
        mid_line = await Client.connect(port, "mid-line")
        await mid_line.send(b"SET a")
        mid_line.reset()
        unread = await Client.connect(port, "reply unread")
        await unread.send(b"INCR a\n")
        unread.reset()
        answered = await Client.connect(port, "answered")
        await answered.ask("SET c 1")
        answered.reset()
        await asyncio.sleep(0.1)
        after = await Client.connect(port, "after")
        got = [await after.ask("SET d 2"), await after.ask("INCR d"), await after.ask("GET d")]
        expect_replies(after, got, ["OK", "VALUE 3", "VALUE 3"], "After three clients reset their connections", "")
        await after.close()

    try:
        serve(learner, script, "three clients reset their connections (mid-line, before a reply, after one)")
    except NoReply as error:
        raise failure(
            "After clients disconnected abruptly, the server no longer answered a new client: a dropped "
            "connection must end only its own handler.",
            called="three clients reset their connections, then a new client sends SET, INCR, GET",
            contract="a client that disconnects abruptly leaves the server healthy",
            evidence=str(error).splitlines()[:6],
            idea="catch ConnectionError in the handler, and release locks in `finally` / `async with`",
        ) from None


@pytest.mark.task(3)
def test_the_event_loop_is_never_blocked(learner):
    blocking: list[str] = []
    heartbeat = Heartbeat(0.005)

    async def script(port: int, server: asyncio.Server) -> None:
        heartbeat.start()
        conns = [await Client.connect(port, f"client {i}") for i in range(5)]

        async def work(client: Client) -> None:
            for i in range(10):
                await client.ask(f"INCR k{i % 2}")
                await client.ask(f"SET s{i} {i}")

        await asyncio.gather(*(work(c) for c in conns))
        for c in conns:
            await c.close()
        await asyncio.sleep(0.02)
        await heartbeat.stop()

    call = "5 clients × 20 commands at once, on a store whose get and set suspend"
    serve(learner, script, call, store=SuspendingStore(), spy=blocking)
    if blocking or heartbeat.worst > BLOCKED:
        raise failure(
            "The server blocked the event loop: while a coroutine waits in a blocking call, every client waits.",
            called=call,
            contract="no threading.Lock or blocking call in a coroutine",
            evidence=[f"on the loop's thread: {b}" for b in blocking[:3]] + [heartbeat.describe()],
            idea="asyncio.Lock with `async with`; await asyncio.sleep(); no time.sleep or threading locks",
        )


@pytest.mark.task(1)
def test_the_server_shuts_down_cleanly(learner):
    async def clients_leave(port: int) -> tuple[str, list[str]]:
        client = await Client.connect(port, "quits")
        await client.ask("SET a 1")
        await client.ask("QUIT")
        await client.close()
        gone = await Client.connect(port, "hangs up")  # leaves without QUIT
        await gone.ask("INCR a")
        await gone.close()
        half = await Client.connect(port, "half-closes")  # says it will send nothing more, and waits
        await half.ask("GET a")
        half.writer.write_eof()
        closed = await half.closed_by_server()
        await half.close()
        if not closed:
            half.transcript.append(f"half-closes > (end of input: write_eof)   (still open after {REPLY_WAIT:g} s)")
            return (
                f"when a client closed its side of the connection after 'GET a' (write_eof), the server did not "
                f"close its own within {REPLY_WAIT:g} s",
                half.transcript[-2:],
            )
        return "", []

    async def script(port: int, server: asyncio.Server) -> tuple[str, list[str]]:
        with warnings.catch_warnings(record=True) as caught:
            # Python 3.13 closes a StreamWriter the handler left open once it is garbage-collected, and says so:
            # the same handler leaves the connection open on 3.11 and 3.12 (and wait_closed waits on 3.12+).
            warnings.simplefilter("always", ResourceWarning)
            problem = await clients_leave(port)
        unclosed = [str(w.message) for w in caught if str(w.message).startswith("unclosed <StreamWriter")]
        if problem[0] or unclosed:
            return (
                problem
                if problem[0]
                else (
                    "a handler ended without closing its writer when its client left; Python 3.13 closed it when the "
                    "writer was garbage-collected (ResourceWarning), but 3.11 and 3.12 leave that connection open",
                    [short_repr(m, 110) for m in unclosed[:2]],
                )
            )
        server.close()
        try:
            await asyncio.wait_for(server.wait_closed(), 2.0)
        except TimeoutError:
            return (
                "server.wait_closed() did not return within 2 s after the last client left (one with QUIT, one "
                "without, one with write_eof): on Python 3.12+ it waits until the server has closed every connection",
                [],
            )
        try:
            late = await Client.connect(port, "late")
        except OSError:
            return "", []
        await late.close()
        return "a new client could still connect after server.close()", []

    problem, evidence = serve(
        learner,
        script,
        "clients leave (one with QUIT, one without, one with write_eof); then server.close(); "
        "await server.wait_closed()",
    )
    if problem:
        raise failure(
            f"Shutting down: {problem}.",
            called="clients leave (with QUIT, without, with write_eof); server.close(); await server.wait_closed()",
            contract="server.close(); await server.wait_closed() shuts it down, once the clients have disconnected",
            evidence=evidence,
            idea="return the asyncio.Server from start_server; when a client leaves (QUIT or end of input), "
            "writer.close() in a `finally:`",
        )
