"""Rules packs as data: what meets each deadline (`met_by`) and which change drafts which notification
(`[[notifications]]`) are declared in the pack, and a pack naming something unknown is refused with the key."""

from __future__ import annotations

import pytest

from cases.notifications import RecipientRole, Trigger
from cases.packs import bundled_pack, bundled_pack_names
from cases.rules import MetBy, RulesPack, RulesPackError
from notify.templates import catalogue

PACK_HEAD = """
[pack]
id = "test-pack"
title = "A pack for tests"

[[rules]]
id = "records_secured"
starts_on = "referral_received"
who = "Each agency"
action = "secure records"
limit = { kind = "working_days", working_days = 5 }
per_agency = true
source = "004 §5.6"
met_by = "agency_records_secured"

[[rules]]
id = "chair_decision"
starts_on = "referral_received"
who = "Chair"
action = "decide"
limit = { kind = "months", months = 1 }
source = "004 §3.8"
met_by = "decision_recorded"

[[rules]]
id = "statutory_decision_notification"
starts_on = "decision_made"
who = "Board"
action = "notify"
limit = { kind = "working_days", working_days = 5 }
source = "004 §5.3"
"""

NOTIFICATION = """
[[notifications]]
template = "statutory_decision_notification"
on = "decision_made"
to = ["ofsted", "dfe", "national_panel"]
discharges = "statutory_decision_notification"
purpose = "statutory notification of the decision"
"""


def test_a_well_formed_pack_loads() -> None:
    pack = RulesPack.from_toml(PACK_HEAD + NOTIFICATION)
    assert pack.rule_ids_met_by(MetBy.DECISION_RECORDED) == ("chair_decision",)
    [notification] = pack.notifications
    assert notification.on is Trigger.DECISION_MADE and notification.serves_rule == "statutory_decision_notification"
    assert notification.to == (RecipientRole.OFSTED, RecipientRole.DFE, RecipientRole.NATIONAL_PANEL)
    pack.check_templates(catalogue())


@pytest.mark.parametrize(
    ("change", "named"),
    [
        # An effect the rules do not know.
        (('met_by = "decision_recorded"', 'met_by = "decision_taken"'), "rules.1.met_by"),
        # An agency's effect on a board-level rule, and the other way round.
        (('met_by = "decision_recorded"', 'met_by = "agency_records_secured"'), "chair_decision"),
        (('met_by = "agency_records_secured"', 'met_by = "decision_recorded"'), "records_secured"),
        # A notification naming a rule the pack does not have.
        (
            ('discharges = "statutory_decision_notification"', 'discharges = "no_such_rule"'),
            "notifications.0.discharges",
        ),
        # ... or a trigger, a recipient or a board switch the code does not know.
        (('\non = "decision_made"', '\non = "decision_pondered"'), "notifications.0.on"),
        (('to = ["ofsted", "dfe", "national_panel"]', 'to = ["ofsted", "the_press"]'), "notifications.0.to"),
        (("purpose =", 'switch = "draft_everything"\npurpose ='), "notifications.0.switch"),
        # Agencies by role are not mixed with statutory recipients.
        (('to = ["ofsted", "dfe", "national_panel"]', 'to = ["ofsted", "involved_agencies"]'), "agency role"),
        # A date field that names an unknown rule, or an unknown date of it.
        (("purpose =", 'dates = { review_by = "review_complete" }\npurpose ='), "notifications.0.dates.review_by"),
        (("purpose =", 'dates = { due_by = "chair_decision.soonish" }\npurpose ='), ".due, .act_by or .original_due"),
    ],
)
def test_a_pack_naming_something_unknown_is_refused_with_the_key(change: tuple[str, str], named: str) -> None:
    text = (PACK_HEAD + NOTIFICATION).replace(*change, 1)
    assert text != PACK_HEAD + NOTIFICATION
    with pytest.raises(RulesPackError, match=named.replace(".", r"\.")):
        RulesPack.from_toml(text, origin="board pack")


def test_a_notification_naming_an_unknown_template_is_refused_where_the_catalogue_is_known() -> None:
    pack = RulesPack.from_toml(PACK_HEAD + NOTIFICATION.replace('template = "statutory_', 'template = "nonexistent_'))
    with pytest.raises(RulesPackError, match=r"notifications\.0\.template: unknown template 'nonexistent_"):
        pack.check_templates(catalogue())


@pytest.mark.parametrize("name", bundled_pack_names())
def test_every_bundled_pack_names_only_templates_that_exist(name: str) -> None:
    bundled_pack(name).check_templates(catalogue())


# The hackney-2017 declarations that keep today's behaviour (README "What is drafted, and when").
HACKNEY_MET_BY = {
    "chair_decision": MetBy.DECISION_RECORDED,
    "subgroup_meeting": MetBy.SUBGROUP_MEETING_HELD,
    "records_secured": MetBy.AGENCY_RECORDS_SECURED,
    "agency_involvement_check": MetBy.AGENCY_INVOLVEMENT_ANSWERED,
    "imr_submitted": MetBy.AGENCY_REPORT_ACCEPTED,
    "action_complete": MetBy.ACTION_COMPLETED,
}
HACKNEY_NOTIFICATIONS = {
    # template: (on, recipients, discharges, serves)
    "serious_incident_notification": ("referral_filed", ["ofsted"], "ofsted_incident_notification", ""),
    "statutory_decision_notification": (
        "decision_made",
        ["ofsted", "dfe", "national_panel"],
        "statutory_decision_notification",
        "",
    ),
    "chief_officer_letter": ("decision_made", ["involved_agencies"], "chief_officer_letters", ""),
    "imr_request": ("decision_made", ["each_involved_agency"], "", "imr_submitted"),
    "extension_notice": ("review_extended", ["ofsted"], "extension_notice", ""),
    "publication_copies": ("publication_planned", ["ofsted", "dfe", "national_panel"], "publication_copies", ""),
    "publication_withheld": ("publication_withheld", ["dfe", "national_panel"], "", ""),
    "action_plan_progress_report": ("report_published", ["board"], "action_plan_update", ""),
    "review_concluded": ("actions_completed", ["dfe"], "", ""),
    # Each accepted agency report, its version attached, to the reviewer and the review panel (003 §5.7).
    "agency_report_distribution": ("agency_report_accepted", ["reviewer", "review_panel"], "", ""),
}


def test_hackney_declares_what_meets_its_deadlines_and_what_it_drafts() -> None:
    pack = bundled_pack("hackney-2017")
    assert {r.id: r.met_by for r in pack.rules if r.met_by} == HACKNEY_MET_BY
    assert {
        n.template: (n.on.value, [r.value for r in n.to], n.discharges, n.serves) for n in pack.notifications
    } == HACKNEY_NOTIFICATIONS
    scr_only = {n.template for n in pack.notifications if n.outcomes}
    assert scr_only == {"chief_officer_letter", "imr_request"}
