"""Autobahn's fuzzingserver protocol, played with one library's client: the part every client driver of this
folder shares. A driver (e.g. aiohttp-client.py) supplies a `Client` and calls `main`; it is run as

    python3 <library>-client.py BASE_URL AGENT [--plan]

Without --plan: read the case count from /getCaseCount, then play /runCase?case=N&agent=AGENT for N = 1..count,
each connection closed before the next opens, echoing every message with its type, then /updateReports. With
--plan: read wsmatrix's /getCasePlan (JSON {"phases": [{"cases": [...], "concurrency": N}, ...]}, an extension
Autobahn does not have) and play its phases one after the other, at most `concurrency` cases of a phase open at
once. "Running test case N/COUNT" goes to stdout for each case. A case that fails to connect or ends in an
error is the verdict's business (one line on stderr, then the next case); no count or plan, or a failed
/updateReports, ends the driver with one line on stderr and exit status 1; bad arguments with exit status 2.
"""

import asyncio
import json
import sys
import urllib.parse
from typing import AsyncContextManager, Callable, List, Optional, Protocol


class Client(Protocol):
    """What a driver does with its library's client, one connection per call."""

    async def first_text(self, url: str) -> Optional[str]:
        """Connects, reads until the server closes, returns the first text message (None without one)."""

    async def echo_case(self, url: str) -> None:
        """Connects and sends every message back with its type until the connection has closed."""

    async def wait_close(self, url: str) -> None:
        """Connects and waits until the server has closed the connection."""


class DriverFailed(Exception):
    """The driver itself cannot go on; the message is the one line it prints."""


def parse_plan(text: Optional[str]) -> Optional[List[dict]]:
    """The plan's phases, or None when the answer is not a plan."""
    try:
        phases = json.loads(text or "")["phases"]
    except (ValueError, TypeError, KeyError):
        return None
    ok = isinstance(phases, list) and all(
        isinstance(p, dict) and isinstance(p.get("cases"), list) and isinstance(p.get("concurrency"), int)
        for p in phases
    )
    return phases if ok else None


def parse_count(text: Optional[str]) -> Optional[int]:
    try:
        count = int(text or "")
    except ValueError:
        return None
    return count if count > 0 else None


async def play_case(client: Client, base: str, agent: str, case: int, total: int) -> None:
    print(f"Running test case {case}/{total}", flush=True)
    try:
        await client.echo_case(f"{base}/runCase?case={case}&agent={agent}")
    except Exception as exc:  # a refused handshake, a reset: the fuzzingserver's verdict says what it was
        print(f"case {case}: {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)


async def play_phase(client: Client, base: str, agent: str, cases: List[int], concurrency: int, total: int) -> None:
    pending = iter(cases)  # shared by the workers: each takes the next case once its last one has closed

    async def worker() -> None:
        for case in pending:
            await play_case(client, base, agent, case, total)

    await asyncio.gather(*(worker() for _ in range(max(1, min(concurrency, len(cases))))))


async def first_text(client: Client, url: str, what: str) -> Optional[str]:
    try:
        return await client.first_text(url)
    except Exception as exc:
        raise DriverFailed(f"no {what} from {url}: {type(exc).__name__}: {exc}") from exc


async def play(client: Client, base: str, agent: str, planned: bool) -> int:
    """Plays every case and asks for the reports; returns how many cases there were."""
    if planned:
        url = f"{base}/getCasePlan"
        phases = parse_plan(await first_text(client, url, "case plan"))
        if phases is None:
            raise DriverFailed(f"no case plan from {url}")
        total = sum(len(phase["cases"]) for phase in phases)
        for phase in phases:
            await play_phase(client, base, agent, phase["cases"], phase["concurrency"], total)
    else:
        url = f"{base}/getCaseCount"
        total = parse_count(await first_text(client, url, "case count"))
        if total is None:
            raise DriverFailed(f"no case count from {url}")
        for case in range(1, total + 1):
            await play_case(client, base, agent, case, total)
    url = f"{base}/updateReports?agent={agent}"
    try:
        await client.wait_close(url)
    except Exception as exc:
        raise DriverFailed(f"{url} failed: {type(exc).__name__}: {exc}") from exc
    return total


def main(script: str, library: str, open_client: Callable[[], AsyncContextManager[Client]]) -> None:
    """Runs the driver on sys.argv; `library` (name and version) goes into the closing line."""
    args = sys.argv[1:]
    planned = args[-1:] == ["--plan"]
    if planned:
        args.pop()
    if len(args) != 2 or not args[0].startswith(("ws://", "wss://")):
        print(f"usage: python3 {script} ws://HOST:PORT AGENT [--plan]", file=sys.stderr)
        sys.exit(2)
    base = args[0].rstrip("/")
    agent = urllib.parse.quote(args[1], safe="")

    async def run() -> int:
        async with open_client() as client:
            return await play(client, base, agent, planned)

    try:
        total = asyncio.run(run())
    except DriverFailed as failed:
        print(str(failed), file=sys.stderr, flush=True)
        sys.exit(1)
    print(f"Ran {total} test cases ({library})", flush=True)
