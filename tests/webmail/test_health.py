import pytest
from django.core.management import CommandError, call_command

pytestmark = [pytest.mark.integration]


def test_all_services_answer(mail_stack: None, capsys: pytest.CaptureFixture[str]) -> None:
    call_command("roost_check")
    out = capsys.readouterr().out
    for name in ("postgres", "redis", "imap", "submission", "smtp"):
        assert f"ok   {name}" in out


def test_a_missing_service_is_named_with_how_to_fix_it(mail_stack: None, settings, capsys) -> None:  # type: ignore[no-untyped-def]
    settings.ROOST_IMAP_PORT = 1
    settings.ROOST_SMTP_PORT = 2
    settings.REDIS_URL = "redis://127.0.0.1:3/0"
    with pytest.raises(CommandError, match="not ready: redis, imap, submission"):
        call_command("roost_check")
    out = capsys.readouterr().out
    assert "FAIL imap: Cannot reach the IMAP server at 127.0.0.1:1" in out
    assert "Start Dovecot" in out
    assert "FAIL redis: Redis at redis://127.0.0.1:3/0 cannot be reached" in out
    assert "FAIL submission: SMTP (submission) at 127.0.0.1:2 cannot be reached" in out


def test_redis_without_a_password_is_named_but_not_fatal(mail_stack: None, capsys: pytest.CaptureFixture[str]) -> None:
    """The test machines run Redis with no password, as many servers do."""
    call_command("roost_check")
    out = capsys.readouterr().out
    assert "ok   redis" in out
    assert "warn redis: Redis at redis://127.0.0.1:6379/15 answers without a password" in out


def test_a_redis_password_is_never_printed(mail_stack: None, settings, capsys) -> None:  # type: ignore[no-untyped-def]
    settings.REDIS_URL = "redis://:s3cret-pass@127.0.0.1:3/0"
    with pytest.raises(CommandError):
        call_command("roost_check")
    out = capsys.readouterr().out
    assert "FAIL redis: Redis at redis://***@127.0.0.1:3/0 cannot be reached" in out
    assert "s3cret" not in out
