"""deploy/ checked without a container engine or systemd running: the files parse; the image and the service
run as an unprivileged user; every SCRBOT_* variable they set is a setting (or its _FILE variant); every
secret they name is declared; the healthcheck is a real `scrbot` command; the systemd units pass
`systemd-analyze verify` and score as well hardened in `systemd-analyze security`."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from dockerfile_parse import DockerfileParser

from bot.cli import build_parser
from bot.settings import Settings
from bot.settings_files import env_name, file_settings

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
DATA_DIR = "/var/lib/scrbot"
SETTINGS = {env_name(n) for n in Settings.model_fields}
FILE_SETTINGS = {env_name(n) + "_FILE" for n in file_settings(Settings)}


def assert_settings_exist(names: set[str], where: str) -> None:
    unknown = sorted(n for n in names if n.startswith("SCRBOT_") and n not in SETTINGS | FILE_SETTINGS)
    assert unknown == [], f"{where} sets variables that are no setting: {unknown}"


def assert_scrbot_command(argv: list[str]) -> None:
    assert argv[0] == "scrbot"
    build_parser().parse_args(argv[1:])  # exits (SystemExit) on an unknown command or option


# --- the image -----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def dockerfile() -> DockerfileParser:
    parser = DockerfileParser(path=str(DEPLOY / "Dockerfile"))
    return parser


def instructions(dockerfile: DockerfileParser, name: str) -> list[str]:
    final = [i for i in dockerfile.structure if i["instruction"] == "FROM"][-1]["startline"]
    return [i["value"] for i in dockerfile.structure if i["instruction"] == name and i["startline"] >= final]


def test_the_image_is_slim_python_and_runs_unprivileged(dockerfile: DockerfileParser) -> None:
    assert re.fullmatch(r"python:3\.1[1-9]-slim(-\w+)?", dockerfile.baseimage), dockerfile.baseimage
    users = instructions(dockerfile, "USER")
    assert users, "no USER in the final stage: the container would run as root"
    user = users[-1].split(":")[0]
    assert user not in {"root", "0"}
    assert instructions(dockerfile, "VOLUME") == [f'["{DATA_DIR}"]']


def test_the_image_sets_only_real_settings(dockerfile: DockerfileParser) -> None:
    env = dockerfile.envs
    assert env["SCRBOT_DATA_DIR"] == DATA_DIR
    assert_settings_exist(set(env), "Dockerfile ENV")


def test_the_image_healthcheck_is_the_quick_doctor(dockerfile: DockerfileParser) -> None:
    [healthcheck] = instructions(dockerfile, "HEALTHCHECK")
    command = yaml.safe_load(healthcheck.split("CMD", 1)[1])  # the exec form is a JSON (so YAML) list
    assert command == ["scrbot", "doctor", "--quick"]
    assert_scrbot_command(command)
    entrypoint = yaml.safe_load(instructions(dockerfile, "ENTRYPOINT")[-1])
    cmd = yaml.safe_load(instructions(dockerfile, "CMD")[-1])
    assert_scrbot_command([*entrypoint, *cmd])


def test_the_image_copies_every_package(dockerfile: DockerfileParser) -> None:
    import tomllib

    packages = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]["find"]["include"]
    copied = {i.split()[0].rstrip("/") for i in instructions_all(dockerfile, "COPY") if not i.startswith("--from")}
    assert {p.rstrip("*") for p in packages} <= copied


def instructions_all(dockerfile: DockerfileParser, name: str) -> list[str]:
    return [i["value"] for i in dockerfile.structure if i["instruction"] == name]


# --- compose -------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return dict(yaml.safe_load((DEPLOY / "compose.yaml").read_text()))


def test_compose_runs_postgresql_and_the_bot(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert set(services) == {"db", "bot"}
    assert services["db"]["image"].startswith("postgres:")
    assert services["bot"]["depends_on"]["db"]["condition"] == "service_healthy"
    assert services["bot"]["build"]["dockerfile"] == "deploy/Dockerfile"
    assert "user" not in services["bot"] or str(services["bot"]["user"]).split(":")[0] not in {"root", "0"}


def test_compose_sets_only_real_settings(compose: dict[str, Any]) -> None:
    env = compose["services"]["bot"]["environment"]
    assert_settings_exist(set(env), "compose.yaml")
    example = (DEPLOY / "scrbot.env.example").read_text()
    assert_settings_exist(set(re.findall(r"^\s*#?\s*(SCRBOT_[A-Z_]+)=", example, flags=re.M)), "scrbot.env.example")
    url = env["SCRBOT_DATABASE_URL"]
    assert url.startswith("postgresql+psycopg://") and ":" not in url.split("//")[1].split("@")[0]  # no password


def test_compose_secrets_are_files_and_declared(compose: dict[str, Any]) -> None:
    bot = compose["services"]["bot"]
    declared = set(compose["secrets"])
    assert all("file" in spec for spec in compose["secrets"].values())
    assert set(bot["secrets"]) <= declared
    variables = {**bot["environment"], **dotenv(DEPLOY / "scrbot.env.example")}
    for name, value in variables.items():
        if name.endswith("_FILE") or name == "SCRBOT_GRAPH_CLIENT_CERTIFICATE":
            assert value.startswith("/run/secrets/"), name
            assert value.removeprefix("/run/secrets/") in bot["secrets"], f"{name}: {value} is not mounted"
    # Secrets only as files; the database URL is allowed because it carries no password (checked above).
    secret_values = {env_name(f) for f in file_settings(Settings)} - {"SCRBOT_DATABASE_URL"}
    assert not secret_values & set(bot["environment"]), "a secret set in plain environment"


def dotenv(path: Path) -> dict[str, str]:
    pairs = re.findall(r"^(SCRBOT_[A-Z_]+)=(.*)$", path.read_text(), flags=re.M)
    return dict(pairs)


def test_compose_healthcheck_and_hardening(compose: dict[str, Any]) -> None:
    bot = compose["services"]["bot"]
    assert_scrbot_command(bot["healthcheck"]["test"][1:])
    assert bot["healthcheck"]["test"][1:] == ["scrbot", "doctor", "--quick"]
    assert bot["read_only"] is True and bot["cap_drop"] == ["ALL"]
    assert "no-new-privileges:true" in bot["security_opt"]
    assert any(v.endswith(f":{DATA_DIR}") for v in bot["volumes"])


# --- systemd -------------------------------------------------------------------------------------------

UNITS = ["scrbot.service", "scrbot-backup.service", "scrbot-backup.timer"]


def unit(name: str) -> dict[str, dict[str, list[str]]]:
    """Sections and their keys, each key with every value it is given (systemd keys repeat)."""
    sections: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] = {}
    for line in (DEPLOY / "systemd" / name).read_text().splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            current = sections.setdefault(line.strip("[]"), {})
            continue
        key, _, value = line.partition("=")
        current.setdefault(key, []).append(value)
    return sections


def environment(service: dict[str, list[str]]) -> dict[str, str]:
    pairs = (pair.split("=", 1) for line in service.get("Environment", []) for pair in line.split())
    return {k: v for k, v in pairs}


@pytest.mark.parametrize("name", ["scrbot.service", "scrbot-backup.service"])
def test_the_services_are_hardened(name: str) -> None:
    service = unit(name)["Service"]
    assert service["User"] == ["scrbot"] and service["Group"] == ["scrbot"]
    assert service["ProtectSystem"] == ["strict"]
    assert service["NoNewPrivileges"] == ["yes"]
    assert service["ReadWritePaths"] == [DATA_DIR]
    assert service["StateDirectory"] == ["scrbot"] and service["UMask"] == ["0077"]
    assert service["CapabilityBoundingSet"] == [""]
    env = environment(service)
    assert env["SCRBOT_DATA_DIR"] == DATA_DIR
    assert_settings_exist(set(env), name)
    for variable, value in env.items():  # secrets come as credentials, never as values
        if variable.endswith("_FILE"):
            credential = value.removeprefix("%d/")
            assert any(line.startswith(f"{credential}:") for line in service["LoadCredential"]), variable


def test_the_service_runs_scrbot_and_is_not_restarted_when_it_refuses() -> None:
    from bot.commands.run_cmd import EXIT_REFUSED_TO_START

    service = unit("scrbot.service")["Service"]
    [start] = service["ExecStart"]
    assert_scrbot_command(["scrbot", *start.split()[1:]])
    assert start.split()[0].endswith("/bin/scrbot")
    assert service["RestartPreventExitStatus"] == [str(EXIT_REFUSED_TO_START)]
    [backup] = unit("scrbot-backup.service")["Service"]["ExecStart"]
    assert_scrbot_command(["scrbot", *backup.split()[1:]])


@pytest.fixture
def verify_copies(tmp_path: Path) -> Iterator[Path]:
    """The units as files systemd-analyze can load here: ExecStart points at an executable that exists on
    this machine (the real path, /opt/scrbot/venv/bin/scrbot, is made by the install steps)."""
    for name in UNITS:
        text = (DEPLOY / "systemd" / name).read_text().replace("/opt/scrbot/venv/bin/scrbot", "/bin/true")
        (tmp_path / name).write_text(text)
    yield tmp_path


def systemd_analyze() -> str:
    tool = shutil.which("systemd-analyze")
    if tool is None:
        pytest.skip("systemd-analyze is not installed here (the units are still parsed and checked above)")
    return tool


def test_systemd_analyze_verify_finds_nothing(verify_copies: Path) -> None:
    tool = systemd_analyze()
    result = subprocess.run(
        [tool, "verify", *(str(verify_copies / n) for n in UNITS)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0 and result.stderr.strip() == "", result.stderr


@pytest.mark.parametrize("name", ["scrbot.service", "scrbot-backup.service"])
def test_systemd_analyze_security_scores_it_well_hardened(verify_copies: Path, name: str) -> None:
    tool = systemd_analyze()
    result = subprocess.run(
        [tool, "security", "--offline=yes", "--no-pager", str(verify_copies / name)],
        capture_output=True,
        text=True,
        check=False,
    )
    found = re.search(r"Overall exposure level for \S+: ([\d.]+)", result.stdout)
    if found is None:
        pytest.skip(f"this systemd-analyze cannot score a unit offline ({result.stderr.strip()[:80]})")
    assert float(found.group(1)) <= 2.0, result.stdout[-400:]


# --- Slack manifests -----------------------------------------------------------------------------------


def test_the_socket_mode_manifest_is_the_http_one_without_urls() -> None:
    import json

    http = json.loads((ROOT / "bot" / "slack" / "manifest.json").read_text())
    socket = json.loads((DEPLOY / "slack" / "manifest-socket-mode.json").read_text())
    assert socket["settings"]["socket_mode_enabled"] is True
    assert "url" not in json.dumps(socket)
    for command in http["features"]["slash_commands"]:
        del command["url"]
    del http["settings"]["event_subscriptions"]["request_url"]
    del http["settings"]["interactivity"]["request_url"]
    del http["oauth_config"]["redirect_urls"]  # install mode's redirect: HTTP only
    http["settings"]["socket_mode_enabled"] = True
    assert socket == http
