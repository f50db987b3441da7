"""Slack acknowledgement latency: the real bot vs. the same bot with a no-op handler (issue 3's benchmark).

Sends signed block_actions requests over HTTP on loopback, from 16 concurrent clients (kept-alive
connections, in this process), to two bot processes built by `bot.slack.app.build_slack_app` and served by
`bot.slack.server` (threaded, listen backlog 1024): one with the real features, where every press is a real
step of a referral conversation (kept sealed before the acknowledgement; behind it, on the step worker, in a
child process of the bot's started and woken as `scrbot run` does (bot/slack/step_process.py): Back / Keep on
a stored draft: load, decrypt, engine, seal, save, post the next question to a fake Slack Web API in another
process), and one whose only handler acks. Rounds alternate between the two so machine noise hits
both. Targets (issue 15 §3): real p99 < 250 ms, and real p99 within 1.2x of no-op p99.

    .venv/bin/python bench/slack_ack.py [--requests 2000] [--clients 16] [--rounds 5]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import write_result  # noqa: E402
from tests.support.slack_requests import SlackRequests  # noqa: E402

SECRET = "bench-signing-secret"  # noqa: S105 - a test secret for a local bot


# --- the processes under test --------------------------------------------------------------------------------


def serve_fake() -> None:
    from tests.support.fake_slack import FakeSlack

    # The fake stands in for Slack's own servers, which are not on this machine: it must not take CPU from
    # the bot and the clients being measured.
    os.nice(19)
    with FakeSlack() as fake:
        print(f"FAKE {fake.base_url}", flush=True)
        sys.stdin.read()  # until the benchmark closes our stdin


def _bot(data_dir: str, api_url: str, **steps: Any) -> tuple[Any, Any, Any]:
    """The bot's Slack services, settings and client over a store in `data_dir` (the same in the serving
    process and its step worker's); `steps`: where the step worker runs (SlackServices.build)."""
    from slack_sdk import WebClient

    from bot.clock import SystemClock
    from bot.settings import Settings
    from bot.slack.services import SlackServices
    from cases.board import BoardConfig
    from cases.packs import bundled_pack
    from storage.db import make_engine, upgrade
    from storage.deliveries import DeliveryLog
    from storage.drafts import DraftPolicy, DraftStore
    from storage.keyring import KeyRing
    from storage.store import open_store

    board = BoardConfig.from_toml((ROOT / "examples" / "board.toml").read_text())
    engine = make_engine(f"sqlite+pysqlite:///{data_dir}/scrbot.db")
    upgrade(engine)
    store = open_store(
        engine, board, KeyRing.load_or_create(Path(data_dir) / "keys.json", board.id), bundled_pack(board.rules_pack)
    )
    token = "xoxb-bench"  # noqa: S105 - a fake token for the local fake Slack
    settings = Settings(slack_bot_token=token, slack_signing_secret=SECRET, slack_api_url=api_url)
    client = WebClient(token=token, base_url=api_url)
    services = SlackServices.build(
        store=store,
        drafts=DraftStore(store.sessions, store.cipher, board.id, store.audit, DraftPolicy()),
        deliveries=DeliveryLog(store.sessions, board.id),
        client=client,
        clock=SystemClock(),
        **steps,
    )
    return services, settings, client


def serve_steps(data_dir: str, api_url: str, owner: str) -> None:
    """The real bot's step worker, in a process of its own, as `scrbot steps work` is for `scrbot run`."""
    from bot.slack.app import build_slack_app
    from bot.slack.step_process import work_steps

    services, settings, client = _bot(data_dir, api_url, steps_owner=owner)
    build_slack_app(services, settings, client)  # registers the step handlers, starts the worker thread
    work_steps([services], sys.stdin.buffer)


def serve_bot(kind: str, data_dir: str, api_url: str) -> None:
    """A bot process: the real features (its step worker in a child process, started and woken as `scrbot
    run` does), or a single no-op handler; prints its URL, serves until stdin closes."""
    from datetime import UTC, datetime

    from slack_bolt import Ack, App

    from bot.slack.app import build_slack_app
    from bot.slack.server import serve_http, tune_interpreter
    from bot.slack.services import SlackServices
    from bot.slack.step_process import StepWorkerProcess
    from storage.received_steps import new_owner

    tune_interpreter()  # as `scrbot run` does
    worker = None
    if kind == "real":
        owner = new_owner()
        command = [sys.executable, __file__, "--serve", "steps", "--data-dir", data_dir, "--api-url", api_url]
        worker = StepWorkerProcess(owner=owner, command=[*command, "--owner", owner])
        services, settings, client = _bot(data_dir, api_url, steps_owner=owner, steps_elsewhere=worker.wake)
    else:
        services, settings, client = _bot(data_dir, api_url)

    class NoOp:
        @staticmethod
        def register(app: App, services: SlackServices) -> None:
            def ack_only(ack: Ack) -> None:
                ack()

            app.action(re.compile(".*"))(ack_only)

    features = None if kind == "real" else [NoOp]
    app = build_slack_app(services, settings, client, features=features)  # type: ignore[list-item]
    server = serve_http(app, "127.0.0.1", 0)
    if worker is not None:
        worker.start()
    server.start_in_thread()
    print(f"BOT {server.url} {datetime.now(UTC).isoformat()}", flush=True)
    sys.stdin.read()
    server.stop()
    services.close()
    if worker is not None:
        worker.stop()


def _spawn(*args: str, marker: str) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, __file__, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line.startswith(marker):
        raise RuntimeError(f"{args[0]} did not start: {line!r}")
    return process, line.split()[1]


# --- the load ----------------------------------------------------------------------------------------------


def _users(clients: int) -> list[str]:
    return [f"UBENCH{n:04d}" for n in range(clients)]


def prepare(url: str, fake_url: str, users: list[str]) -> None:
    """Start each user's referral and answer the first question, so Back / Keep are real steps."""
    r = SlackRequests(SECRET, url)
    for user in users:
        r.post(r.command("/scr-refer", user))
    _settle(fake_url)
    for user in users:
        r.post(r.dm(user, "Bench Referrer"))
    _settle(fake_url)
    r.close()


def _calls(fake_url: str) -> int:
    with urllib.request.urlopen(fake_url.replace("/api/", "/calls"), timeout=10) as response:  # noqa: S310 - loopback
        return int(json.loads(response.read())["calls"])


def _settle(fake_url: str, quiet: float = 1.0, limit: float = 300.0) -> None:
    """Wait until the bot's background work has finished (no new Slack calls for `quiet` seconds)."""
    deadline = time.monotonic() + limit
    last, since = _calls(fake_url), time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.2)
        now = _calls(fake_url)
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return


def blast(url: str, users: list[str], count: int) -> list[float]:
    """`count` signed button presses from len(users) concurrent clients; ack latencies in milliseconds."""
    latencies: list[float] = []
    lock = threading.Lock()
    per_client = count // len(users)

    def client(user: str) -> None:
        r = SlackRequests(SECRET, url)
        mine = []
        for n in range(per_client):
            command = "back" if n % 2 == 0 else "keep"
            payload = r.action(user, f"scr_cmd:{command}", value="{}")
            headers_ready = r.headers(payload)  # signed before the clock starts, as Slack signs before sending
            start = time.perf_counter()
            status, _ = r.post(payload, timestamp=int(headers_ready["x-slack-request-timestamp"]))
            mine.append((time.perf_counter() - start) * 1000)
            if status != 200:
                raise RuntimeError(f"status {status}")
        r.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=2000, help="per bot")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--output", type=Path)
    parser.add_argument("--serve", choices=["fake", "real", "noop", "steps"], help=argparse.SUPPRESS)
    parser.add_argument("--owner", help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", help=argparse.SUPPRESS)
    parser.add_argument("--api-url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve == "fake":
        serve_fake()
        return
    if args.serve == "steps":
        serve_steps(args.data_dir, args.api_url, args.owner)
        return
    if args.serve:
        serve_bot(args.serve, args.data_dir, args.api_url)
        return

    users = _users(args.clients)
    per_round = max(args.requests // args.rounds // args.clients, 1) * args.clients
    results: dict[str, list[float]] = {"real": [], "noop": []}
    with tempfile.TemporaryDirectory() as tmp:
        fake, fake_url = _spawn("--serve", "fake", marker="FAKE")
        bots = {}
        try:
            for kind in ("real", "noop"):
                os.makedirs(f"{tmp}/{kind}")
                bots[kind] = _spawn("--serve", kind, "--data-dir", f"{tmp}/{kind}", "--api-url", fake_url, marker="BOT")
            prepare(bots["real"][1], fake_url, users)
            blast(bots["noop"][1], users, args.clients * 4)  # warm both up (imports, connections)
            blast(bots["real"][1], users, args.clients * 4)
            _settle(fake_url)
            for round_index in range(args.rounds):
                order = ("noop", "real") if round_index % 2 == 0 else ("real", "noop")
                for kind in order:
                    results[kind] += blast(bots[kind][1], users, per_round)
                    _settle(fake_url)  # the real bot's background work finishes before the next round
        finally:
            for process in [fake, *(p for p, _ in bots.values())]:
                assert process.stdin is not None
                process.stdin.close()
                process.wait(timeout=60)
    figures: dict[str, Any] = {"requests_per_bot": len(results["real"]), "clients": args.clients}
    for kind in ("noop", "real"):
        values = results[kind]
        figures[kind] = {
            "p50_ms": round(statistics.median(values), 2),
            "p99_ms": round(percentile(values, 99), 2),
            "max_ms": round(max(values), 2),
        }
    ratio = figures["real"]["p99_ms"] / figures["noop"]["p99_ms"]
    figures["ratio_real_to_noop"] = {
        "p50": round(figures["real"]["p50_ms"] / figures["noop"]["p50_ms"], 3),
        "p99": round(ratio, 3),
    }
    figures["target"] = "real p99 < 250 ms and real p99 <= 1.2x no-op p99"
    figures["target_met"] = figures["real"]["p99_ms"] < 250 and ratio <= 1.2
    path = write_result("slack_ack", figures, args.output)
    for kind in ("noop", "real"):
        f = figures[kind]
        print(f"{kind:<5} {len(results[kind])} acks: p50 {f['p50_ms']} ms, p99 {f['p99_ms']} ms, max {f['max_ms']} ms")
    r = figures["ratio_real_to_noop"]
    print(f"ratio real/no-op: p50 {r['p50']}, p99 {r['p99']} (targets: real p99 < 250 ms, ratio <= 1.2)")
    print(f"written to {path}")


if __name__ == "__main__":
    main()
