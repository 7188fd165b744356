"""The asyncio socket loop around a wsproto connection, shared by wsproto-echo.py (the server) and
wsproto-client.py (the client driver). wsproto is sans-I/O: it turns bytes into events and events into bytes,
and this loop does the rest, the reading, writing and waiting, one phase at a time (Phase and `react`).

Messages are handed on as wsproto delivers them, a piece at a time (as wsproto's own compliance
server does): each received piece of a message goes straight back as one frame of the same type, the last
one final, so nothing is buffered whole and wsproto's lack of a message size limit stays the verdict's.
"""

import asyncio
from enum import Enum
from typing import Callable, List, Optional, Tuple

from wsproto import WSConnection
from wsproto.connection import ConnectionState
from wsproto.events import (
    AcceptConnection,
    BytesMessage,
    CloseConnection,
    Event,
    Message,
    Ping,
    RejectConnection,
    Request,
    TextMessage,
)
from wsproto.extensions import Extension
from wsproto.utilities import RemoteProtocolError

READ_SIZE = 65536
# wsproto keeps no time: how long a connection past its close waits for the peer to end TCP (a client after the
# close handshake, as RFC 6455 §7.1.1 has the server close first; either side after failing the connection).
DRAIN_TIMEOUT_S = 5.0

# Gets each piece of a message; returns the piece to send back, or None to send nothing.
OnMessage = Callable[[Message], Optional[Message]]


class Phase(Enum):
    """Where a connection is; `react` decides every transition but FAILED's, which the loop ends once written."""

    OPEN = "opening handshake and messages"
    FAILED = "wsproto found a protocol error; our Close is about to be sent, then our side of TCP shut"
    DRAINING = "past the close: what still arrives is read and dropped, unparsed, until the peer ends TCP"
    OVER = "nothing more to read"


def echo_piece(piece: Message) -> Message:
    """The piece as received, with its type (text stays text, binary stays binary)."""
    kind = TextMessage if isinstance(piece, TextMessage) else BytesMessage
    return kind(data=piece.data, message_finished=piece.message_finished)


def react(
    ws: WSConnection, event: Event, client: bool, on_message: OnMessage, extensions: Callable[[], List[Extension]]
) -> Tuple[bytes, Optional[Phase]]:
    """The bytes an event calls for and the phase it leads to (None: the phase does not change)."""
    state = ws.state
    if isinstance(event, Request):
        return ws.send(AcceptConnection(extensions=extensions())), None
    if isinstance(event, RejectConnection):
        return b"", Phase.OVER  # the server refused our opening handshake
    if isinstance(event, Message):
        reply = on_message(event) if state is ConnectionState.OPEN else None
        return (ws.send(reply) if reply is not None else b""), None
    if isinstance(event, Ping):
        return (ws.send(event.response()) if state is ConnectionState.OPEN else b""), None
    if isinstance(event, CloseConnection):
        if state is ConnectionState.REMOTE_CLOSING:  # the peer's Close: answered with its code
            return ws.send(event.response()), Phase.DRAINING if client else Phase.OVER
        if state is ConnectionState.OPEN:  # wsproto found a protocol error and names the Close to send
            # RFC 6455 §7.1.7: after failing the connection, no more data (not even the peer's Close) is
            # processed; wsproto could not parse it anyway, its buffer still holds the bad frame.
            return ws.send(event.response()), Phase.FAILED
        return b"", Phase.OVER  # TCP ended without a Close
    return b"", None  # AcceptConnection, Pong, RejectData: nothing to answer


async def run_connection(
    ws: WSConnection,
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    *,
    client: bool,
    on_message: OnMessage = echo_piece,
    extensions: Callable[[], List[Extension]] = list,
) -> None:
    """Plays one connection until it is over; the caller closes the writer. A client has sent its Request."""
    phase = Phase.OPEN
    try:
        while phase is not Phase.OVER:
            data = await asyncio.wait_for(reader.read(READ_SIZE), None if phase is Phase.OPEN else DRAIN_TIMEOUT_S)
            if phase is Phase.DRAINING:
                phase = Phase.OVER if not data else phase
                continue
            try:
                ws.receive_data(data or None)
            except RemoteProtocolError as err:  # an opening handshake wsproto refuses, with its suggested answer
                if err.event_hint is not None and not client:
                    writer.write(ws.send(err.event_hint))
                    await writer.drain()
                return
            out = bytearray()
            for event in ws.events():
                reply, next_phase = react(ws, event, client, on_message, extensions)
                out += reply
                phase = next_phase or phase
                if phase is not Phase.OPEN:
                    break
            if out:
                writer.write(out)
                await writer.drain()
            if phase is Phase.FAILED:
                # Our FIN follows the Close, so the peer sees us end the connection, while reading on until it
                # ends its side keeps unread bytes from turning our close into a reset that could lose the Close.
                writer.write_eof()
                phase = Phase.DRAINING
            if not data:
                phase = Phase.OVER
    except (asyncio.TimeoutError, ConnectionError):
        pass  # the peer went silent or away: the connection is over either way
