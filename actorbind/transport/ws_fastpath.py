"""The frame fast path beside websockets' parser: plain data frames cut straight out of a read.

Complete, unmasked, unfragmented text/binary frames with no RSV bits (nearly all of what a
RivetKit server sends) are cut here, so a flood costs no generator step, ``Frame`` or
``Opcode`` per message. :class:`~actorbind.transport.websocket.Socket` hands anything else
(control frames, fragments, a frame over the size limit, masked or RSV frames, invalid UTF-8)
to websockets' own parser, frame by frame, so its checks and close codes apply unchanged.
"""

from __future__ import annotations

__all__ = ["RETAIN", "cut_frames", "frame_size"]

RETAIN = 65536 + 14
"""Largest frame (header included) the fast path waits for; bigger ones stream to websockets."""


def cut_frames(data: bytes, pos: int, stop: int, limit: int | None, out: list[bytes | str]) -> int:
    """Append the payloads of the plain frames at ``data[pos:]`` that start before ``stop``.

    Plain: FIN, no RSV bits, text or binary, unmasked, complete, within ``limit``, and valid
    UTF-8 if text. Returns the position of the first frame that is not plain (or ``stop``).
    """
    n = len(data)
    while pos < stop and pos + 2 <= n:
        b0 = data[pos]
        if b0 != 0x82 and b0 != 0x81:
            break
        length = data[pos + 1]
        if length < 126:  # also: the mask bit is clear
            start = pos + 2
        elif length == 126:
            start = pos + 4
            if start > n:
                break
            length = data[pos + 2] << 8 | data[pos + 3]
        elif length == 127:
            start = pos + 10
            if start > n:
                break
            length = int.from_bytes(data[pos + 2 : start], "big")
        else:
            break  # masked
        if limit is not None and length > limit:
            break
        end = start + length
        if end > n:
            break
        if b0 == 0x82:
            out.append(data[start:end])
        else:
            try:
                out.append(data[start:end].decode())
            except UnicodeDecodeError:
                break  # websockets' path fails the socket with 1007
        pos = end
    return pos


def frame_size(data: bytes, pos: int, limit: int | None) -> tuple[int | None, bool]:
    """The whole size of the frame at ``data[pos:]`` (``None`` if its header is incomplete),
    and whether it is a plain data frame within ``limit`` (one the fast path can wait for)."""
    n = len(data)
    if pos + 2 > n:
        return None, True
    b0, b1 = data[pos], data[pos + 1]
    length = b1 & 0x7F
    head = 2
    if length == 126:
        head = 4
    elif length == 127:
        head = 10
    if pos + head > n:
        return None, True
    if head > 2:
        length = int.from_bytes(data[pos + 2 : pos + head], "big")
    masked = bool(b1 & 0x80)
    usual = (b0 == 0x81 or b0 == 0x82) and not masked and (limit is None or length <= limit)
    return head + (4 if masked else 0) + length, usual
