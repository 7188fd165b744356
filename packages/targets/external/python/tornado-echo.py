"""WebSocket echo server on Tornado (Debian bookworm: python3-tornado 6.2), an external wsmatrix target:

    python3 tornado-echo.py --host 127.0.0.1 --port 9001 [--deflate]

A `tornado.websocket.WebSocketHandler` on every path of a `tornado.web.Application`, with every documented
default (max_message_size 10 MiB, no pings, no compression). --deflate: the handler's
get_compression_options() returns {} (Tornado's documented way to accept permessage-deflate, with its default
compression level and memory level), as Tornado's own Autobahn server (maint/test/websocket/server.py) does.
"""

import sys

sys.dont_write_bytecode = True  # no __pycache__ beside the scripts for the helper modules they import

import asyncio
import logging

from tornado.web import Application
from tornado.websocket import WebSocketClosedError, WebSocketHandler

from server_args import parse_server_args


class EchoHandler(WebSocketHandler):
    async def on_message(self, message):
        """str is a text message, bytes a binary one: each goes back as it came."""
        try:
            # Awaited, so Tornado reads the next message only once this one is written (its flow control).
            await self.write_message(message, binary=isinstance(message, bytes))
        except WebSocketClosedError:
            pass  # the peer went away while we echoed: nothing left to answer


class DeflateEchoHandler(EchoHandler):
    def get_compression_options(self):
        return {}


async def serve(host: str, port: int, deflate: bool) -> None:
    app = Application([(r"/.*", DeflateEchoHandler if deflate else EchoHandler)])
    app.listen(port, address=host)
    await asyncio.Future()  # until SIGTERM / SIGKILL ends the process


def main() -> None:
    args = parse_server_args("tornado-echo.py", __doc__.splitlines()[0], deflate_option=True)
    # Tornado's access log warns about every refused handshake; its errors (and ours) still show.
    logging.basicConfig(level=logging.WARNING, format="%(name)s: %(levelname)s %(message)s")
    logging.getLogger("tornado.access").setLevel(logging.ERROR)
    asyncio.run(serve(args.host, args.port, args.deflate))


if __name__ == "__main__":
    main()
