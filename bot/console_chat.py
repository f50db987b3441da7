"""Local mode's stand-in for Slack: channel notices are printed to the console (they never hold personal
data, so printing them is safe)."""

from __future__ import annotations

import sys
from typing import TextIO


class ConsoleChat:
    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stdout
        self.count = 0

    def post(self, target: str, text: str, *, about: str = "") -> str:
        self.count += 1
        print(f"[slack {target}] {text}", file=self.stream, flush=True)
        return f"console-{self.count}"
