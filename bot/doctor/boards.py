"""The doctor over a deployment: the deployment's own checks once (settings, database, key file, mail trust,
holidays, disk), then each board's own (its board file, keys, Slack, mailbox, Teams) for every board it
serves, or for the one named with `--board`. `scrbot doctor` prints it; `scrbot run` refuses to start on a
failure that would lose or leak data, naming the board (bot/commands/run_cmd.py).

With one board the report reads as it always has; with many, each board's lines start with its id.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bot.doctor.base import Check, Report, Result, Status, checks_for, run_checks
from errors import ScrBotError

if TYPE_CHECKING:
    from bot.context import AppContext


@dataclass
class DeploymentReport:
    """The deployment's checks (`shared`) and each board's own, by board id."""

    shared: Report
    boards: dict[str, Report] = field(default_factory=dict)
    # One board: every result in the providers' order, as `scrbot doctor` has always printed them.
    in_order: list[Result] | None = None

    @property
    def many(self) -> bool:
        return len(self.boards) > 1

    def results(self) -> Iterator[tuple[str | None, Result]]:
        """Every result with its board (None: the deployment's), in the order they are printed."""
        if self.in_order is not None:
            board_of = {id(r): board_id for board_id, report in self.boards.items() for r in report.results}
            yield from ((board_of.get(id(r)), r) for r in self.in_order)
            return
        yield from ((None, r) for r in self.shared.results)
        for board_id, report in self.boards.items():
            yield from ((board_id, r) for r in report.results)

    @property
    def failed(self) -> list[tuple[str | None, Result]]:
        return [(board, r) for board, r in self.results() if r.status is Status.FAIL]

    @property
    def blocking(self) -> list[tuple[str | None, Result]]:
        return [(board, r) for board, r in self.results() if r.blocking]

    def lines(self) -> list[str]:
        """One line per check; with many boards a board's own lines start with `<board id>: `."""
        if not self.many:
            return Report([r for _, r in self.results()]).lines()
        width = max((len(r.check) for _, r in self.results()), default=0)
        lines = _aligned(self.shared, width)
        for board_id, report in self.boards.items():
            lines += [f"{board_id}: {line}" for line in _aligned(report, width)]
        return lines

    def as_json(self) -> dict[str, Any]:
        """`checks`: every check (one board) or the deployment's (many); `boards`: each board's own."""
        own = {
            board_id: {
                "ok": not report.failed,
                "checks": [r.as_json() for r in report.results],
            }
            for board_id, report in self.boards.items()
        }
        shared = self.shared.results if self.many else [r for _, r in self.results()]
        return {"ok": not self.failed, "checks": [r.as_json() for r in shared], "boards": own}


def _aligned(report: Report, width: int) -> list[str]:
    padded = Report([Result(r.check.ljust(width), r.status, r.detail, r.blocks_start) for r in report.results])
    return padded.lines()


def diagnose_deployment(
    make_context: Callable[[], AppContext], *, quick: bool = False
) -> tuple[DeploymentReport, list[AppContext]]:
    """Every check: the deployment's once, each board's own per board. When the settings themselves are wrong,
    that one line (nothing else can be checked). The contexts made are the caller's to close."""
    try:
        ctx = make_context()
    except ScrBotError as exc:
        line = " ".join(str(exc).split())
        settings = [Result("settings", Status.FAIL, line, blocks_start=True)]
        return DeploymentReport(Report(settings), in_order=settings), []
    checks = checks_for(ctx.settings)
    try:
        many = ctx.board_id is None and ctx.shares_deployment
    except ScrBotError:
        many = False  # a board file that does not load: the "board" check names it
    if not many:
        return _one_board(ctx, checks, quick), [ctx]
    boards = {board_id: _board_context(ctx, board_id) for board_id in ctx.boards}
    return check_deployment(boards, ctx, checks, quick=quick), [*boards.values(), ctx]


def _board_context(origin: AppContext, board_id: str) -> AppContext:
    """A board's own context for its checks, sharing the origin's engine where there is a database to open
    (the doctor never creates one: bot/doctor/core.py `not_created_yet`)."""
    from bot.context import AppContext
    from bot.doctor.core import not_created_yet

    engine = None
    if not not_created_yet(origin):
        try:
            engine = origin.engine
        except ScrBotError:
            engine = None  # the "database" check says why; the board's checks that need it are skipped
    return AppContext(
        settings=origin.settings,
        clock=origin.now_clock,
        json_output=origin.json_output,
        board_id=board_id,
        known_boards=origin.boards,
        shared_engine=engine,
    )


def check_deployment(
    contexts: dict[str, AppContext], origin: AppContext, checks: list[Check], *, quick: bool = False
) -> DeploymentReport:
    """The deployment's checks on `origin`, then each board's own on the board's context."""
    if len(contexts) == 1:
        return _one_board(next(iter(contexts.values())), checks, quick)
    passed: set[str] = set()
    shared = run_checks(origin, [c for c in checks if not c.per_board], quick=quick, passed=passed)
    own = [c for c in checks if c.per_board]
    boards = {board_id: run_checks(ctx, own, quick=quick, passed=set(passed)) for board_id, ctx in contexts.items()}
    return DeploymentReport(shared, boards)


def _one_board(ctx: AppContext, checks: list[Check], quick: bool) -> DeploymentReport:
    """One board's report, its checks in the providers' order (as `scrbot doctor` has always printed them)."""
    report = run_checks(ctx, checks, quick=quick)
    board_id = _board_id(ctx)
    if board_id is None:
        return DeploymentReport(report, in_order=report.results)
    shared = Report([r for r, c in zip(report.results, checks, strict=True) if not c.per_board])
    own = Report([r for r, c in zip(report.results, checks, strict=True) if c.per_board])
    return DeploymentReport(shared, {board_id: own}, in_order=report.results)


def _board_id(ctx: AppContext) -> str | None:
    try:
        return ctx.board.id
    except ScrBotError:
        return None
