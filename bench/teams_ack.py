"""Teams turn latency: the HTTP response of the real messaging endpoint vs. the same endpoint with a no-op
agent, on the same Agents SDK adapter, in the same run (issue 16's benchmark).

Activities are POSTed over loopback HTTP by 16 concurrent clients (kept-alive connections), each with a bearer
token signed by a throwaway key and checked against the fake's key endpoint, to two endpoints built by
`bot.teams.wiring.build_teams`: one with the real agent, where every activity is a real conversation step
(a card's Help press on a stored draft: load, decrypt, engine, seal, save, reply through the fake connector
with the bot's token from the fake Entra), and one whose agent does nothing. Rounds alternate between the two
so machine noise hits both. Every real turn is waited for and counted at the connector. Target: real p99
within 1.5x of no-op p99.

    .venv/bin/python bench/teams_ack.py [--requests 800] [--clients 16] [--rounds 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from bench.common import write_result  # noqa: E402


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def fire(url: str, bodies: list[dict[str, Any]], token: str, clients: int) -> list[float]:
    """POST every body, `clients` at a time; the HTTP response times in ms."""
    times: list[float] = []
    lock = threading.Lock()
    chunks = [bodies[i::clients] for i in range(clients)]

    def client(chunk: list[dict[str, Any]]) -> None:
        with httpx.Client(timeout=60.0, headers={"Authorization": f"Bearer {token}"}) as http:
            for body in chunk:
                start = time.perf_counter()
                answer = http.post(url, json=body)
                elapsed = (time.perf_counter() - start) * 1000
                if answer.status_code != 202:
                    raise SystemExit(f"unexpected HTTP {answer.status_code}")
                with lock:
                    times.append(elapsed)

    threads = [threading.Thread(target=client, args=(c,)) for c in chunks]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=800, help="activities per round")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3, help="rounds of each (alternating)")
    parser.add_argument("--output", type=Path)
    args = parser.parse_args()

    from bot.clock import FixedClock
    from bot.teams import cards as c
    from bot.teams.agent import NoOpAgent
    from cases.packs import bundled_pack
    from storage.keyring import KeyRing
    from storage.store import open_store
    from tests.support.databases import sqlite_engine
    from tests.support.fake_teams import fake_teams
    from tests.support.teams_bot import TeamsHarness, teams_board

    figures: dict[str, list[float]] = {"real": [], "noop": []}
    with tempfile.TemporaryDirectory() as tmp, fake_teams(Path(tmp) / "certs") as fake:
        board = teams_board()
        engine = sqlite_engine(f"{tmp}/scrbot.db")
        store = open_store(
            engine, board, KeyRing.load_or_create(Path(tmp) / "keys.json", board.id), bundled_pack(board.rules_pack)
        )
        clock = FixedClock(datetime(2026, 11, 23, 10, tzinfo=UTC))
        users = [f"0b1c2d3e-0000-4000-8000-{n:012d}" for n in range(args.clients)]
        with TeamsHarness(store, clock, fake) as real, TeamsHarness(store, clock, fake, agent=NoOpAgent()) as noop:
            for user in users:  # each client's person has a referral in progress
                real.post(real.personal("refer", user=user))
            real.drain()
            token = fake.token(expires_in=3600)
            help_press = {"scr": c.COMMAND, "c": "help", "k": "referrer.name"}
            for _ in range(args.rounds):
                for name, bot in (("real", real), ("noop", noop)):
                    bodies = [bot.personal(value=help_press, user=users[i % len(users)]) for i in range(args.requests)]
                    before = len(fake.state.posted())
                    figures[name] += fire(bot.server.url, bodies, token, args.clients)
                    bot.drain()
                    replies = len(fake.state.posted()) - before
                    if name == "real" and replies < args.requests:
                        raise SystemExit(f"only {replies} of {args.requests} turns replied")
        engine.dispose()

    result: dict[str, Any] = {"requests_per_round": args.requests, "clients": args.clients, "rounds": args.rounds}
    for name, times in figures.items():
        result[name] = {
            "p50_ms": round(statistics.median(times), 2),
            "p99_ms": round(percentile(times, 0.99), 2),
            "max_ms": round(max(times), 2),
            "count": len(times),
        }
    result["ratio_p99"] = round(result["real"]["p99_ms"] / result["noop"]["p99_ms"], 3)
    result["target_ratio_p99"] = 1.5
    print(f"real:  p50 {result['real']['p50_ms']} ms, p99 {result['real']['p99_ms']} ms")
    print(f"no-op: p50 {result['noop']['p50_ms']} ms, p99 {result['noop']['p99_ms']} ms")
    print(f"ratio p99 real/no-op: {result['ratio_p99']} (target <= 1.5)")
    path = write_result("teams_ack", result, args.output)
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
