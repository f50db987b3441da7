"""What a person submits or sends outside the bot, worded by the pack (`via = "portal"` / `"recorded"`
notifications, cases/notifications.py): the fields of the national online serious incident notification form
(Working Together 2023 ch. 5), the rapid review's cover note. Shown to the business unit (an audited read of
the case), never sent by the bot; recording the submission (cases/outside.py) meets the rule it discharges.
"""

from __future__ import annotations

from datetime import datetime

from cases.actor import Actor
from cases.notifications import Notification
from cases.triage import triage
from notify.notification_values import NotificationValues, for_template
from notify.templates import Rendered, get_template
from storage.case_store import CaseStore


def outside_form(
    cases: CaseStore, reference: str, template: str | None, *, actor: Actor, now: datetime, reply_to: str = ""
) -> tuple[Notification, Rendered]:
    """The text of the form (or cover note) for a case, in its own pack's words; the read is audited."""
    case = cases.get_case(reference, actor=actor, now=now, purpose="notification form")
    pack = cases.pack_named(case.rules_pack)
    notification = pack.made_outside_named(template or "")
    values_of = NotificationValues(cases.board, cases.calendar, reply_to)
    values = {**values_of.common(case), **values_of.dates(case, pack, notification)}
    if case.referral is not None:
        values["triage"] = triage(case.referral.criteria, case.referral.incident).line
    return notification, get_template(notification.template).render(for_template(notification.template, values))
