"""Templates declare their fields; a notification missing one is refused, naming it."""

from __future__ import annotations

from datetime import date

import pytest

from notify.templates import MissingData, Template, catalogue, get_template


@pytest.mark.parametrize("template_id", sorted(catalogue()))
def test_declared_fields_are_exactly_what_the_template_uses(template_id: str) -> None:
    template = get_template(template_id)
    assert set(template.fields) | set(template.optional) == template.placeholders


def test_missing_field_is_named() -> None:
    template = get_template("new_referral_notice")
    with pytest.raises(MissingData) as raised:
        template.render(
            {"case_ref": "SCR-2026-0001", "rules_pack": "hackney-2017", "duplicate_note": "", "triage_note": ""}
        )
    assert raised.value.fields == ["next_act_by", "next_rule"]
    assert "next_act_by" in str(raised.value)


def test_optional_field_may_be_empty_but_must_be_given() -> None:
    template = get_template("new_referral_notice")
    values = {
        "case_ref": "SCR-2026-0001",
        "rules_pack": "hackney-2017",
        "next_rule": "records_secured",
        "next_act_by": date(2026, 11, 27),
    }
    assert template.missing_data(values) == ["duplicate_note", "triage_note"]
    rendered = template.render({**values, "duplicate_note": "", "triage_note": ""})
    assert rendered.text == (
        "New referral SCR-2026-0001 received (hackney-2017). Next deadline: records_secured, act by 27 November 2026.\n"
    )


def test_html_is_escaped_and_text_is_not() -> None:
    template = Template(
        id="t",
        version=1,
        channel="email",
        description="",
        personal_data=False,
        fields=("name",),
        subject_source="About {{ name }}",
        text_source="Hello {{ name }}",
        html_source="<p>Hello {{ name }}</p>",
    )
    rendered = template.render({"name": "<b>A & B</b>"})
    assert rendered.text == "Hello <b>A & B</b>\n"
    assert rendered.html == "<p>Hello &lt;b&gt;A &amp; B&lt;/b&gt;</p>"
