"""The mail stack templates render completely for both instances, and the instances never collide."""

import importlib.util
import os
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("stack", ROOT / "deploy" / "stack.py")
assert spec
assert spec.loader
stack = importlib.util.module_from_spec(spec)
spec.loader.exec_module(stack)


@pytest.mark.parametrize("instance", ["demo", "test"])
def test_every_template_renders_without_leftover_placeholders(instance: str) -> None:
    values = stack.settings_for(instance) | {"vmail_uid": "5000", "vmail_gid": "5000", "postfix_db_password": "x"}
    for template in (ROOT / "deploy" / "templates").rglob("*"):
        if template.is_file():
            text = stack.render(template.read_text(), values)
            assert not re.search(r"\{\{\w+\}\}", text), template


def test_unknown_placeholder_fails_loudly() -> None:
    with pytest.raises(stack.StackError, match="nope"):
        stack.render("x = {{nope}}", {})


def test_demo_and_test_instances_share_no_port_or_directory() -> None:
    demo, test = stack.PROFILES["demo"], stack.PROFILES["test"]
    for key in demo:
        if key.endswith(("_port", "_dir")):
            assert demo[key] != test[key], key


def test_outside_mail_is_refused_unless_asked_for(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ROOST_OUTBOUND", raising=False)
    assert stack.settings_for("demo")["default_transport"].startswith("error:")
    monkeypatch.setenv("ROOST_OUTBOUND", "direct")
    assert stack.settings_for("demo")["default_transport"] == "smtp"


def rendered_postfix(tmp_path: Path) -> Path:
    values = stack.settings_for("demo") | {"vmail_uid": "5000", "vmail_gid": "5000", "postfix_db_password": "x"}
    tmp_path.mkdir()
    for name in ("main.cf", "master.cf"):
        (tmp_path / name).write_text(stack.render((ROOT / "deploy/templates/postfix" / name).read_text(), values))
    return tmp_path


def postconf(config_dir: Path, *names: str) -> str:
    return subprocess.run(
        ["postconf", "-c", str(config_dir), *names], capture_output=True, text=True, check=True
    ).stdout


def test_smtp_auth_needs_tls_once_a_certificate_is_configured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ROOST_MAIL_TLS_CERT", raising=False)
    monkeypatch.delenv("ROOST_MAIL_TLS_KEY", raising=False)
    plain = postconf(rendered_postfix(tmp_path / "plain"), "smtpd_tls_auth_only", "smtpd_tls_security_level")
    assert plain.split() == ["smtpd_tls_auth_only", "=", "no", "smtpd_tls_security_level", "=", "none"]

    monkeypatch.setenv("ROOST_MAIL_TLS_CERT", "/etc/ssl/certs/mail.pem")
    monkeypatch.setenv("ROOST_MAIL_TLS_KEY", "/etc/ssl/private/mail.key")
    tls = postconf(rendered_postfix(tmp_path / "tls"), "smtpd_tls_auth_only", "smtpd_tls_security_level")
    assert tls.split() == ["smtpd_tls_auth_only", "=", "yes", "smtpd_tls_security_level", "=", "may"]


def test_postfix_reads_the_directory_with_its_own_role_and_no_password_view() -> None:
    for template in (ROOT / "deploy/templates/postfix").glob("pgsql-*.cf"):
        text = template.read_text()
        assert "user = {{postfix_db_role}}" in text, template
        assert "roost_mail_users" not in text, template


@pytest.mark.integration
def test_mail_stack_logs_are_not_world_readable() -> None:
    """deploy/stack.py start made these for the running test instance."""
    log_dir = Path(os.environ.get("ROOST_STACK_LOG_DIR", "/var/log/roost-test"))
    assert log_dir.stat().st_mode & 0o007 == 0
    for log in log_dir.glob("*.log"):
        assert log.stat().st_mode & 0o007 == 0, log


def _dovecot_conf(instance: str) -> str:
    values = stack.settings_for(instance) | {"vmail_uid": "5000", "vmail_gid": "5000"}
    return stack.render((ROOT / "deploy" / "templates" / "dovecot" / "dovecot.conf").read_text(), values)


def test_only_the_test_instance_listens_with_few_capabilities() -> None:
    listener = re.compile(r"inet_listener imap-basic \{\s*address = ([\d.]+)\s*port = (\d+)")
    assert listener.search(_dovecot_conf("demo")).group(2) == "0"  # type: ignore[union-attr]
    address, port = listener.search(_dovecot_conf("test")).groups()  # type: ignore[union-attr]
    assert (address, port) == ("127.0.0.2", stack.PROFILES["test"]["imap_basic_port"])
    capability = re.search(r"local 127\.0\.0\.2 \{.*?imap_capability = ([^\n]+)", _dovecot_conf("test"), re.S)
    assert capability is not None
    offered = set(capability.group(1).split())
    assert "IMAP4rev1" in offered
    assert not offered & {"SORT", "THREAD=REFERENCES", "MOVE", "CONDSTORE", "QRESYNC"}
