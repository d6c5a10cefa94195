"""A connection's outgoing server frames, written to the socket in batches.

Every frame queued during one turn of the event loop leaves in one `transport.write`: one system call
for a whole burst instead of one per event, and the client reads many frames per wake-up too. The
frames are built by the connection's own websockets protocol object (framing, state and flow control
stay websockets' business); only the write is gathered.
"""

from __future__ import annotations

import asyncio

from websockets.asyncio.server import ServerConnection
from websockets.protocol import State

BATCH_BYTES = 256 * 1024  # a burst bigger than this is written at once rather than at the end of the turn


class Outbox:
    def __init__(self, ws: ServerConnection) -> None:
        self._ws = ws
        self._frames: list[bytes] = []
        self._bytes = 0

    async def send(self, frame: bytes) -> bool:
        """Queue one text frame (UTF-8 JSON); wait while the client is not keeping up. False, and the frame
        dropped, once the connection is no longer open."""
        if self._ws.protocol.state is not State.OPEN:
            return False
        if not self._frames:
            asyncio.get_running_loop().call_soon(self.flush)
        self._frames.append(frame)
        self._bytes += len(frame)
        if self._bytes >= BATCH_BYTES:
            self.flush()
        await self._ws.drain()  # returns at once unless the socket's write buffer is over its limit
        return True

    def flush(self) -> None:
        """Write what is queued now (before a close or an unbatched send; frames keep their order)."""
        frames, self._frames, self._bytes = self._frames, [], 0
        protocol = self._ws.protocol
        if not frames or protocol.state is not State.OPEN or self._ws.transport.is_closing():
            return  # a closing connection drops them, as a send would have failed
        for frame in frames:
            protocol.send_text(frame)
        self._ws.transport.write(b"".join(protocol.data_to_send()))
