"""Autobahn fuzzingserver driver for wsproto's client side (Debian bookworm: python3-wsproto 1.2), run as

    python3 wsproto-client.py BASE_URL AGENT [--plan]

wsproto is sans-I/O: each case is an asyncio connection (asyncio.open_connection) around a
`WSConnection(ConnectionType.CLIENT)` that sends `Request(host, target)` with wsproto's defaults (no
extensions offered, unlike wsproto's own compliance client, which offers PerMessageDeflate), then the loop of
wsproto_loop.py, which echoes each piece of a message as it arrives. The fuzzingserver protocol and --plan:
fuzzingserver_driver.py.
"""

import sys

sys.dont_write_bytecode = True  # no __pycache__ beside the scripts for the helper modules they import

import asyncio
import contextlib
from typing import Optional
from urllib.parse import urlsplit

import wsproto
from wsproto import ConnectionType, WSConnection
from wsproto.events import Message, Request

import fuzzingserver_driver
from wsproto_loop import OnMessage, echo_piece, run_connection


async def connect_until_closed(url: str, on_message: OnMessage) -> None:
    parts = urlsplit(url)
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port or 80)
    try:
        ws = WSConnection(ConnectionType.CLIENT)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        writer.write(ws.send(Request(host=parts.netloc, target=target)))
        await run_connection(ws, reader, writer, client=True, on_message=on_message)
    finally:
        writer.close()


class WsprotoClient:
    async def first_text(self, url: str) -> Optional[str]:
        pieces = []
        texts = []

        def keep_text(piece: Message) -> None:
            if isinstance(piece.data, str):
                pieces.append(piece.data)
                if piece.message_finished:
                    texts.append("".join(pieces))
                    pieces.clear()
            return None

        await connect_until_closed(url, keep_text)
        return texts[0] if texts else None

    async def echo_case(self, url: str) -> None:
        await connect_until_closed(url, echo_piece)

    async def wait_close(self, url: str) -> None:
        await connect_until_closed(url, lambda _piece: None)


if __name__ == "__main__":
    fuzzingserver_driver.main(
        "wsproto-client.py", f"wsproto {wsproto.__version__}", lambda: contextlib.nullcontext(WsprotoClient())
    )
