"""The submission adapter's verdicts, against a scripted SMTP peer on loopback (a fake is the only
way to break a connection exactly after the final dot)."""

import socket
import threading
import time
from collections.abc import Iterator

import pytest

from webmail.smtp.client import SmtpEndpoint, SmtpError, SmtpUnavailable, SmtpUncertain, SmtpWithdrawn, smtp_submit

seen: list[str] = []


def _peer(behaviour: str) -> Iterator[int]:
    seen.clear()
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)

    def run() -> None:
        conn, _ = server.accept()
        file = conn.makefile("rwb")

        def say(line: str) -> None:
            file.write(line.encode() + b"\r\n")
            file.flush()

        say("220 fake ESMTP")
        while line := file.readline():
            verb = line.decode().strip().upper()
            if verb.startswith("EHLO"):
                say("250-fake")
                say("250-SMTPUTF8" if behaviour == "utf8" else "250-PIPELINING")
                say("250 8BITMIME")
            elif verb.startswith("MAIL"):
                seen.append(line.decode().strip())
                say("250 ok")
            elif verb.startswith("RCPT"):
                say("451 4.3.0 try later" if behaviour == "rcpt-temporary" else "250 ok")
            elif verb == "RSET":
                say("250 ok")
            elif verb == "DATA":
                say("354 go ahead")
                while (body := file.readline()) not in (b".\r\n", b""):
                    pass
                if not body:
                    seen.append("dropped inside DATA")
                    break
                if behaviour == "drop-after-dot":
                    conn.close()
                    return
                say("554 5.7.1 rejected: spam" if behaviour == "reject-data" else "250 2.0.0 Ok: queued as ABC123")
            elif verb == "QUIT":
                say("221 bye")
                break
        conn.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    server.close()


@pytest.fixture
def peer(request: pytest.FixtureRequest) -> Iterator[int]:
    yield from _peer(request.param)


def submit(port: int, marks: list[str]) -> str:
    return smtp_submit(
        SmtpEndpoint("127.0.0.1", port, timeout=5),
        login=None,
        sender="alice@example.test",
        recipients=["bob@example.test"],
        message=b"Subject: x\n\n.leading dot\nbody\n",
        before_final_dot=lambda: marks.append("dot"),
    )


@pytest.mark.parametrize("peer", ["ok"], indirect=True)
def test_accepted_returns_the_queue_reply(peer: int) -> None:
    marks: list[str] = []
    assert submit(peer, marks) == "250 2.0.0 Ok: queued as ABC123"
    assert marks == ["dot"]


@pytest.mark.parametrize("peer", ["drop-after-dot"], indirect=True)
def test_a_drop_after_the_final_dot_is_uncertain(peer: int) -> None:
    with pytest.raises(SmtpUncertain, match="may have been delivered"):
        submit(peer, [])


@pytest.mark.parametrize("peer", ["reject-data"], indirect=True)
def test_a_5xx_after_data_is_permanent(peer: int) -> None:
    with pytest.raises(SmtpError) as refused:
        submit(peer, [])
    assert refused.value.permanent
    assert "554" in str(refused.value)


@pytest.mark.parametrize("peer", ["rcpt-temporary"], indirect=True)
def test_a_4xx_recipient_is_temporary_and_nothing_is_sent(peer: int) -> None:
    marks: list[str] = []
    with pytest.raises(SmtpError) as refused:
        submit(peer, marks)
    assert not refused.value.permanent
    assert marks == []


@pytest.mark.parametrize("peer", ["ok"], indirect=True)
def test_withdrawing_before_the_final_dot_sends_no_dot(peer: int) -> None:
    def withdraw() -> None:
        raise SmtpWithdrawn("the lease is gone")

    with pytest.raises(SmtpWithdrawn):
        smtp_submit(
            SmtpEndpoint("127.0.0.1", peer, timeout=5), login=None, sender="alice@example.test",
            recipients=["bob@example.test"], message=b"Subject: x\n\nbody\n", before_final_dot=withdraw,
        )  # fmt: skip
    for _ in range(50):  # the peer notices the closed connection on its own thread
        if "dropped inside DATA" in seen:
            break
        time.sleep(0.05)
    assert seen[-1] == "dropped inside DATA"


def test_nothing_listening_is_unavailable() -> None:
    with pytest.raises(SmtpUnavailable):
        submit(1, [])


@pytest.mark.parametrize("peer", ["utf8"], indirect=True)
def test_smtputf8_is_used_when_offered_and_needed(peer: int) -> None:
    smtp_submit(
        SmtpEndpoint("127.0.0.1", peer, timeout=5), login=None, sender="josé@example.test",
        recipients=["bob@example.test"], message="Subject: ü\n\nbody\n".encode(), smtputf8=True,
    )  # fmt: skip
    assert seen
    assert seen[0].endswith("SMTPUTF8")


@pytest.mark.parametrize("peer", ["ok"], indirect=True)
def test_smtputf8_needed_but_not_offered_is_a_clear_refusal(peer: int) -> None:
    with pytest.raises(SmtpError, match="international addresses"):
        smtp_submit(
            SmtpEndpoint("127.0.0.1", peer, timeout=5), login=None, sender="josé@example.test",
            recipients=["bob@example.test"], message=b"Subject: x\n\nbody\n", smtputf8=True,
        )  # fmt: skip
