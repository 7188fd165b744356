"""WebSocket echo server on wsproto (Debian bookworm: python3-wsproto 1.2), an external wsmatrix target:

    python3 wsproto-echo.py --host 127.0.0.1 --port 9001 [--deflate]

wsproto is sans-I/O, so the sockets are asyncio's (asyncio.start_server) and the loop around each
`WSConnection(ConnectionType.SERVER)` is ours (wsproto_loop.py): every upgrade request wsproto accepts gets
AcceptConnection(), every one it refuses gets the answer wsproto suggests (RemoteProtocolError.event_hint).
--deflate: AcceptConnection(extensions=[PerMessageDeflate()]), wsproto's extension with its defaults, as
wsproto's own compliance server (compliance/test_server.py) does.
"""

import sys

sys.dont_write_bytecode = True  # no __pycache__ beside the scripts for the helper modules they import

import asyncio
from typing import Callable, List

from wsproto import ConnectionType, WSConnection
from wsproto.extensions import Extension, PerMessageDeflate

from server_args import parse_server_args
from wsproto_loop import run_connection


def serve_connection(extensions: Callable[[], List[Extension]]):
    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await run_connection(WSConnection(ConnectionType.SERVER), reader, writer, client=False, extensions=extensions)
        finally:
            writer.close()

    return serve


async def serve(host: str, port: int, deflate: bool) -> None:
    # A new extension object per connection: it holds that connection's compression state.
    extensions = (lambda: [PerMessageDeflate()]) if deflate else list
    server = await asyncio.start_server(serve_connection(extensions), host, port)
    async with server:
        await server.serve_forever()  # until SIGTERM / SIGKILL ends the process


def main() -> None:
    args = parse_server_args("wsproto-echo.py", __doc__.splitlines()[0], deflate_option=True)
    asyncio.run(serve(args.host, args.port, args.deflate))


if __name__ == "__main__":
    main()
