"""`scrbot keys rotate|status|retire`: key rotation without downtime."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from bot.confirm import add_yes, confirm
from bot.output import print_json
from errors import Unavailable

if TYPE_CHECKING:
    from bot.context import AppContext

_BACKUPS = " (backups made before the rotation need them)"


def register(sub: Any) -> None:
    keys = sub.add_parser("keys", help="encryption keys: rotate, status, retire")
    ks = keys.add_subparsers(dest="keys_command", metavar="KEYS_COMMAND", required=True)
    p = ks.add_parser("rotate", help="new data key; re-encrypt every field under it (the bot keeps running)")
    p.add_argument("--retire", action="store_true", help="then remove old keys that nothing uses any more")
    add_yes(p)  # with --retire: retiring asks first
    p.add_argument("--index-key", action="store_true", help="also replace the blind-index key and recompute indexes")
    p.add_argument("--json", action="store_true", help="print JSON (for scripts) instead of text")
    p.set_defaults(handler=rotate)
    p = ks.add_parser(
        "status", help="the data key ids the stored data needs, how many values each seals, and which are present"
    )
    p.add_argument("--json", action="store_true", help="print JSON (for scripts) instead of text")
    p.set_defaults(handler=status)
    p = ks.add_parser("retire", help="remove old data keys that no stored value uses")
    add_yes(p)
    p.set_defaults(handler=retire)


def rotate(ctx: AppContext, args: argparse.Namespace) -> int:
    from bot.context import cli_actor
    from storage.rotation import retire_unused_keys, rotate_data_key, rotate_index_key

    store = ctx.store
    board_id = store.board.id
    old = sorted(ctx.ring.board(board_id).data_keys)
    if args.retire:  # asked before anything changes: after re-sealing, every old key is unused
        confirm(f"Rotate, then remove the old data key(s) {', '.join(old)} from the key ring{_BACKUPS}", args)
    report = rotate_data_key(ctx.ring, board_id, store.sessions, store.cipher)
    indexes = rotate_index_key(ctx.ring, board_id, store.sessions, store.codec.open_referral) if args.index_key else 0
    retired = retire_unused_keys(ctx.ring, board_id, store.sessions, store.cipher) if args.retire else []
    now = ctx.now_clock.now()
    with store.sessions.begin() as s:
        store.audit.append(
            s,
            at=now,
            actor=cli_actor().id,
            action="keys.rotated",
            detail={
                "new_key": report.new_key,
                "resealed": report.resealed,
                "indexes_recomputed": indexes,
                "retired": retired,
            },
        )
    result = {
        "new_key": report.new_key,
        "previous_keys": old,
        "resealed_fields": report.resealed,
        "passes": report.passes,
        "by_table": dict(report.by_table),
        "index_key_replaced": args.index_key,
        "indexes_recomputed": indexes,
        "retired_keys": retired,
    }
    if args.json:
        print_json(result)
    else:
        print(f"New active key {report.new_key}; {report.resealed} fields re-encrypted in {report.passes} pass(es).")
        if args.index_key:
            print(f"Blind-index key replaced; {indexes} case indexes recomputed.")
        if retired:
            print(f"Retired keys no longer needed: {', '.join(retired)}")
        else:
            print("Old keys are kept until `scrbot keys retire` (they are no longer used).")
    return 0


def status(ctx: AppContext, args: argparse.Namespace) -> int:
    """Works when the store would refuse to open (a key missing): this is where a person finds out which."""
    from storage.preflight import key_ids_needed

    board_id = ctx.board.id
    ctx.migrate()
    needed = key_ids_needed(ctx.engine, board_id)
    problem = ""
    try:
        keys = ctx.ring.board(board_id)
        present, active = set(keys.data_keys), keys.active
    except Unavailable as exc:  # no key file, or no keys for this board in it
        present, active, problem = set(), "", str(exc)
    ids = sorted(set(needed) | present)
    missing = [k for k in ids if k not in present]
    if args.json:
        print_json(
            {
                "board": board_id,
                "active": active or None,
                "keys": {k: needed.get(k, 0) for k in ids},
                "needed": sorted(needed),
                "present": sorted(present),
                "missing": missing,
                "problem": problem or None,
            }
        )
    else:
        if problem:
            print(f"keys: {problem}")
        for key_id in ids:
            state = "present" if key_id in present else "MISSING from the key ring"
            print(f"{key_id}{' (active)' if key_id == active else ''}: {needed.get(key_id, 0)} values, {state}")
        if not ids:
            print("No keys, and no stored values that need one.")
    return 1 if missing else 0


def _confirm_retiring(ctx: AppContext, args: argparse.Namespace) -> None:
    """Backups made before a rotation need the old keys: removing them is for good (see README, "Backup")."""
    from storage.rotation import key_usage

    store = ctx.store
    keys = ctx.ring.board(store.board.id)
    usage = key_usage(store.sessions, store.cipher, store.board.id)
    unused = [k for k in sorted(keys.data_keys) if k != keys.active and usage.get(k, 0) == 0]
    if unused:
        confirm(f"Remove data key(s) {', '.join(unused)} from the key ring{_BACKUPS}", args)


def retire(ctx: AppContext, args: argparse.Namespace) -> int:
    from storage.rotation import retire_unused_keys

    store = ctx.store
    _confirm_retiring(ctx, args)
    retired = retire_unused_keys(ctx.ring, store.board.id, store.sessions, store.cipher)
    print(f"Retired: {', '.join(retired)}" if retired else "No unused keys to retire.")
    return 0
