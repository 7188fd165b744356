"""Autobahn fuzzingserver driver for Autobahn|Python's client (Debian bookworm: python3-autobahn 22.7), run as

    python3 autobahn-client.py BASE_URL AGENT [--plan]

The asyncio flavour: each case is a `WebSocketClientFactory(url)` with every documented protocol option at its
default (no size limits, no permessage-deflate offer, failByDrop on, no pings) making a
`WebSocketClientProtocol` whose onMessage sends the message back while the connection is open, as the
library's own Autobahn testee (wstest/testee_client_aio.py) does; that testee also offers permessage-deflate
and sets failByDrop=False, neither of which is done here. The case is over at onClose (the TCP connection
is gone). The fuzzingserver protocol and --plan: fuzzingserver_driver.py.
"""

import sys

sys.dont_write_bytecode = True  # no __pycache__ beside the scripts for the helper modules they import

import asyncio
import contextlib
from typing import Callable, Optional

import txaio

txaio.use_asyncio()  # before anything of autobahn.asyncio is imported

import autobahn  # noqa: E402
from autobahn.asyncio.websocket import WebSocketClientFactory, WebSocketClientProtocol  # noqa: E402

import fuzzingserver_driver  # noqa: E402

OnMessage = Callable[[WebSocketClientProtocol, bytes, bool], None]


class DriverClientProtocol(WebSocketClientProtocol):
    def onMessage(self, payload, isBinary):
        self.factory.on_message(self, payload, isBinary)

    def onClose(self, wasClean, code, reason):
        if not self.factory.closed.done():
            self.factory.closed.set_result(None)


def echo(protocol: WebSocketClientProtocol, payload: bytes, is_binary: bool) -> None:
    if protocol.state == protocol.STATE_OPEN:
        protocol.sendMessage(payload, is_binary)


async def connect_until_closed(url: str, on_message: OnMessage) -> None:
    factory = WebSocketClientFactory(url)
    factory.protocol = DriverClientProtocol
    factory.on_message = on_message
    factory.closed = asyncio.get_running_loop().create_future()
    await asyncio.get_running_loop().create_connection(factory, factory.host, factory.port)
    await factory.closed


class AutobahnClient:
    async def first_text(self, url: str) -> Optional[str]:
        texts = []

        def keep_text(_protocol, payload: bytes, is_binary: bool) -> None:
            if not is_binary:
                texts.append(payload.decode("utf-8"))

        await connect_until_closed(url, keep_text)
        return texts[0] if texts else None

    async def echo_case(self, url: str) -> None:
        await connect_until_closed(url, echo)

    async def wait_close(self, url: str) -> None:
        await connect_until_closed(url, lambda *_: None)


if __name__ == "__main__":
    fuzzingserver_driver.main(
        "autobahn-client.py", f"autobahn {autobahn.__version__}", lambda: contextlib.nullcontext(AutobahnClient())
    )
