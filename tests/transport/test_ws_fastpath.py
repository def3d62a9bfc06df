"""The socket's frame fast path against websockets' own parser: a seeded differential fuzz.

The same server byte stream goes to two sockets: one with the fast path, in random reads; one
with it switched off (every byte through websockets' parser), one frame per read (so each frame
is judged before the next is parsed, whatever the read boundaries). Messages, close codes,
state and what each wrote back (pongs, close frames) must be identical.
"""

from __future__ import annotations

import asyncio
import random
import struct

from websockets.client import ClientProtocol
from websockets.frames import BINARY, CLOSE, CONT, PING, PONG, TEXT, Frame
from websockets.server import ServerProtocol
from websockets.streams import StreamReader
from websockets.uri import parse_uri

from actorbind.transport.websocket import SLICE, Socket


class _Transport(asyncio.Transport):
    def __init__(self) -> None:
        super().__init__()
        self.written = bytearray()
        self.closing = False
        self.reading = True

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.written += data

    def is_closing(self) -> bool:
        return self.closing

    def close(self) -> None:
        self.closing = True

    def abort(self) -> None:
        self.closing = True

    def can_write_eof(self) -> bool:
        return True

    def write_eof(self) -> None:
        self.closing = True

    def pause_reading(self) -> None:
        self.reading = False

    def resume_reading(self) -> None:
        self.reading = True


def _open_socket(max_size: int | None, fast: bool) -> tuple[Socket, list[bytes | str], _Transport]:
    protocol = ClientProtocol(parse_uri("ws://127.0.0.1:1/"), max_size=max_size)
    request = protocol.connect()
    protocol.send_request(request)
    server = ServerProtocol()
    for chunk in protocol.data_to_send():
        server.receive_data(chunk)
    server.send_response(server.accept(server.events_received()[0]))  # type: ignore[arg-type]
    for chunk in server.data_to_send():
        protocol.receive_data(chunk)
    protocol.events_received()
    inbox: list[bytes | str] = []
    sock = Socket(protocol, inbox.extend, ping_interval=None, ping_timeout=None, close_timeout=60)
    if not fast:
        sock._limit = -1  # every byte through websockets' parser
        sock._writer.fast = False
    transport = _Transport()
    sock.connection_made(transport)
    transport.written.clear()
    sock.start()
    return sock, inbox, transport


def _client_frames(data: bytes) -> list[tuple[int, bytes]]:
    """What a socket wrote, as (opcode, payload) (the masks are random)."""
    reader = StreamReader()
    reader.feed_data(data)
    reader.feed_eof()
    out: list[tuple[int, bytes]] = []
    while reader.buffer:
        parser = Frame.parse(reader.read_exact, mask=True)
        try:
            while True:
                next(parser)
        except StopIteration as stop:
            frame = stop.value
            out.append((int(frame.opcode), bytes(frame.data)))
    return out


def _raw(b0: int, payload: bytes, *, masked: bool = False, wide: int = 0) -> bytes:
    """A frame by hand: any first byte, optional mask, optional non-minimal length."""
    n = len(payload)
    mask_bit = 0x80 if masked else 0
    if n < 65536 and (wide == 2 or (not wide and n >= 126)):
        head = bytes([b0, mask_bit | 126]) + struct.pack("!H", n)
    elif wide == 8 or n >= 65536:
        head = bytes([b0, mask_bit | 127]) + struct.pack("!Q", n)
    else:
        head = bytes([b0, mask_bit | n])
    if masked:
        key = b"\x01\x02\x03\x04"
        return head + key + bytes(c ^ key[i % 4] for i, c in enumerate(payload))
    return head + payload


def _payload(rng: random.Random) -> bytes:
    size = rng.choice([0, 1, 5, 40, 125, 126, 127, 300, 2000, 5000, 70000])
    return rng.randbytes(min(size, rng.randint(0, size)) if rng.random() < 0.3 else size)


def _stream(rng: random.Random) -> list[bytes]:
    parts: list[bytes] = []
    for _ in range(rng.randint(1, 40)):
        kind = rng.random()
        if kind < 0.55:
            text = rng.random() < 0.5
            body = _payload(rng)
            if text:
                body = body.hex().encode()[: len(body)]
            parts.append(_raw(0x81 if text else 0x82, body, wide=rng.choice([0, 0, 0, 2, 8])))
        elif kind < 0.65:
            data = rng.randbytes(rng.randint(0, 125))
            parts.append(Frame(rng.choice([PING, PONG]), data).serialize(mask=False))
        elif kind < 0.72:  # a fragmented message, maybe with a ping in between
            first = rng.choice([TEXT, BINARY])
            pieces = [b"ab", b"", b"cd" * rng.randint(0, 100)]
            parts.append(Frame(first, pieces[0], fin=False).serialize(mask=False))
            if rng.random() < 0.5:
                parts.append(Frame(PING, b"p").serialize(mask=False))
            parts.append(Frame(CONT, pieces[1], fin=False).serialize(mask=False))
            parts.append(Frame(CONT, pieces[2]).serialize(mask=False))
        elif kind < 0.75:
            parts.append(_raw(0x81, b"ok\xff\xfe"))  # invalid UTF-8
        elif kind < 0.78:
            parts.append(_raw(0x82, b"masked", masked=True))
        elif kind < 0.81:
            parts.append(_raw(rng.choice([0xC2, 0xA1, 0x92]), b"rsv"))  # RSV bits
        elif kind < 0.83:
            parts.append(_raw(rng.choice([0x83, 0x8B, 0x02]), b"odd"))  # bad opcode / no FIN
        elif kind < 0.85:
            parts.append(Frame(CONT, b"orphan").serialize(mask=False))
        elif kind < 0.87:
            parts.append(Frame(CLOSE, b"\x03\xe8bye").serialize(mask=False))
        else:
            parts.append(_raw(0x82, rng.randbytes(rng.randint(0, 60))))
    return parts


def _reads(rng: random.Random, data: bytes) -> list[bytes]:
    reads: list[bytes] = []
    pos = 0
    while pos < len(data):
        size = rng.choice([1, 2, 3, 7, 100, SLICE - 1, SLICE + 3, 10_000, 300_000])
        reads.append(data[pos : pos + size])
        pos += size
    return reads


def _run(sock: Socket, reads: list[bytes], eof: bool) -> None:
    for chunk in reads:
        sock.data_received(chunk)
        while sock._drain_scheduled:
            sock._drain()
    if eof:
        sock.eof_received()
        sock.connection_lost(None)
        while sock._drain_scheduled:
            sock._drain()


def _outcome(sock: Socket, inbox: list[bytes | str], transport: _Transport) -> object:
    p = sock.protocol
    return (
        inbox,
        p.state,
        p.close_sent and (p.close_sent.code, p.close_sent.reason),
        p.close_rcvd and (p.close_rcvd.code, p.close_rcvd.reason),
        type(p.parser_exc),
        _client_frames(bytes(transport.written)),
        transport.closing,
    )


async def test_fast_path_matches_websockets_parser() -> None:
    rng = random.Random(20261201)
    fast_frames = 0
    for case in range(400):
        frames = _stream(rng)
        reads = _reads(rng, b"".join(frames))
        eof = rng.random() < 0.3
        max_size = rng.choice([None, 1 << 20, 4096, 100])
        results = []
        for fast in (True, False):
            sock, inbox, transport = _open_socket(max_size, fast)
            _run(sock, reads if fast else frames, eof)
            results.append(_outcome(sock, inbox, transport))
            if fast:
                fast_frames += len(inbox)
        assert results[0] == results[1], f"case {case}"
    assert fast_frames > 1000  # the fuzz did exercise the fast path


async def test_plain_frames_skip_websockets_parser() -> None:
    """A read of complete plain frames never reaches websockets' parser (the point of it)."""
    sock, inbox, _ = _open_socket(1 << 20, fast=True)
    calls = 0
    original = sock.protocol.receive_data

    def counting(data: bytes | bytearray) -> None:
        nonlocal calls
        calls += 1
        original(data)

    sock.protocol.receive_data = counting  # type: ignore[method-assign]
    frames = b"".join(_raw(0x82, b"m%d" % i) for i in range(100)) + _raw(0x81, b"done")
    _run(sock, [frames[:7], frames[7:]], eof=False)
    assert inbox == [b"m%d" % i for i in range(100)] + ["done"]
    assert calls == 0
    _run(sock, [Frame(PING, b"x").serialize(mask=False) + _raw(0x82, b"after")], eof=False)
    assert calls == 1  # the ping alone
    assert inbox[-1] == b"after"


async def test_sent_frames_are_what_websockets_would_send() -> None:
    """Data frames serialized by the socket (its own mask pool) parse as websockets' do,
    every mask is fresh, and a pong websockets queued first goes first."""
    sock, _, transport = _open_socket(1 << 20, fast=True)
    payloads: list[bytes | str] = [b"", b"x" * 125, b"y" * 126, b"z" * 65535, b"w" * 65536]
    payloads += ["", "h\u00e9llo \u2603", "t" * 300]
    payloads += [b"m%d" % i for i in range(300)]  # more frames than one pool refill
    sock.data_received(Frame(PING, b"p").serialize(mask=False))
    sock.send(payloads)
    sock._flush()
    frames = _client_frames(bytes(transport.written))
    assert frames[0] == (int(PONG), b"p")
    expected = [
        (int(TEXT), p.encode()) if isinstance(p, str) else (int(BINARY), p) for p in payloads
    ]
    assert frames[1:] == expected
    masks = _masks(bytes(transport.written))
    assert len(masks) == len(payloads) + 1
    assert len(set(masks)) > len(masks) - 3  # random: a repeat is a 1-in-2**32 chance


def _masks(data: bytes) -> list[bytes]:
    out = []
    pos = 0
    while pos < len(data):
        n = data[pos + 1] & 0x7F
        head = 2 + (2 if n == 126 else 8 if n == 127 else 0)
        if n >= 126:
            n = int.from_bytes(data[pos + 2 : pos + head], "big")
        out.append(data[pos + head : pos + head + 4])
        pos += head + 4 + n
    return out
