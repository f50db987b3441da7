"""Validation problems that name the field, in words a referrer understands."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from errors import BadInput


@dataclass(frozen=True)
class FieldProblem:
    field: str  # dotted path, e.g. "child.date_of_birth" or "siblings.0.name"
    label: str  # the form's own words, e.g. "Child's date of birth"
    message: str

    def __str__(self) -> str:
        return f"{self.label} ({self.field}): {self.message}"


class InvalidInput(BadInput):
    """Input that cannot be accepted; every problem names its field."""

    def __init__(self, problems: Sequence[FieldProblem]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(str(p) for p in self.problems))


def label_for(model: type[BaseModel], path: Sequence[str | int]) -> str:
    """The title of the field at `path` inside `model`, falling back to its name."""
    current: Any = model
    label = ".".join(str(p) for p in path) or model.__name__
    for part in path:
        if isinstance(part, int):
            continue
        fields = getattr(current, "model_fields", None)
        if not fields or part not in fields:
            break
        info = fields[part]
        label = info.title or str(part).replace("_", " ").capitalize()
        current = _inner_model(info.annotation)
    return label


def _inner_model(annotation: Any) -> Any:
    """The model class inside Optional[...] / list[...] / tuple[...], if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


_FRIENDLY = {
    "missing": "is required",
    "date_from_datetime_parsing": "is not a date; use the form YYYY-MM-DD",
    "date_parsing": "is not a date; use the form YYYY-MM-DD",
    "date_type": "is not a date; use the form YYYY-MM-DD",
    "extra_forbidden": "is not a field of this form",
    "enum": "must be one of the listed options",
    "literal_error": "must be one of the listed options",
}


def problems_from(exc: ValidationError, model: type[BaseModel]) -> list[FieldProblem]:
    problems = []
    for error in exc.errors(include_url=False):
        loc = [p for p in error["loc"] if isinstance(p, (str, int))]
        message = _FRIENDLY.get(error["type"], error["msg"])
        if error["type"] in {"enum", "literal_error"} and "expected" in (error.get("ctx") or {}):
            message = f"must be one of {error['ctx']['expected']}"
        if message.startswith("Value error, "):
            message = message.removeprefix("Value error, ")
        problems.append(FieldProblem(field=".".join(str(p) for p in loc), label=label_for(model, loc), message=message))
    return problems
