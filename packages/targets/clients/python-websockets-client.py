"""Autobahn fuzzingserver driver for Python's `websockets` client, run by @wsmatrix/targets as

    python3 python-websockets-client.py BASE_URL AGENT [--plan]

the way websockets' own compliance/asyncio/client.py drives it: read /getCaseCount, run the cases one
after the other (each connection closed before the next opens), echoing every message (str stays text,
bytes stays binary) with messages up to 32 MiB, then /updateReports. Uses the asyncio client: the new
implementation (websockets.asyncio.client, 13.0 and later) where the installed version has it, else the
one 10.x-12.x ship as websockets.connect (Debian bookworm: 10.4).

With --plan the driver asks wsmatrix's /getCasePlan instead (an extension Autobahn does not have) and plays
its phases one after the other, at most `concurrency` cases of a phase open at once: the schedule of a
server run, which keeps the timing cases alone.
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


async def get_case_plan(base):
    async with connect(f"{base}/getCasePlan") as ws:
        return json.loads(await ws.recv())["phases"]


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


async def play_case(base, case, total, agent):
    print(f"Running test case {case}/{total}", flush=True)
    try:
        await run_case(base, case, agent)
    except Exception as exc:  # a failed handshake, a refused connection: on to the next case
        print(f"case {case}: {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)


async def play_phase(base, cases, concurrency, total, agent):
    pending = iter(cases)  # shared by the workers: each takes the next case once its last one closed

    async def worker():
        for case in pending:
            await play_case(base, case, total, agent)

    await asyncio.gather(*(worker() for _ in range(max(1, min(concurrency, len(cases))))))


async def main(base, agent, planned):
    if planned:
        phases = await get_case_plan(base)
        cases = sum(len(phase["cases"]) for phase in phases)
        for phase in phases:
            await play_phase(base, phase["cases"], phase["concurrency"], cases, agent)
    else:
        cases = await get_case_count(base)
        for case in range(1, cases + 1):
            await play_case(base, case, cases, agent)
    print(f"Ran {cases} test cases (websockets {websockets.__version__})", flush=True)
    await update_reports(base, agent)


if __name__ == "__main__":
    args = sys.argv[1:]
    planned = args[-1:] == ["--plan"]
    if planned:
        args.pop()
    if len(args) != 2:
        print("usage: python3 python-websockets-client.py BASE_URL AGENT [--plan]", file=sys.stderr)
        sys.exit(2)
    asyncio.run(main(args[0].rstrip("/"), urllib.parse.quote(args[1], safe=""), planned))
