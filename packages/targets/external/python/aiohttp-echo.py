"""WebSocket echo server on aiohttp (Debian bookworm: python3-aiohttp 3.8), an external wsmatrix target:

    python3 aiohttp-echo.py --host 127.0.0.1 --port 9001

A `web.WebSocketResponse()` with every documented default, served by aiohttp's own HTTP server (AppRunner and
TCPSite) on every path. Its default compress=True accepts permessage-deflate whenever the client offers it, so
this one program is both the plain column and the compressing one. Nothing is logged per request or message.
"""

import sys

sys.dont_write_bytecode = True  # no __pycache__ beside the scripts for the helper modules they import

import asyncio

from aiohttp import WSMsgType, web

from server_args import parse_server_args


async def echo(request: web.Request) -> web.WebSocketResponse:
    """Sends every message back as received: TEXT stays text, BINARY stays binary."""
    ws = web.WebSocketResponse()
    await ws.prepare(request)
    try:
        async for msg in ws:  # ends at the close, which aiohttp answers itself (autoclose)
            if msg.type == WSMsgType.TEXT:
                await ws.send_str(msg.data)
            elif msg.type == WSMsgType.BINARY:
                await ws.send_bytes(msg.data)
    except ConnectionResetError:
        pass  # the peer went away while we echoed: nothing left to answer
    return ws


async def serve(host: str, port: int) -> None:
    app = web.Application()
    app.router.add_get("/{path:.*}", echo)
    # No access log (a line per request); no signal handlers, so SIGTERM ends the process at once.
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    await asyncio.Future()  # until SIGTERM / SIGKILL ends the process


def main() -> None:
    args = parse_server_args("aiohttp-echo.py", __doc__.splitlines()[0], deflate_option=False)
    asyncio.run(serve(args.host, args.port))


if __name__ == "__main__":
    main()
