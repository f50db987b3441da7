"""What a check is, how the checks run, and what they report.

A check looks at one part of the set-up and returns a `Finding`: ok, warn (works, but look), fail (what to
fix, in one line), or skip (not configured, `--quick`, or a check it depends on failed). Checks come from
providers (`PROVIDERS`): the core set, Slack, the mailbox. A new front end (Teams) adds its own provider
with `register_provider`, and `scrbot doctor` and the start of `scrbot run` pick it up.

`blocks_start` marks a check whose failure would lose or leak data if the service ran anyway (a key file
others can read, a missing key ring beside encrypted data, forged mail that would be trusted...):
`scrbot run` refuses to start on those, and only those.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from errors import ScrBotError

if TYPE_CHECKING:
    from bot.context import AppContext
    from bot.settings import Settings


class Status(StrEnum):
    OK = "ok"
    WARN = "warn"
    FAIL = "fail"
    SKIP = "skip"


@dataclass(frozen=True)
class Finding:
    status: Status
    detail: str


def ok(detail: str) -> Finding:
    return Finding(Status.OK, detail)


def warn(detail: str) -> Finding:
    return Finding(Status.WARN, detail)


def fail(detail: str) -> Finding:
    return Finding(Status.FAIL, detail)


def skip(detail: str) -> Finding:
    return Finding(Status.SKIP, detail)


@dataclass(frozen=True)
class Check:
    name: str
    run: Callable[[AppContext], Finding]
    network: bool = False  # left out by --quick (a container healthcheck makes no network calls)
    needs: tuple[str, ...] = ()  # skipped unless these passed
    blocks_start: bool = False
    # The board's own (its file, keys, Slack, mailbox): run for each board a deployment serves. The others
    # are the deployment's (settings, database, key file, holidays, disk): run once (bot/doctor/boards.py).
    per_board: bool = False


@dataclass(frozen=True)
class Result:
    check: str
    status: Status
    detail: str
    blocks_start: bool = False

    @property
    def blocking(self) -> bool:
        return self.blocks_start and self.status is Status.FAIL

    def as_json(self) -> dict[str, Any]:
        return {"check": self.check, "status": self.status.value, "detail": self.detail, "blocks_start": self.blocking}


@dataclass
class Report:
    results: list[Result] = field(default_factory=list)

    @property
    def failed(self) -> list[Result]:
        return [r for r in self.results if r.status is Status.FAIL]

    @property
    def blocking(self) -> list[Result]:
        return [r for r in self.results if r.blocking]

    def lines(self) -> list[str]:
        width = max((len(r.check) for r in self.results), default=0)
        return [
            f"{r.status.value.upper() if r.status is Status.FAIL else r.status.value:<5} {r.check:<{width}}  {r.detail}"
            for r in self.results
        ]


Provider = Callable[["Settings"], Sequence[Check]]
PROVIDERS: list[Provider] = []


def register_provider(provider: Provider) -> Provider:
    """Add a set of checks (a front end's, a backend's); usable as a decorator."""
    if provider not in PROVIDERS:
        PROVIDERS.append(provider)
    return provider


def checks_for(settings: Settings) -> list[Check]:
    return [check for provider in PROVIDERS for check in provider(settings)]


def run_check(check: Check, ctx: AppContext) -> Finding:
    """A check never crashes the doctor: our errors are their one line, anything else its type."""
    try:
        return check.run(ctx)
    except ScrBotError as exc:
        return fail(" ".join(str(exc).split()) or exc.kind)
    except OSError as exc:
        return fail(f"{exc.strerror or type(exc).__name__}{f': {exc.filename}' if exc.filename else ''}")
    except Exception as exc:  # noqa: BLE001 - reported as a failed check, with the type only (no input values)
        return fail(f"unexpected error ({type(exc).__name__}); run with SCRBOT_DEBUG=1 for details")


def run_checks(
    ctx: AppContext, checks: Sequence[Check], *, quick: bool = False, passed: set[str] | None = None
) -> Report:
    """Run `checks` in order; `passed`: the names of checks that passed before (the deployment's, for a
    board's own checks), added to as checks pass."""
    report = Report()
    passed = set() if passed is None else passed
    for check in checks:
        unmet = [name for name in check.needs if name not in passed]
        if quick and check.network:
            finding = skip("not checked with --quick (no network calls)")
        elif unmet:
            finding = skip(f"needs {', '.join(unmet)} first")
        else:
            finding = run_check(check, ctx)
        if finding.status in {Status.OK, Status.WARN}:
            passed.add(check.name)
        report.results.append(Result(check.name, finding.status, finding.detail, check.blocks_start))
    return report
