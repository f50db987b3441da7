"""The board's own configuration: agencies, business unit, statutory recipients, rules pack, closure days.

Parsed from TOML text here; the file itself is read by `bot.config`.
"""

from __future__ import annotations

import tomllib
from datetime import date, time
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from cases.actor import Actor, Role
from cases.contact import ADDRESSES, AddressLedger, checked_email, name_text
from errors import BadInput, NotFound

# Names shown to people (members, agencies, recipients): no control characters or direction overrides.
Name = Annotated[str, AfterValidator(name_text)]


class UnknownAgency(NotFound, KeyError):
    """No agency with this id in the board config (also a KeyError for callers that look things up)."""

    def __str__(self) -> str:
        return f"no agency {self.args[0]!r} in the board config"


class BoardConfigError(BadInput):
    pass


class _Config(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


def _email(value: str, info: ValidationInfo) -> str:
    # The validation's context may carry the addresses this very file held when last found valid (from_toml).
    context = info.context if isinstance(info.context, dict) else {}
    return checked_email(value, context.get(ADDRESSES))


def domain_of(address: str) -> str:
    return address.rsplit("@", 1)[-1].lower()


class Agency(_Config):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    name: Name = Field(min_length=1)
    kind: str = Field(default="other", description="police, health, icb, social_care, education, probation...")
    # Member of the SCR sub-group: asked to check involvement and secure records on every referral (004 §3.7).
    subgroup: bool = True
    # Registered addresses: only mail from these is trusted as this agency's answer (DESIGN.md §5).
    addresses: tuple[str, ...] = Field(min_length=1)
    # Where requests go; the first registered address if not given.
    request_address: str = ""
    chief_officer: str = Field(default="", description="Role title, for letters under 004 §7.1")
    # The agency's member of the board: its own overdue tasks (an IMR, records secured) are escalated to them
    # on the day they are escalated to the board manager (issue: escalation to the agency's board member).
    board_member: str = Field(default="", description="Email of the agency's board member, for escalations")

    _check_addresses = field_validator("addresses")(lambda cls, v, info: tuple(_email(a, info) for a in v))

    @field_validator("request_address", "board_member")
    @classmethod
    def _check_request(cls, value: str, info: ValidationInfo) -> str:
        return _email(value, info) if value else value

    @property
    def send_to(self) -> str:
        return self.request_address or self.addresses[0]


class Member(_Config):
    name: Name = Field(min_length=1)
    email: str = ""
    slack_user_id: str = ""
    # The person's Microsoft Entra object id (Teams gives it as `aadObjectId`): who they are in Teams.
    teams_user_id: str = Field(
        default="", pattern=r"^$|^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
    )
    roles: tuple[Role, ...] = (Role.BUSINESS_UNIT,)
    # Overdue deadlines are escalated to the board manager (004 §7.2 names the role). Without any member
    # flagged, members with the "admin" role stand in.
    board_manager: bool = False

    @field_validator("email")
    @classmethod
    def _member_email(cls, value: str, info: ValidationInfo) -> str:
        return _email(value, info) if value else value


class Recipient(_Config):
    name: Name
    email: str
    postal_address: str = ""

    _check_email = field_validator("email")(lambda cls, v, info: _email(v, info))


def _default_recipients() -> dict[str, Any]:
    # 004 §5.3, as data validated with the board file. Ofsted is given its CJSM (secure) address. The seed
    # prints Ofsted's postcode "M12 WD"; it is M1 2WD.
    return {
        "ofsted": {
            "name": "Applications, Regulatory and Contact Team, Ofsted",
            "email": "scr.sin@ofsted.cjsm.net",
            "postal_address": "Piccadilly Gate, Store Street, Manchester M1 2WD",
        },
        "dfe": {
            "name": "Serious Incident Briefing Team, Department for Education",
            "email": "mailbox.cpod@education.gov.uk",
            "postal_address": "Level 1, Sanctuary Buildings, Great Smith Street, London SW1P 3BT",
        },
        "national_panel": {
            "name": "National Panel Secretariat, c/o Department for Education",
            "email": "mailbox.scrpanel@education.gov.uk",
            "postal_address": "Level 1, Sanctuary Buildings, Great Smith Street, London SW1P 3BT",
        },
        # Working Together 2023 ch. 5 (the wt2023 pack). Defaults a board should check against the Panel's
        # current guidance and override under [statutory_recipients.<role>]; the serious incident
        # notification itself is made on the national online form, not to these addresses.
        "cspr_panel": {
            "name": "Child Safeguarding Practice Review Panel, c/o Department for Education",
            "email": "mailbox.cspreviewpanel@education.gov.uk",
            "postal_address": "Sanctuary Buildings, Great Smith Street, London SW1P 3BT",
        },
        "secretary_of_state": {
            "name": "The Secretary of State for Education, c/o Department for Education",
            "email": "mailbox.cpod@education.gov.uk",
            "postal_address": "Sanctuary Buildings, Great Smith Street, London SW1P 3BT",
        },
    }


def _statutory_recipients(value: object) -> object:
    """A board's [statutory_recipients] add to or replace the defaults role by role (a board that names only
    its safeguarding partners keeps the national bodies' default addresses)."""
    if isinstance(value, dict):
        return {**_default_recipients(), **value}
    return value


# Domains where mail is protected end to end between government, NHS, police and criminal justice bodies.
# GCSX, which 004 §3.6 names, closed in 2019. A board adds the council domains that meet the standard.
DEFAULT_SECURE_DOMAINS = ("nhs.net", "cjsm.net", "pnn.police.uk", "police.uk", "education.gov.uk")


class SlackSettings(_Config):
    business_unit_channel: str = Field(default="", description="Channel id for case notices without personal data")
    business_unit_usergroup: str = Field(default="", description="User group id whose members are authorised")
    # The board's Slack workspace: with many boards on one deployment each request goes to the board whose
    # workspace sent it (bot/slack/routing.py); the OAuth installation store keys installs by it too.
    team_id: str = Field(default="", pattern=r"^$|^[TE][A-Z0-9]{2,}$", description="Slack workspace (team) id")


class MailSettings(_Config):
    """`[mail]`: the board's own mailbox, where one deployment serves many boards (credentials stay in the
    process settings: one service account or app registration with access to each board's mailbox)."""

    mailbox: str = Field(default="", description="EWS or Graph: the board's shared mailbox address")
    ews_endpoint: str = Field(default="", pattern=r"^$|^https?://", description="EWS: the board's Exchange server")

    @field_validator("mailbox")
    @classmethod
    def _mailbox(cls, value: str, info: ValidationInfo) -> str:
        return _email(value, info) if value else value


# A Teams channel id ("19:...@thread.tacv2"), a tenant id (a GUID): checked so a typo fails at load.
_TEAMS_CHANNEL = r"^$|^19:[A-Za-z0-9_-]+@thread\.(tacv2|skype)$"
_GUID = r"^$|^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"

# Chat targets that are not Slack ids: where a message goes in Teams (bot/teams/chat.py resolves them).
TEAMS_CHANNEL_TARGET = "teams:channel"
TEAMS_USER_TARGET = "teams:user:"

FrontEnd = Literal["slack", "teams"]


class TeamsSettings(_Config):
    """`[teams]`: the board's Microsoft 365 tenant, and the business unit's team and channel."""

    # The tenant whose people use this board's bot. Single tenant: the registration's own tenant (the
    # default when empty). Multi-tenant: required, and it is how an activity finds its board.
    tenant_id: str = Field(default="", pattern=_GUID)
    team_id: str = Field(default="", pattern=_TEAMS_CHANNEL, description="The business unit's team (General's id)")
    business_unit_channel: str = Field(default="", pattern=_TEAMS_CHANNEL, description="Channel for case notices")


Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday"]


class ReminderSettings(_Config):
    """The reminder ladder every open deadline gets (`[reminders]` in the board config).

    Counted in working days from the deadline's `act_by`. Chasers for an agency's own task (records
    secured, involvement check, IMR) go to that agency; the business unit hears about those once they are
    overdue. Escalations go to the board manager, then the chair.
    """

    send_time: time = Field(default=time(9, 0), description="Local (England) time reminders are sent")
    before_working_days: tuple[int, ...] = Field(default=(3,), description="Reminders this many working days before")
    on_the_day: bool = True
    # Repeat while overdue, every N working days (1 = daily); 0 sends one overdue reminder only.
    overdue_every_working_days: int = Field(default=1, ge=0)
    escalate_to_manager_after: int = Field(default=2, ge=1, description="Working days overdue")
    escalate_to_chair_after: int = Field(default=5, ge=1, description="Working days overdue")
    agency_before_working_days: tuple[int, ...] = (3,)
    agency_overdue_every_working_days: int = Field(default=1, ge=0)
    # Where business unit reminders are emailed; empty means every business unit member with an email.
    business_unit_email: str = ""
    digest_weekday: Weekday = "monday"

    @field_validator("before_working_days", "agency_before_working_days")
    @classmethod
    def _positive(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        if any(n < 1 for n in value):
            raise ValueError("reminders before a deadline are counted in working days of 1 or more")
        return tuple(sorted(set(value), reverse=True))

    @field_validator("business_unit_email")
    @classmethod
    def _bu_email(cls, value: str, info: ValidationInfo) -> str:
        return _email(value, info) if value else value


class NotificationSettings(_Config):
    """Wording the board sets for its letters (`[notifications]`); every draft can be edited before approval."""

    # Where recipients reply; empty means the bot's own From address.
    contact_email: str = ""
    # 004 §2.3 puts the serious incident notification on the local authority; a board whose business unit
    # sends it for the local authority keeps this on, and gets a draft for each referral that has the date
    # the local authority became aware.
    draft_incident_notification: bool = True
    # 004 §7.1: the letter to chief officers gives the terms of reference, methodology and timescale.
    review_methodology: str = "a systems methodology consistent with Working Together (004 §11)"
    terms_of_reference: str = (
        "The terms of reference will be agreed at the scoping meeting and sent to you when they are."
    )

    @field_validator("contact_email")
    @classmethod
    def _contact(cls, value: str, info: ValidationInfo) -> str:
        return _email(value, info) if value else value


DEFAULT_EXTENSION_REASONS = (
    "parallel proceedings",
    "agency delay",
    "family involvement",
    "reviewer availability",
    "other",
)


class FigureSettings(_Config):
    """`[figures]`: how the board counts its year and its costs, and why reviews may be extended."""

    # The month the board's reporting year starts: 4 is April to March; 1 is the calendar year.
    reporting_year_start_month: int = Field(default=4, ge=1, le=12)
    # What an hour of panel or author time costs, in pounds (`scrbot case cost --hours`); unset: hours refused.
    hourly_rate: Decimal | None = Field(default=None, gt=0, max_digits=8, decimal_places=2)
    # The reasons an extension may give (003 §4.1), reported by reason.
    extension_reasons: tuple[str, ...] = Field(default=DEFAULT_EXTENSION_REASONS, min_length=1)

    @field_validator("extension_reasons")
    @classmethod
    def _reasons(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        reasons = tuple(dict.fromkeys(" ".join(r.split()).lower() for r in value if r.strip()))
        if not reasons:
            raise ValueError("name at least one reason")
        return reasons

    def reason(self, text: str) -> str | None:
        """The listed reason `text` names ("Agency delay", "agency_delay"), or None."""
        wanted = " ".join(text.replace("_", " ").split()).lower()
        return wanted if wanted in self.extension_reasons else None


class BoardConfig(_Config):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    name: Name
    rules_pack: str = "hackney-2017"
    # 004 says both the sub-group (§5.1) and the chair (§3.8, §5.2) decide: configurable.
    decision_maker: Literal["chair", "subgroup"] = "chair"
    closure_days: tuple[date, ...] = ()
    secure_domains: tuple[str, ...] = DEFAULT_SECURE_DOMAINS
    # Personal data of a closed case is purged this many days after closure; the timeline stays.
    retention_days_after_close: int = Field(default=7 * 365, ge=0)
    # Amber when a deadline's act_by is this many working days away or fewer.
    amber_working_days: int = Field(default=3, ge=0)
    agencies: tuple[Agency, ...] = ()
    members: tuple[Member, ...] = ()
    statutory_recipients: dict[str, Recipient] = Field(default_factory=_default_recipients, validate_default=True)
    # Which chat front ends the board works in: Slack, Teams or both (channel notices go to each).
    front_ends: tuple[FrontEnd, ...] = ("slack",)
    slack: SlackSettings = Field(default_factory=SlackSettings)
    teams: TeamsSettings = Field(default_factory=TeamsSettings)
    mail: MailSettings = Field(default_factory=MailSettings)
    reminders: ReminderSettings = Field(default_factory=ReminderSettings)
    notifications: NotificationSettings = Field(default_factory=NotificationSettings)
    figures: FigureSettings = Field(default_factory=FigureSettings)

    _recipients = field_validator("statutory_recipients", mode="before")(lambda cls, v: _statutory_recipients(v))

    @field_validator("secure_domains")
    @classmethod
    def _domains(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(d.strip().lower().lstrip("@.") for d in value if d.strip())

    @field_validator("front_ends")
    @classmethod
    def _front_ends(cls, value: tuple[FrontEnd, ...]) -> tuple[FrontEnd, ...]:
        if not value:
            raise ValueError("name at least one front end: slack, teams or both")
        return tuple(dict.fromkeys(value))

    @model_validator(mode="after")
    def _unique_agencies(self) -> BoardConfig:
        ids = [a.id for a in self.agencies]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise ValueError(f"agency ids appear twice: {', '.join(repeated)}")
        owners: dict[str, str] = {}
        for agency in self.agencies:
            for address in agency.addresses:
                if address in owners:
                    raise ValueError(f"{address} is registered to both {owners[address]} and {agency.id}")
                owners[address] = agency.id
        return self

    def agency(self, agency_id: str) -> Agency:
        for agency in self.agencies:
            if agency.id == agency_id:
                return agency
        raise UnknownAgency(agency_id)

    def subgroup_agencies(self) -> list[Agency]:
        return [a for a in self.agencies if a.subgroup]

    def agency_for_address(self, address: str) -> Agency | None:
        address = address.lower()
        for agency in self.agencies:
            if address in agency.addresses:
                return agency
        return None

    def is_secure_address(self, address: str) -> bool:
        domain = domain_of(address)
        return any(domain == d or domain.endswith("." + d) for d in self.secure_domains)

    def members_with(self, role: Role) -> list[Member]:
        return [m for m in self.members if role in m.roles]

    def addressed_roles(self) -> set[str]:
        """The recipient roles this board has addresses for: its [statutory_recipients], and always the board
        itself (`board`, the action plan's progress reports, 003 §7.3): through its managers, else its business
        unit, when not given there (notify/routing.py)."""
        return {*self.statutory_recipients, "board"}

    def board_managers(self) -> list[Member]:
        """Who overdue deadlines are escalated to first: flagged members, else admins."""
        flagged = [m for m in self.members if m.board_manager]
        return flagged or self.members_with(Role.ADMIN)

    def member_by_slack_id(self, slack_user_id: str) -> Member | None:
        for member in self.members:
            if member.slack_user_id and member.slack_user_id == slack_user_id:
                return member
        return None

    def member_by_teams_id(self, teams_user_id: str) -> Member | None:
        wanted = teams_user_id.lower()
        for member in self.members:
            if member.teams_user_id and member.teams_user_id.lower() == wanted:
                return member
        return None

    def teams_actor(self, teams_user_id: str) -> Actor:
        """The actor for a Teams user (by Entra object id): a configured member's roles, or a referrer."""
        member = self.member_by_teams_id(teams_user_id) if teams_user_id else None
        roles = frozenset({Role.REFERRER, *(member.roles if member else ())})
        return Actor(f"teams:{teams_user_id.lower()}", roles)

    def business_unit_chat(self) -> tuple[str, ...]:
        """Where the business unit's channel notices go: the Slack channel, the Teams channel, or both."""
        targets: list[str] = []
        if "slack" in self.front_ends and self.slack.business_unit_channel:
            targets.append(self.slack.business_unit_channel)
        if "teams" in self.front_ends and self.teams.business_unit_channel:
            targets.append(TEAMS_CHANNEL_TARGET)
        return tuple(targets)

    def chat_ids(self, members: list[Member]) -> tuple[str, ...]:
        """Direct-message targets for these members, in each front end the board uses."""
        ids: set[str] = set()
        if "slack" in self.front_ends:
            ids |= {m.slack_user_id for m in members if m.slack_user_id}
        if "teams" in self.front_ends:
            ids |= {TEAMS_USER_TARGET + m.teams_user_id.lower() for m in members if m.teams_user_id}
        return tuple(sorted(ids))

    def slack_actor(self, slack_user_id: str) -> Actor:
        """The actor for a Slack user: a configured member's roles, or a referrer."""
        member = self.member_by_slack_id(slack_user_id)
        roles = frozenset({Role.REFERRER, *(member.roles if member else ())})
        return Actor(f"slack:{slack_user_id}", roles)

    @classmethod
    def from_toml(
        cls, text: str, *, origin: str = "board config", addresses: AddressLedger | None = None
    ) -> BoardConfig:
        """The board from its file's text. `addresses`: those found valid before in this very text (bot/config.py),
        not checked again; the ledger also collects the addresses checked now."""
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise BoardConfigError(f"{origin}: not valid TOML: {exc}") from exc
        board = data.pop("board", {})
        try:
            return cls.model_validate(
                {**board, **data}, context={ADDRESSES: addresses} if addresses is not None else None
            )
        except ValidationError as exc:
            problems = []
            for error in exc.errors(include_url=False):  # "msg" never holds the value (str(exc) would)
                where = ".".join(str(p) for p in error["loc"])
                problems.append(f"{where}: {error['msg'].removeprefix('Value error, ')}")
            raise BoardConfigError(f"{origin}: " + "; ".join(problems)) from exc
