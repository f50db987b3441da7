"""Encrypted store vs. the same schema with encryption switched off (issue 2's benchmark).

Writes N referrals (each: case row, agency confirmations, every deadline, an audit entry, one transaction)
and reads each back (decrypt, audited view) on SQLite, through the real CaseStore, with AES-256-GCM field
encryption and with a plaintext cipher. Rounds alternate between the two so machine noise hits both.
Targets: encrypted/plain throughput ratio >= 0.7; at least 300 referrals filed a second with encryption on
(issue 15 §3). CPU-time rates (this process) are printed too: on a shared machine the wall rate follows the load.

    .venv/bin/python bench/store.py [--count 10000] [--rounds 5] [--profile 500]

`--profile N` then files N more encrypted referrals under cProfile and prints where the time went (by own time
and by cumulative time), as the figures in the README were found.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import timed, write_result
from cases.actor import Actor, Role
from cases.board import BoardConfig
from cases.packs import bundled_pack
from cases.referral import Referral, parse_referral
from storage.crypto import PlaintextCipher
from storage.db import DEFAULT_SYNCHRONOUS, Synchronous, make_engine, synchronous_of, upgrade
from storage.keyring import KeyRing
from storage.store import Store, open_store

ROOT = Path(__file__).resolve().parents[1]
ACTOR = Actor("bench:store", frozenset(Role))


def letters(n: int) -> str:
    """A distinct alphabetic name part per number (names are normalised to letters for the blind index,
    so "Child 1" and "Child 2" would all be the same child)."""
    out = ""
    n += 1
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(ord("a") + r) + out
    return out.capitalize()


def referrals(count: int) -> list[Referral]:
    import json

    base = json.loads((ROOT / "examples" / "referral.json").read_text())
    result = []
    for n in range(count):
        base["child"]["forenames"] = f"Synthetic {letters(n)}"
        base["case_outline"] = f"Synthetic outline number {n}. " + "Detail of the incident. " * 30
        result.append(parse_referral(base))
    return result


def make_store(directory: Path, encrypted: bool, synchronous: Synchronous = DEFAULT_SYNCHRONOUS) -> Store:
    board = BoardConfig.from_toml((ROOT / "examples" / "board.toml").read_text())
    engine = make_engine(f"sqlite+pysqlite:///{directory / ('enc' if encrypted else 'plain')}.db", synchronous)
    upgrade(engine)
    ring = KeyRing.load_or_create(directory / "keys.json", board.id)
    return open_store(
        engine, board, ring, bundled_pack("hackney-2017"), cipher=None if encrypted else PlaintextCipher()
    )


def profile(store: Store, items: list[Referral], now: datetime) -> None:
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    for i, referral in enumerate(items):
        store.cases.file_referral(referral, actor=ACTOR, now=now + timedelta(days=1, seconds=i))
    profiler.disable()
    stats = pstats.Stats(profiler)
    print(f"profile of {len(items)} encrypted filings: {stats.total_calls} calls")
    stats.sort_stats("tottime").print_stats(25)
    stats.sort_stats("cumtime").print_stats(40)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--output", type=Path)
    parser.add_argument(
        "--sqlite-synchronous",
        choices=["full", "normal"],
        default=DEFAULT_SYNCHRONOUS,
        help="as SCRBOT_SQLITE_SYNCHRONOUS",
    )
    parser.add_argument("--profile", type=int, default=0, help="then profile this many encrypted filings")
    args = parser.parse_args()
    load_before = os.getloadavg()[0]  # the machine is shared: the wall rate follows its load
    per_round = max(args.count // args.rounds, 1)
    items = referrals(per_round * args.rounds)
    now = datetime(2026, 11, 22, 10, tzinfo=UTC)
    totals = {True: {"write": 0.0, "read": 0.0, "write_cpu": 0.0}, False: {"write": 0.0, "read": 0.0, "write_cpu": 0.0}}
    with tempfile.TemporaryDirectory() as tmp:
        level = args.sqlite_synchronous
        stores = {True: make_store(Path(tmp), True, level), False: make_store(Path(tmp), False, level)}
        for round_index in range(args.rounds):
            batch = items[round_index * per_round : (round_index + 1) * per_round]
            order = (False, True) if round_index % 2 == 0 else (True, False)
            for encrypted in order:
                store = stores[encrypted]
                refs: list[str] = []

                def write(store: Store = store, refs: list[str] = refs, batch: list[Referral] = batch) -> None:
                    for i, referral in enumerate(batch):
                        refs.append(
                            store.cases.file_referral(referral, actor=ACTOR, now=now + timedelta(seconds=i)).reference
                        )

                def read(store: Store = store, refs: list[str] = refs) -> None:
                    for ref in refs:
                        case = store.cases.get_case(ref, actor=ACTOR, now=now)
                        assert case.referral is not None

                cpu = time.process_time()
                totals[encrypted]["write"] += timed(write)
                totals[encrypted]["write_cpu"] += time.process_time() - cpu
                totals[encrypted]["read"] += timed(read)
        if args.profile:
            profile(stores[True], referrals(args.profile), now)
        synchronous = synchronous_of(stores[True].engine)  # README "Durability": full unless chosen otherwise
        for store in stores.values():
            store.engine.dispose()
    n = per_round * args.rounds
    figures = {}
    for encrypted, label in ((False, "plain"), (True, "encrypted")):
        t = totals[encrypted]
        figures[label] = {
            "referrals": n,
            "write_per_s": round(n / t["write"], 1),
            "write_per_cpu_s": round(n / t["write_cpu"], 1),
            "read_per_s": round(n / t["read"], 1),
            "write_and_read_per_s": round(n / (t["write"] + t["read"]), 1),
        }
    ratio = figures["encrypted"]["write_and_read_per_s"] / figures["plain"]["write_and_read_per_s"]
    figures["ratio_encrypted_to_plain"] = {
        "write": round(figures["encrypted"]["write_per_s"] / figures["plain"]["write_per_s"], 3),
        "read": round(figures["encrypted"]["read_per_s"] / figures["plain"]["read_per_s"], 3),
        "write_and_read": round(ratio, 3),
    }
    figures["sqlite_synchronous"] = synchronous
    figures["load_average"] = {"start": round(load_before, 2), "end": round(os.getloadavg()[0], 2)}
    figures["target"] = "encrypted/plain write_and_read ratio >= 0.7; encrypted write >= 300/s"
    figures["target_met"] = ratio >= 0.7
    figures["filing_target_met"] = figures["encrypted"]["write_per_s"] >= 300
    path = write_result("store", figures, args.output)
    for label in ("plain", "encrypted"):
        f = figures[label]
        print(
            f"{label:<10} {n} referrals: write {f['write_per_s']}/s, read {f['read_per_s']}/s, "
            f"both {f['write_and_read_per_s']}/s; write per CPU second {f['write_per_cpu_s']}"
        )
    r = figures["ratio_encrypted_to_plain"]
    print(f"load average {figures['load_average']['start']} at the start, {figures['load_average']['end']} at the end")
    print(f"ratio encrypted/plain: write {r['write']}, read {r['read']}, both {r['write_and_read']} (target >= 0.7)")
    print(f"written to {path}")


if __name__ == "__main__":
    main()
