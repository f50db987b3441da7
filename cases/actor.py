"""Who is acting, and what their role lets them do (DESIGN.md §5). What each may do is in cases/permissions.py."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from errors import Refused


class Role(StrEnum):
    REFERRER = "referrer"  # everyone: own referrals only
    BUSINESS_UNIT = "business_unit"  # all cases
    CHAIR = "chair"  # records decisions
    ADMIN = "admin"  # configuration


STAFF = frozenset({Role.BUSINESS_UNIT, Role.CHAIR, Role.ADMIN})


class PermissionDenied(Refused):
    """The actor may not do this. The message is polite and names no personal data."""


@dataclass(frozen=True)
class Actor:
    # Opaque and stable: "slack:U0123", "cli:operator", "mail:police". Never a name.
    id: str
    roles: frozenset[Role] = field(default_factory=lambda: frozenset({Role.REFERRER}))
    # An agency speaking for itself (its own registered address, trusted mail): the agency's id. Only such an
    # actor may answer for that agency (cases/permissions.py); the id above is for the audit log only.
    agency: str | None = None

    def has(self, role: Role) -> bool:
        return role in self.roles

    @property
    def is_staff(self) -> bool:
        return bool(self.roles & STAFF)

    def can_view_case(self, filed_by: str) -> bool:
        return self.is_staff or self.id == filed_by

    def can_record_decision(self, decision_maker: str) -> bool:
        # 004 §3.8 (chair) or §5.1 (sub-group, recorded by the business unit): per board config.
        if decision_maker == "chair":
            return self.has(Role.CHAIR) or self.has(Role.ADMIN)
        return self.is_staff


def agency_actor(agency_id: str) -> Actor:
    """An agency answering for itself by email (its reply came from one of its registered addresses)."""
    return Actor(f"mail:{agency_id}", frozenset(), agency=agency_id)


SYSTEM = Actor("system:scrbot", frozenset({Role.ADMIN}))
