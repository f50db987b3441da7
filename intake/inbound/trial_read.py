"""A trial read of a suspected poison message in a child process of its own.

A stored message still `received` after several runs stopped on it is either poison (reading it exhausts
memory, or never ends) or was unlucky: a restart, a deploy or an outside kill landed while it was in hand,
and after each restart the same message is the first in the inbox again. The row's attempt count cannot tell
the two apart (a kill at the commit that records the answer looks just like one in the parser), and
quarantining an agency's clear answer because the service was restarted three times loses its
confirmation. So before it is quarantined the message is read once more in a forked child: only if the
child dies (or does not finish in time) is the message the cause. The child shares nothing with the
database: its lookups answer from nothing (`NoLookups`), and it leaves with `os._exit`, so the parent's
connections, files and exit handlers are never touched.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime

# Reading a message takes milliseconds; a child still reading after this long is taken as stuck.
TRIAL_SECONDS = 120.0


class NoLookups:
    """classify.Lookups for the child: the database is the parent's. A named case "exists" (so that an
    answer is read as it would be), nothing was sent and no thread is known."""

    def threads(self, outbox_ids: Sequence[str]) -> Mapping[str, str]:
        return {}

    def case_id_of(self, reference: str) -> str | None:
        return "trial-read"

    def request_sent_at(self, case_id: str, agency_id: str) -> datetime | None:
        return None


def _child(read: Callable[[], object]) -> None:
    code = 0
    try:
        read()
    except Exception:  # noqa: BLE001 - an ordinary error is the reader's to quarantine: not a stop
        code = 0
    except BaseException:  # noqa: BLE001 - a stop (as the parent would have had)
        code = 1
    os._exit(code)


def stops_the_process(read: Callable[[], object], *, timeout: float = TRIAL_SECONDS) -> str:
    """Run `read` in a forked child. "" when it finished (or raised an ordinary error); otherwise why not."""
    child = multiprocessing.get_context("fork").Process(target=_child, args=(read,), daemon=True)
    child.start()
    child.join(timeout)
    if child.exitcode is None:
        child.kill()
        child.join()
        return f"a trial read did not finish in {timeout:g} s"
    if child.exitcode != 0:
        return f"a trial read stopped too (exit {child.exitcode})"
    return ""
