"""Drafts (sealed, expiring) and seen deliveries, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.clock import FixedClock
from storage.deliveries import DeliveryLog
from storage.drafts import DraftPolicy, DraftStore
from storage.rotation import key_usage, rotate_data_key
from storage.store import Store
from tests.factories import CHILD_FORENAMES, SENSITIVE_STRINGS, STAFF

POLICY = DraftPolicy(keep_for=timedelta(days=30), warn_before=timedelta(days=3))
STATE = {"answers": {"child.forenames": CHILD_FORENAMES, "case_outline": "Synthetic outline: unexplained fractures"}}


def drafts(store: Store) -> DraftStore:
    return DraftStore(store.sessions, store.cipher, store.board.id, store.audit, POLICY)


def test_draft_is_sealed_and_comes_back(store: Store, clock: FixedClock, backend: str, tmp_path: Path) -> None:
    d = drafts(store)
    with store.sessions.begin() as s:
        d.save(s, "slack:U1", "referral", STATE, now=clock.now(), channel="slack", address="U1")
    with store.sessions.begin() as s:
        d.save(s, "slack:U1", "referral", {**STATE, "cursor": "x"}, now=clock.now(), channel="slack")
    with store.sessions() as s:
        draft = d.load(s, "slack:U1", "referral", lock=False)
    assert draft is not None and draft.state["answers"]["child.forenames"] == CHILD_FORENAMES
    assert draft.address == "U1" and draft.state["cursor"] == "x"
    assert CHILD_FORENAMES not in repr(draft)
    if backend == "sqlite":
        raw = b"".join(p.read_bytes() for p in tmp_path.glob("scrbot.db*"))
        for sensitive in SENSITIVE_STRINGS:
            assert sensitive.encode() not in raw


def test_key_rotation_reseals_drafts(store: Store, clock: FixedClock) -> None:
    d = drafts(store)
    with store.sessions.begin() as s:
        d.save(s, "cli:someone", "referral", STATE, now=clock.now(), channel="terminal")
    old = store.ring.board(store.board.id).active
    report = rotate_data_key(store.ring, store.board.id, store.sessions, store.cipher)
    assert report.by_table["conversation_drafts"] == 1
    assert old not in key_usage(store.sessions, store.cipher, store.board.id)
    with store.sessions() as s:
        draft = d.load(s, "cli:someone", "referral", lock=False)
    assert draft is not None and draft.state == STATE


def test_stale_drafts_are_warned_about_then_expire(store: Store, clock: FixedClock) -> None:
    d = drafts(store)
    start = clock.now()
    with store.sessions.begin() as s:
        d.save(s, "slack:U1", "referral", STATE, now=start, channel="slack", address="U1")
        d.save(s, "slack:U2", "referral", STATE, now=start + timedelta(days=10), channel="slack", address="U2")
    assert d.drafts_to_warn(start + timedelta(days=26)) == []
    due = d.drafts_to_warn(start + timedelta(days=27))
    assert [(n.owner, n.address, n.expires_at) for n in due] == [("slack:U1", "U1", start + timedelta(days=30))]
    d.mark_warned(due[0].id, start + timedelta(days=27))
    assert d.drafts_to_warn(start + timedelta(days=28)) == []  # warned once, not every sweep
    assert d.expire_stale_drafts(start + timedelta(days=29, hours=23)) == []
    expired = d.expire_stale_drafts(start + timedelta(days=30))
    assert [n.owner for n in expired] == ["slack:U1"]
    assert d.count() == 1
    with store.sessions() as s:
        assert [e.action for e in store.audit.entries(s)][-1] == "drafts.expired"


def test_touching_a_warned_draft_resets_its_warning(store: Store, clock: FixedClock) -> None:
    d = drafts(store)
    start = clock.now()
    with store.sessions.begin() as s:
        d.save(s, "slack:U1", "referral", STATE, now=start, channel="slack")
    d.mark_warned(d.drafts_to_warn(start + timedelta(days=28))[0].id, start + timedelta(days=28))
    with store.sessions.begin() as s:
        d.save(s, "slack:U1", "referral", STATE, now=start + timedelta(days=29), channel="slack")
    assert d.expire_stale_drafts(start + timedelta(days=31)) == []
    assert len(d.drafts_to_warn(start + timedelta(days=29 + 27))) == 1


def test_a_delivery_is_taken_once_and_pruned_by_age(store: Store, clock: FixedClock) -> None:
    log = DeliveryLog(store.sessions, store.board.id, keep_for=timedelta(days=2))
    now = clock.now()
    assert log.first_time("slack", "Ev1", now)
    assert not log.first_time("slack", "Ev1", now)
    assert log.first_time("slack", "Ev2", now)
    other_board = DeliveryLog(store.sessions, "elsewhere")
    assert other_board.first_time("slack", "Ev1", now)
    assert log.prune(now + timedelta(days=3)) == 2
    assert log.first_time("slack", "Ev1", now + timedelta(days=3))  # forgotten after the retry window


def test_sweep_warns_slack_owners_through_the_outbox_then_expires(store: Store, clock: FixedClock) -> None:
    from notify.draft_notices import sweep_drafts
    from notify.outbox import Outbox

    d = drafts(store)
    outbox = Outbox(store.sessions, board=store.board, codec=store.codec, audit=store.audit)
    start = clock.now()
    with store.sessions.begin() as s:
        d.save(s, "slack:U1", "referral", STATE, now=start, channel="slack", address="U1")
        d.save(s, "cli:someone", "referral", STATE, now=start, channel="terminal")
    first = sweep_drafts(d, outbox, start + timedelta(days=27))
    assert (first.warned, first.expired) == (1, 0)  # the terminal draft has nowhere to be warned
    [queued] = outbox.list()
    assert (queued.kind, queued.recipient_summary) == ("draft_expiry_warning", "referrer:dm")
    item = outbox.get(queued.id, actor=STAFF, now=clock.now())
    assert item.recipients == ["U1"] and "deleted on 22 December 2026" in item.text
    again = sweep_drafts(d, outbox, start + timedelta(days=28))
    assert (again.warned, again.expired) == (0, 0)
    final = sweep_drafts(d, outbox, start + timedelta(days=30))
    assert (final.warned, final.expired) == (0, 2)
