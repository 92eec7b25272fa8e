"""The mail stack templates render completely for both instances, and the instances never collide."""

import importlib.util
import re
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
    values = stack.settings_for(instance) | {"vmail_uid": "5000", "vmail_gid": "5000"}
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
