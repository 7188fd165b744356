"""Autobahn fuzzingserver driver for Tornado's client (Debian bookworm: python3-tornado 6.2), run as

    python3 tornado-client.py BASE_URL AGENT [--plan]

Each case is a `tornado.websocket.websocket_connect(url)` with every documented default (max_message_size
10 MiB, no compression offer, no pings): read_message() until it answers None (the connection has closed),
writing each message back with binary=isinstance(message, bytes), as Tornado's own Autobahn client
(maint/test/websocket/client.py) does, except that its compression_options={} is not set here: the
client's default does not offer permessage-deflate. The fuzzingserver protocol and --plan:
fuzzingserver_driver.py.

Tornado 6.2 lets an exception out of its frame loop when a Close's reason is not UTF-8 (case 7.5.1): the loop
ends without closing the connection, so read_message() never answers again and the driver would wait forever.
The fuzzingserver judges such a case and ends TCP within seconds (the dead loop never reads that end), so a
case whose connection has been silent for IDLE_LIMIT_S is given up, with one line on stderr, and the next
one starts.
"""

import sys

sys.dont_write_bytecode = True  # no __pycache__ beside the scripts for the helper modules they import

import asyncio
import contextlib
from typing import Optional, Union

import tornado
from tornado.websocket import WebSocketClientConnection, WebSocketClosedError, websocket_connect

import fuzzingserver_driver

# Far above any silence within a case (the fuzzingserver's waits are a few seconds).
IDLE_LIMIT_S = 30.0


class CaseAbandoned(Exception):
    pass


async def next_message(connection: WebSocketClientConnection) -> Union[None, str, bytes]:
    """The next message, None once the connection has closed; CaseAbandoned after IDLE_LIMIT_S of silence."""
    try:
        return await asyncio.wait_for(connection.read_message(), IDLE_LIMIT_S)
    except asyncio.TimeoutError:
        connection.close()
        raise CaseAbandoned(f"no message and no close for {IDLE_LIMIT_S:g} s: given up") from None


class TornadoClient:
    async def first_text(self, url: str) -> Optional[str]:
        text = None
        connection = await websocket_connect(url)
        while (message := await next_message(connection)) is not None:
            if text is None and isinstance(message, str):
                text = message
        return text

    async def echo_case(self, url: str) -> None:
        connection = await websocket_connect(url)
        while (message := await next_message(connection)) is not None:
            try:
                await connection.write_message(message, binary=isinstance(message, bytes))
            except WebSocketClosedError:
                pass  # closing already: read_message() answers None once it has closed

    async def wait_close(self, url: str) -> None:
        connection = await websocket_connect(url)
        while await next_message(connection) is not None:
            pass


if __name__ == "__main__":
    fuzzingserver_driver.main(
        "tornado-client.py", f"tornado {tornado.version}", lambda: contextlib.nullcontext(TornadoClient())
    )
