"""Autobahn fuzzingserver driver for Python's `websockets` client, run by @wsmatrix/targets as

    python3 python-websockets-client.py BASE_URL AGENT

the way websockets' own compliance/asyncio/client.py drives it: read /getCaseCount, run the cases one
after the other (each connection closed before the next opens), echoing every message (str stays text,
bytes stays binary) with messages up to 32 MiB, then /updateReports. Uses the asyncio client: the new
implementation (websockets.asyncio.client, 13.0 and later) where the installed version has it, else the
one 10.x-12.x ship as websockets.connect (Debian bookworm: 10.4).
"""

import asyncio
import json
import logging
import sys
import urllib.parse

import websockets
from websockets.exceptions import WebSocketException

try:
    from websockets.asyncio.client import connect
except ImportError:
    from websockets import connect


logging.basicConfig(level=logging.WARNING)


async def get_case_count(base):
    async with connect(f"{base}/getCaseCount") as ws:
        return json.loads(await ws.recv())


async def run_case(base, case, agent):
    async with connect(f"{base}/runCase?case={case}&agent={agent}", max_size=2**25) as ws:
        try:
            async for msg in ws:
                await ws.send(msg)
        except WebSocketException:
            pass  # the case ended the connection abnormally; its verdict is the server's to give


async def update_reports(base, agent):
    async with connect(f"{base}/updateReports?agent={agent}", open_timeout=60):
        pass


async def main(base, agent):
    cases = await get_case_count(base)
    for case in range(1, cases + 1):
        print(f"Running test case {case}/{cases}", flush=True)
        try:
            await run_case(base, case, agent)
        except Exception as exc:  # a failed handshake, a refused connection: on to the next case
            print(f"case {case}: {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
    print(f"Ran {cases} test cases (websockets {websockets.__version__})", flush=True)
    await update_reports(base, agent)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print("usage: python3 python-websockets-client.py BASE_URL AGENT", file=sys.stderr)
        sys.exit(2)
    asyncio.run(main(sys.argv[1].rstrip("/"), urllib.parse.quote(sys.argv[2], safe="")))
