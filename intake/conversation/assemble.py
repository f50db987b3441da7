"""Build the finished data from the answers, and remember which question each field came from (so that a
problem the model finds in a field sends the user back to the right question)."""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from typing import Any

from intake.conversation.flow import Flow, Kind

_SELECTOR = re.compile(r"^(?P<name>[^\[\]]+)\[(?P<key>[^=\]]+)=(?P<value>[^\]]+)\]$")


def _resolve(data: dict[str, Any], path: str) -> str | None:
    """The concrete dotted path (selectors replaced by list indexes), or None if a selector finds nothing."""
    parts: list[str] = []
    current: Any = data
    for part in path.split("."):
        m = _SELECTOR.match(part)
        if m:
            items = current.get(m["name"]) if isinstance(current, dict) else None
            if not isinstance(items, list):
                return None
            index = next(
                (i for i, item in enumerate(items) if isinstance(item, dict) and item.get(m["key"]) == m["value"]),
                None,
            )
            if index is None:
                return None
            parts += [m["name"], str(index)]
            current = items[index]
            continue
        parts.append(part)
        if isinstance(current, dict):
            current = current.get(part)
        elif isinstance(current, list) and part.isdigit() and int(part) < len(current):
            current = current[int(part)]
        else:
            current = None
    return ".".join(parts)


def _put(data: dict[str, Any], path: str, value: Any) -> None:
    parts = path.split(".")
    target: Any = data
    for part, following in itertools.pairwise(parts):
        if isinstance(target, list):
            index = int(part)
            while len(target) <= index:
                target.append({})
            target = target[index]
            continue
        if part not in target:
            target[part] = [] if following.isdigit() else {}
        target = target[part]
    last = parts[-1]
    if isinstance(target, list):
        index = int(last)
        while len(target) <= index:
            target.append({})
        target[index] = value
    else:
        target[last] = value


def assemble(flow: Flow, answers: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """(data, origins): data holds only the answers of questions that still apply; origins maps each
    concrete field path to the key of the question that fills it (answered or not)."""
    data: dict[str, Any] = {}
    origins: dict[str, str] = {}
    for inst in flow.walk(answers):
        if inst.is_more_question:
            continue
        step = inst.step
        path = _resolve(data, inst.path)
        if path is None:
            continue
        origins[path] = inst.key
        value = answers.get(inst.key)
        if step.kind is Kind.MULTI:
            values = list(value or [])
            if step.multi_as == "flags":
                for v in values:
                    _put(data, f"{path}.{v}", "yes")
                    origins[f"{path}.{v}"] = inst.key
                continue
            if value is not None:
                _put(data, path, [{step.item_key: v} for v in values])
                for i in range(len(values)):
                    origins[f"{path}.{i}.{step.item_key}"] = inst.key
            continue
        if value is not None:
            _put(data, path, value)
    return data, origins


def origin_of(field: str, origins: Mapping[str, str]) -> str | None:
    """The question behind a problem's field: exact, else the nearest enclosing path, else one inside it."""
    if field in origins:
        return origins[field]
    parts = field.split(".")
    for end in range(len(parts) - 1, 0, -1):
        prefix = ".".join(parts[:end])
        if prefix in origins:
            return origins[prefix]
    inside = sorted(p for p in origins if p.startswith(field + "."))
    return origins[inside[0]] if inside else None
