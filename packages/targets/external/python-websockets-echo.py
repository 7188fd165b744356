"""WebSocket echo server on Python's `websockets` library (Debian bookworm: python3-websockets 10.4),
used as an external matrix target by @wsmatrix/targets.

    python3 python-websockets-echo.py --host 127.0.0.1 --port 9001 [--max-message BYTES]

Uses `websockets.serve`, the asyncio API 10.x ships (the "legacy" implementation since 10.0;
the new asyncio server only arrived in 13.0), with compression and keepalive pings off so the
server sends nothing a test did not ask for.
"""

import argparse
import asyncio
import logging
import sys

import websockets


async def echo(websocket, path=None):
    """Sends every message back as received: str stays text, bytes stays binary."""
    try:
        async for message in websocket:
            await websocket.send(message)
    except websockets.ConnectionClosed:
        pass  # the close handshake (or its failure) is the library's business


async def serve(host: str, port: int, max_message: int) -> None:
    async with websockets.serve(
        echo,
        host,
        port,
        max_size=max_message,
        compression=None,
        ping_interval=None,  # no keepalive pings the peer did not ask for
        ping_timeout=None,
    ):
        print(f"python-websockets-echo: websockets {websockets.__version__}, listening on {host}:{port}",
              file=sys.stderr, flush=True)
        await asyncio.Future()  # until SIGTERM / SIGKILL ends the process


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--max-message", type=int, default=32 * 1024 * 1024)
    args = parser.parse_args()
    # Warnings and errors only: connection-level INFO lines would flood the captured stderr.
    logging.basicConfig(level=logging.WARNING, format="%(name)s: %(levelname)s %(message)s")
    asyncio.run(serve(args.host, args.port, args.max_message))


if __name__ == "__main__":
    main()
