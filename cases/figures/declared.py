"""What a rules pack says its figures count (`[figures]` in a pack): which rule's met date is a review's
completion, which rules are the agencies' own duties (records secured, involvement answers, agency reports),
and which decision outcomes are reviews. Declared in the pack, never a rule id in code, so a pack with other
rule names (or a review phase that tracks agency reports in more detail) is counted the same way."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from cases.events import Outcome


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AgencyDuties(_Strict):
    """A group of per-agency rules reported together, per agency (e.g. "Agency reports": the IMR rule)."""

    label: str = Field(min_length=1)
    rules: tuple[str, ...] = Field(min_length=1)


class PackFigures(_Strict):
    # The rule whose met date is the date a review was completed (004 §5.2); none: completion not tracked.
    completion: str = ""
    # Decision outcomes that start a review the figures follow to completion (reviews open at once).
    review_outcomes: tuple[Outcome, ...] = (Outcome.SCR,)
    agency_duties: tuple[AgencyDuties, ...] = ()

    def rules_named(self) -> dict[str, str]:
        """Every rule id the declaration names, by where it is named (for the pack's own check)."""
        named = {"figures.completion": self.completion} if self.completion else {}
        for index, group in enumerate(self.agency_duties):
            for rule in group.rules:
                named[f"figures.agency_duties.{index}.rules"] = rule
        return named
