"""Templates as small objects (after GOV.UK Notify's notifications-utils): each declares the fields it
needs; `missing_data` names what a notification lacks, and rendering refuses before anything is stored or
sent. Jinja2 with StrictUndefined; HTML templates are autoescaped.

The catalogue (`templates/catalogue.toml`) lists every template with its id, version, channel, whether it
may carry personal data (then it only goes to secure addresses, 004 §3.6), and its declared fields. The
files are `templates/<channel>/<id>.subject.j2`, `<id>.txt.j2` and optionally `<id>.html.j2`; a template
written for one rules pack, in that law's own terms, says `pack = "<pack id>"` and lives in
`templates/<pack>/<channel>/`.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache, lru_cache
from importlib import resources
from typing import Any, Literal

import jinja2
from jinja2 import meta

from errors import BadInput

Channel = Literal["email", "slack"]


class TemplateError(BadInput):
    pass


class MissingData(TemplateError):
    """A notification lacks fields its template needs; nothing was stored or sent."""

    def __init__(self, template_id: str, fields: list[str]) -> None:
        self.template_id = template_id
        self.fields = fields
        super().__init__(f"template {template_id} needs: {', '.join(fields)}")


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str | None


@dataclass(frozen=True)
class Template:
    id: str
    version: int
    channel: Channel
    description: str
    personal_data: bool
    fields: tuple[str, ...]  # required: refused when missing or empty
    subject_source: str
    text_source: str
    html_source: str | None = None
    optional: tuple[str, ...] = ()  # declared, may be empty
    # Kinds of the case's personal data the template itself puts in (cases/personal_data.py Kind values, e.g.
    # "date_of_birth"): an approver is warned about any other kind found in the text.
    carries: tuple[str, ...] = ()

    def asks_for(self, field: str) -> bool:
        """Whether the template uses `field` (declared required or optional)."""
        return field in self.fields or field in self.optional

    @property
    def placeholders(self) -> set[str]:
        """Every variable the template's sources use (what Jinja2 finds undeclared)."""
        env = _environment(autoescape=False)
        found: set[str] = set()
        for source in (self.subject_source, self.text_source, self.html_source or ""):
            found |= meta.find_undeclared_variables(env.parse(source))
        return found

    def missing_data(self, values: Mapping[str, Any]) -> list[str]:
        required = [f for f in self.fields if values.get(f) in (None, "")]
        absent_optional = [f for f in self.optional if f not in values]
        return sorted(required + absent_optional)

    def prepare(self) -> None:
        """Compile the sources now: a service does this when it starts rather than in its first busy minute
        (compiling costs about as much as rendering a long reminder message)."""
        _compiled(self.subject_source, autoescape=False)
        _compiled(self.text_source, autoescape=False)
        if self.html_source:
            _compiled(self.html_source, autoescape=True)

    def render(self, values: Mapping[str, Any]) -> Rendered:
        missing = self.missing_data(values)
        if missing:
            raise MissingData(self.id, missing)
        try:
            subject = _compiled(self.subject_source, autoescape=False).render(values)
            text = _compiled(self.text_source, autoescape=False).render(values)
            html = _compiled(self.html_source, autoescape=True).render(values) if self.html_source else None
        except jinja2.UndefinedError as exc:
            raise TemplateError(f"template {self.id}: {exc.message}") from None
        return Rendered(subject=" ".join(subject.split()), text=text.strip() + "\n", html=html)


@cache
def _environment(*, autoescape: bool) -> jinja2.Environment:
    # Autoescape is on for HTML and off for plain text and subjects, which are never rendered as markup.
    env = jinja2.Environment(
        undefined=jinja2.StrictUndefined,
        autoescape=autoescape,  # noqa: S701
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["date_long"] = _date_long
    return env


@lru_cache(maxsize=2048)
def _date_long(day: date | None) -> str:
    # Cached: a reminder message formats the same few dates on hundreds of lines.
    return f"{day.day} {day:%B %Y}" if day else ""


@cache
def _compiled(source: str, *, autoescape: bool) -> jinja2.Template:
    # Compiling is most of the cost of rendering (a reminder sweep renders many messages): once per source.
    return _environment(autoescape=autoescape).from_string(source)


def _read(path: str) -> str | None:
    entry = resources.files("templates").joinpath(path)
    return entry.read_text(encoding="utf-8") if entry.is_file() else None


@cache
def catalogue() -> dict[str, Template]:
    """Every template, by id, read once from the package's own data files."""
    data = tomllib.loads(_read("catalogue.toml") or "")
    templates: dict[str, Template] = {}
    for entry in data.get("templates", []):
        template_id, channel = entry["id"], entry["channel"]
        folder = f"{entry['pack']}/{channel}" if entry.get("pack") else channel
        subject = _read(f"{folder}/{template_id}.subject.j2") or ""
        text = _read(f"{folder}/{template_id}.txt.j2")
        if text is None:
            raise TemplateError(f"template {template_id}: {folder}/{template_id}.txt.j2 is missing")
        templates[template_id] = Template(
            id=template_id,
            version=int(entry["version"]),
            channel=channel,
            description=entry.get("description", ""),
            personal_data=bool(entry.get("personal_data", False)),
            fields=tuple(entry.get("fields", ())),
            subject_source=subject,
            text_source=text,
            html_source=_read(f"{folder}/{template_id}.html.j2"),
            optional=tuple(entry.get("optional", ())),
            carries=tuple(entry.get("carries", ())),
        )
    return templates


def get_template(template_id: str) -> Template:
    try:
        return catalogue()[template_id]
    except KeyError:
        raise TemplateError(f"no template {template_id!r}") from None
