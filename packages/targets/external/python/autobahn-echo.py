"""WebSocket echo server on Autobahn|Python (Debian bookworm: python3-autobahn 22.7), an external wsmatrix target:

    python3 autobahn-echo.py --host 127.0.0.1 --port 9001 [--deflate]

The asyncio flavour: a `WebSocketServerProtocol` whose onMessage sends the message back, made by a
`WebSocketServerFactory` with every documented protocol option left at its default (no message or frame size
limit, failByDrop on, no pings). --deflate: perMessageCompressionAccept accepts the client's first
permessage-deflate offer as it stands (PerMessageDeflateOfferAccept with its defaults), as the library's own
Autobahn testee (wstest/testee_server_aio.py) does.
"""

import sys

sys.dont_write_bytecode = True  # no __pycache__ beside the scripts for the helper modules they import

import asyncio

import txaio

txaio.use_asyncio()  # before anything of autobahn.asyncio is imported

from autobahn.asyncio.websocket import WebSocketServerFactory, WebSocketServerProtocol  # noqa: E402
from autobahn.websocket.compress import PerMessageDeflateOffer, PerMessageDeflateOfferAccept  # noqa: E402

from server_args import parse_server_args  # noqa: E402


class EchoServerProtocol(WebSocketServerProtocol):
    def onMessage(self, payload, isBinary):
        self.sendMessage(payload, isBinary)


def accept_deflate(offers):
    """The first permessage-deflate offer, accepted with the library's defaults; None declines them all."""
    for offer in offers:
        if isinstance(offer, PerMessageDeflateOffer):
            return PerMessageDeflateOfferAccept(offer)
    return None


async def serve(host: str, port: int, deflate: bool) -> None:
    factory = WebSocketServerFactory(f"ws://{host}:{port}")
    factory.protocol = EchoServerProtocol
    if deflate:
        factory.setProtocolOptions(perMessageCompressionAccept=accept_deflate)
    server = await asyncio.get_running_loop().create_server(factory, host, port)
    async with server:
        await server.serve_forever()  # until SIGTERM / SIGKILL ends the process


def main() -> None:
    args = parse_server_args("autobahn-echo.py", __doc__.splitlines()[0], deflate_option=True)
    asyncio.run(serve(args.host, args.port, args.deflate))


if __name__ == "__main__":
    main()
