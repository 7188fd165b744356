"""Autobahn fuzzingserver driver for aiohttp's client (Debian bookworm: python3-aiohttp 3.8), run as

    python3 aiohttp-client.py BASE_URL AGENT [--plan]

Each connection is a `session.ws_connect(url)` with every documented default (max_msg_size 4 MiB, compress 0:
no permessage-deflate offer, autoclose and autoping on), echoing TEXT as text and BINARY as binary, as aiohttp's
own Autobahn client (tests/autobahn/client/client.py) does, but in an `aiohttp.ClientSession()` of its own:
with one session (and its connection pool) for the whole run, as that client has, after group 0's malformed
handshakes a later case's handshake now and then failed with "Expected HTTP/", a verdict that was not its own.
The fuzzingserver protocol and --plan: fuzzingserver_driver.py.
"""

import sys

sys.dont_write_bytecode = True  # no __pycache__ beside the scripts for the helper modules they import

import contextlib
from typing import AsyncIterator, Optional

import aiohttp
import yarl
from aiohttp import WSMsgType

import fuzzingserver_driver


@contextlib.asynccontextmanager
async def ws_connect(url: str) -> AsyncIterator[aiohttp.ClientWebSocketResponse]:
    # encoded=True: the URL is sent as the driver built it (yarl would turn the agent's %2F back into "/").
    async with aiohttp.ClientSession() as session, session.ws_connect(yarl.URL(url, encoded=True)) as ws:
        yield ws


class AiohttpClient:
    async def first_text(self, url: str) -> Optional[str]:
        text = None
        async with ws_connect(url) as ws:
            async for msg in ws:  # until the server's close, which aiohttp answers (autoclose)
                if text is None and msg.type == WSMsgType.TEXT:
                    text = msg.data
        return text

    async def echo_case(self, url: str) -> None:
        async with ws_connect(url) as ws:
            async for msg in ws:
                try:
                    if msg.type == WSMsgType.TEXT:
                        await ws.send_str(msg.data)
                    elif msg.type == WSMsgType.BINARY:
                        await ws.send_bytes(msg.data)
                except ConnectionResetError:
                    pass  # closing already: the loop ends at the close

    async def wait_close(self, url: str) -> None:
        async with ws_connect(url) as ws:
            async for _ in ws:
                pass


if __name__ == "__main__":
    fuzzingserver_driver.main(
        "aiohttp-client.py", f"aiohttp {aiohttp.__version__}", lambda: contextlib.nullcontext(AiohttpClient())
    )
