"""The outbox: a row first, then sent; approval; retries with backoff; exactly once across dispatchers."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.clock import FixedClock
from cases.actor import PermissionDenied
from cases.case import DeadlineState, Decision
from cases.events import Outcome
from mail.maildir import MaildirMailbox
from notify.dispatch import Dispatcher, SendError, backoff
from notify.outbox import InsecureRecipient, OutboundMessage, Outbox, OutboxError, OutboxStatus
from notify.senders import ChatMessageSender, EmailSender
from notify.templates import MissingData, TemplateError
from storage.store import Store
from storage.tables import OutboxRow
from tests.factories import REFERRER, STAFF, make_referral


class RecordingChat:
    """Our own ChatSender protocol, recording posts (the real Slack one is tested against the fake Slack API)."""

    def __init__(self, fail_times: int = 0) -> None:
        self.posts: list[tuple[str, str]] = []
        self.fail_times = fail_times
        self.lock = threading.Lock()

    def post(self, target: str, text: str, *, about: str = "") -> str:
        with self.lock:
            if self.fail_times:
                self.fail_times -= 1
                raise SendError("slack unavailable")
            self.posts.append((target, text))
            return f"ts-{len(self.posts)}"


class MeetingChat(RecordingChat):
    """Holds each sending thread's first post until a second thread is posting too (or 60 s have passed)."""

    def __init__(self) -> None:
        super().__init__()
        self.barrier = threading.Barrier(2, timeout=60)
        self.threads: set[int] = set()
        self.met = 0

    def post(self, target: str, text: str, *, about: str = "") -> str:
        with self.lock:
            first = threading.get_ident() not in self.threads
            self.threads.add(threading.get_ident())
        if first:
            self.barrier.wait()  # BrokenBarrierError: a failed send, which the test asserts against
            with self.lock:
                self.met += 1
        return super().post(target, text, about=about)


def notice(key: str = "notice-1", **overrides: object) -> OutboundMessage:
    values = {
        "case_ref": "SCR-2026-0001",
        "rules_pack": "hackney-2017",
        "next_rule": "records_secured",
        "next_act_by": datetime(2026, 11, 27).date(),
        "duplicate_note": "",
        "triage_note": "",
    }
    fields: dict[str, object] = {
        "kind": "new_referral_notice",
        "template_id": "new_referral_notice",
        "values": values,
        "recipients": ["C0BUSINESS"],
        "recipient_summary": "channel:business_unit",
        "idempotency_key": key,
        "case_ref": "SCR-2026-0001",
    }
    fields.update(overrides)
    return OutboundMessage(**fields)  # type: ignore[arg-type]


def outbox_for(store: Store) -> Outbox:
    return Outbox(store.sessions, board=store.board, codec=store.codec, audit=store.audit)


def count_rows(store: Store) -> int:
    with store.sessions() as s:
        return int(s.scalar(select(func.count()).select_from(OutboxRow)) or 0)


def test_enqueue_is_idempotent(store: Store, clock: FixedClock) -> None:
    outbox = outbox_for(store)
    first = outbox.enqueue(notice(), now=clock.now(), actor=STAFF)
    assert outbox.enqueue(notice(), now=clock.now(), actor=STAFF) == first
    assert count_rows(store) == 1


def test_enqueue_many_stores_each_key_once_and_returns_ids_in_order(store: Store, clock: FixedClock) -> None:
    outbox = outbox_for(store)
    earlier = outbox.enqueue(notice("b"), now=clock.now(), actor=STAFF)
    ids = outbox.enqueue_many([notice("a"), notice("b"), notice("c"), notice("a")], now=clock.now(), actor=STAFF)
    assert ids[1] == earlier  # queued before: the existing row
    assert ids[0] == ids[3]  # the same key twice in one batch: one row
    assert len({ids[0], ids[1], ids[2]}) == 3
    assert count_rows(store) == 3
    with store.sessions() as s:
        queued = [e.detail["id"] for e in store.audit.entries(s) if e.action == "outbox.queued"]
        assert queued == [earlier, ids[0], ids[2]]  # one entry per row stored, in order
        assert store.audit.verify(s) == []
    items = {i: outbox.get(i, actor=STAFF, now=clock.now()) for i in set(ids)}
    assert all(item.status is OutboxStatus.APPROVED and item.recipients == ["C0BUSINESS"] for item in items.values())
    assert outbox.enqueue_many([], now=clock.now(), actor=STAFF) == []


@pytest.mark.parametrize(
    ("refused", "error"),
    [
        (notice("bad", values={"case_ref": "SCR-2026-0001"}), MissingData),
        (notice("bad", recipients=[]), OutboxError),
        (notice("bad", template_id="no_such_template"), TemplateError),
    ],
    ids=["missing field", "no recipients", "unknown template"],
)
def test_enqueue_many_with_one_refused_message_stores_none(
    store: Store, clock: FixedClock, refused: OutboundMessage, error: type[Exception]
) -> None:
    outbox = outbox_for(store)
    with pytest.raises(error):
        outbox.enqueue_many([notice("a"), refused, notice("c")], now=clock.now(), actor=STAFF)
    assert count_rows(store) == 0
    with store.sessions() as s:
        assert store.audit.head(s)[0] == 0


def test_missing_field_is_refused_before_anything_is_stored(store: Store, clock: FixedClock) -> None:
    outbox = outbox_for(store)
    with pytest.raises(MissingData, match="next_rule"):
        outbox.enqueue(notice(values={"case_ref": "SCR-2026-0001"}), now=clock.now(), actor=STAFF)
    assert count_rows(store) == 0


def test_personal_data_never_queued_for_an_insecure_address(
    store: Store, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    from notify import templates

    secure_template = templates.Template(
        id="t_personal",
        version=1,
        channel="email",
        description="",
        personal_data=True,
        fields=("x",),
        subject_source="s",
        text_source="{{ x }}",
    )
    monkeypatch.setitem(templates.catalogue(), "t_personal", secure_template)  # taken out again after the test
    outbox = outbox_for(store)
    message = notice(template_id="t_personal", values={"x": "detail"}, recipients=["someone@example.org"])
    with pytest.raises(InsecureRecipient):
        outbox.enqueue(message, now=clock.now(), actor=STAFF)
    assert count_rows(store) == 0
    ok = notice(
        key="ok", template_id="t_personal", values={"x": "detail"}, recipients=["safeguarding.testshire@nhs.net"]
    )
    stored = outbox.enqueue(ok, now=clock.now(), actor=STAFF)
    assert count_rows(store) == 1
    assert outbox.get(stored, actor=STAFF, now=clock.now()).recipients == ["safeguarding.testshire@nhs.net"]


def test_drafts_wait_for_approval_and_rejected_ones_are_never_sent(store: Store, clock: FixedClock) -> None:
    outbox = outbox_for(store)
    chat = RecordingChat()
    dispatcher = Dispatcher(store.sessions, outbox, {"slack": ChatMessageSender(chat)})
    kept = outbox.enqueue(notice("a", requires_approval=True), now=clock.now(), actor=STAFF)
    dropped = outbox.enqueue(notice("b", requires_approval=True), now=clock.now(), actor=STAFF)
    assert dispatcher.dispatch_due(clock.now()).sent == []
    with pytest.raises(PermissionDenied):
        outbox.approve(kept, actor=REFERRER, now=clock.now())
    outbox.edit(kept, actor=STAFF, now=clock.now(), text="Edited wording for SCR-2026-0001")
    outbox.approve(kept, actor=STAFF, now=clock.now())
    outbox.reject(dropped, actor=STAFF, now=clock.now())
    report = dispatcher.dispatch_due(clock.now() + timedelta(days=30))
    assert report.sent == [kept]
    assert chat.posts == [("C0BUSINESS", "Edited wording for SCR-2026-0001")]
    statuses = {s.id: s.status for s in outbox.list()}
    assert statuses == {kept: OutboxStatus.SENT, dropped: OutboxStatus.REJECTED}


def test_failed_send_stays_and_is_retried_with_backoff(store: Store, clock: FixedClock) -> None:
    outbox = outbox_for(store)
    chat = RecordingChat(fail_times=2)
    dispatcher = Dispatcher(store.sessions, outbox, {"slack": ChatMessageSender(chat)})
    item = outbox.enqueue(notice(), now=clock.now(), actor=STAFF)
    t0 = clock.now()
    assert dispatcher.dispatch_due(t0).failed == [item]
    [summary] = outbox.list()
    assert (summary.status, summary.attempts, summary.next_attempt_at) == (OutboxStatus.FAILED, 1, t0 + backoff(1))
    assert summary.last_error == "SendError: slack unavailable"
    assert dispatcher.dispatch_due(t0 + backoff(1) - timedelta(seconds=1)).failed == []  # not yet
    assert dispatcher.dispatch_due(t0 + backoff(1)).failed == [item]
    t2 = t0 + backoff(1) + backoff(2)
    assert dispatcher.dispatch_due(t2).sent == [item]
    assert len(chat.posts) == 1


def test_backoff_doubles_and_is_capped() -> None:
    assert [backoff(n) for n in (1, 2, 3, 4)] == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert backoff(50) == timedelta(hours=6)


def test_a_crashed_send_is_claimed_again_after_its_lease(store: Store, clock: FixedClock) -> None:
    outbox = outbox_for(store)
    chat = RecordingChat()
    dispatcher = Dispatcher(store.sessions, outbox, {"slack": ChatMessageSender(chat)}, lease=timedelta(minutes=10))
    item = outbox.enqueue(notice(), now=clock.now(), actor=STAFF)
    claimed = dispatcher.claim(clock.now())  # a process claims it, then dies before sending
    assert [c.id for c in claimed] == [item]
    assert dispatcher.dispatch_due(clock.now() + timedelta(minutes=5)).sent == []
    assert dispatcher.dispatch_due(clock.now() + timedelta(minutes=11)).sent == [item]


def test_email_send_writes_eml_and_marks_the_deadline_met(
    store: Store, clock: FixedClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    filed = store.cases.file_referral(make_referral(), actor=REFERRER, now=clock.now())
    store.cases.record_decision(
        filed.reference,
        Decision(outcome=Outcome.NO_REVIEW, decided_on=clock.now().date()),
        actor=STAFF,
        now=clock.now(),
    )
    outbox = outbox_for(store)
    box = MaildirMailbox(tmp_path / "inbox", tmp_path / "outbox")
    dispatcher = Dispatcher(
        store.sessions, outbox, {"email": EmailSender(box, mail_from="scr@testshire.gov.uk")}, cases=store.cases
    )
    from notify import templates

    statutory = templates.Template(
        id="t_statutory",
        version=3,
        channel="email",
        description="",
        personal_data=False,
        fields=("ref",),
        subject_source="Decision {{ ref }}",
        text_source="Decision on {{ ref }}",
    )
    monkeypatch.setitem(templates.catalogue(), "t_statutory", statutory)  # taken out again after the test
    outbox.enqueue(
        notice(
            template_id="t_statutory",
            values={"ref": filed.reference},
            recipients=["scr.sin@ofsted.cjsm.net"],
            case_ref=filed.reference,
            meets_rule="statutory_decision_notification",
        ),
        now=clock.now(),
        actor=STAFF,
    )
    later = clock.now() + timedelta(hours=1)
    assert len(Dispatcher.dispatch_due(dispatcher, later).sent) == 1
    [eml] = list((tmp_path / "outbox").glob("*.eml"))
    assert b"Subject: Decision SCR-2026-0001" in eml.read_bytes()
    assert b"Decision on SCR-2026-0001" in eml.read_bytes()
    case = store.cases.get_case(filed.reference, actor=STAFF, now=later)
    notification = next(d for d in case.deadlines if d.computed.rule == "statutory_decision_notification")
    assert (notification.state, notification.met_on) == (DeadlineState.MET, later.date())


@pytest.mark.postgres
def test_two_dispatchers_send_each_message_exactly_once(request: pytest.FixtureRequest, tmp_path: Path) -> None:
    from cases.packs import bundled_pack
    from storage.keyring import KeyRing
    from storage.store import open_store
    from tests.factories import make_board

    server = request.getfixturevalue("pg_server")
    server.truncate()
    board = make_board()
    ring = KeyRing.load_or_create(tmp_path / "keys.json", board.id)
    store = open_store(server.engine, board, ring, bundled_pack("hackney-2017"))
    outbox = outbox_for(store)
    now = datetime(2026, 11, 22, 10, tzinfo=UTC)
    for n in range(200):
        outbox.enqueue(notice(f"k{n}"), now=now, actor=STAFF)
    chat = MeetingChat()
    dispatchers = [Dispatcher(store.sessions, outbox, {"slack": ChatMessageSender(chat)}) for _ in range(2)]
    sent: list[list[str]] = [[], []]
    failed: list[str] = []

    def run(index: int) -> None:
        while True:
            report = dispatchers[index].dispatch_due(now, limit=7)
            if not report.sent and not report.failed:
                return
            sent[index].extend(report.sent)
            failed.extend(report.failed)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert [t.is_alive() for t in threads] == [False, False], "a dispatcher did not finish in time"
    assert failed == []
    # Both dispatchers were sending at the same time (each first post waited for the other's), and both sent.
    assert chat.met == 2
    assert sent[0] and sent[1], f"one dispatcher sent everything: {len(sent[0])} / {len(sent[1])}"
    assert len(chat.posts) == 200
    assert len(sent[0]) + len(sent[1]) == 200
    assert not set(sent[0]) & set(sent[1])
    assert {s.status for s in outbox.list()} == {OutboxStatus.SENT}


def test_a_sent_message_stays_sent_when_its_deadline_cannot_be_marked(store: Store, clock: FixedClock) -> None:
    """records_secured is per agency; a message naming no agency must not undo the record of its send."""
    filed = store.cases.file_referral(make_referral(), actor=REFERRER, now=clock.now())
    outbox = outbox_for(store)
    chat = RecordingChat()
    dispatcher = Dispatcher(store.sessions, outbox, {"slack": ChatMessageSender(chat)}, cases=store.cases)
    item = outbox.enqueue(notice(case_ref=filed.reference, meets_rule="records_secured"), now=clock.now(), actor=STAFF)
    assert dispatcher.dispatch_due(clock.now()).sent == [item]
    assert dispatcher.dispatch_due(clock.now() + timedelta(hours=1)).sent == []  # never sent twice
    assert len(chat.posts) == 1
    assert [s.status for s in outbox.list()] == [OutboxStatus.SENT]
