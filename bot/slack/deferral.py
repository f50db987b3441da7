"""Background work starts after the acknowledgement has been written, not before.

With lazy listeners, bolt hands a request's work to the pool while the request thread still has to send the
acknowledgement; the work would then compete with it for the interpreter. Inside `after_response()` (the HTTP
handler wraps each request in it) work submitted to an `AfterResponseExecutor` is held, and started when the
block ends, once the response is on the wire. Outside it (Socket Mode, tests calling `app.dispatch`) work
starts at once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

_held = threading.local()
_in_flight = [0]
_counting = threading.Lock()


def requests_in_flight() -> int:
    """Requests being answered right now (inside `after_response`), for work that gives way to them."""
    return _in_flight[0]


@contextmanager
def after_response() -> Iterator[None]:
    _held.starts = []
    with _counting:
        _in_flight[0] += 1
    try:
        yield
    finally:
        with _counting:
            _in_flight[0] -= 1
        starts: list[Callable[[], None]] = _held.starts
        _held.starts = None
        for start in starts:
            start()


def once_answered(fn: Callable[[], None]) -> None:
    """Call `fn` once this request's response is on the wire (at once outside `after_response`): for what
    the acknowledgement need not wait for, such as waking the step worker's process."""
    starts: list[Callable[[], None]] | None = getattr(_held, "starts", None)
    if starts is None:
        fn()
    else:
        starts.append(fn)


class AfterResponseExecutor(ThreadPoolExecutor):
    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        starts: list[Callable[[], None]] | None = getattr(_held, "starts", None)
        if starts is None:
            return super().submit(fn, *args, **kwargs)
        future: Future[Any] = Future()

        def start() -> None:
            inner = super(AfterResponseExecutor, self).submit(fn, *args, **kwargs)
            inner.add_done_callback(lambda done: _copy_result(done, future))

        starts.append(start)
        return future


def _copy_result(done: Future[Any], future: Future[Any]) -> None:
    if done.cancelled():
        future.cancel()
    elif done.exception() is not None:
        future.set_exception(done.exception())
    else:
        future.set_result(done.result())
