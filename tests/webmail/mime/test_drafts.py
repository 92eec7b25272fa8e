"""Drafts written with the same builder as sent mail and read back as the user typed them."""

from datetime import UTC, datetime
from email import message_from_bytes
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import default

import pytest

from webmail.mime.compose import Attachment, BadHeader
from webmail.mime.drafts import KEY_HEADER, STATE_HEADER, DraftState, draft_message, draft_read
from webmail.mime.structure import decode_body

KEY = "0123456789abcdef0123456789abcdef"
ALICE = Address("", "alice", "example.test")
WHEN = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)


def _write(state: DraftState, files: list[Attachment] | None = None) -> bytes:
    return draft_message(state, key=KEY, sender=ALICE, files=files or [], date=WHEN)


def _reopen(raw: bytes) -> tuple[DraftState, str | None]:
    """As the service does it: the header section, and the text and HTML bodies decoded."""
    header = raw[: raw.index(b"\r\n\r\n") + 4]
    msg = message_from_bytes(raw, policy=default)
    assert isinstance(msg, EmailMessage)
    texts = []
    for body in (msg.get_body(("plain",)), msg.get_body(("html",))):
        data = body.get_payload(decode=True) if body is not None else b""
        assert isinstance(data, bytes)
        texts.append(decode_body(data, encoding="binary", charset=body and body.get_content_charset()))
    read = draft_read(header, text=texts[0], html=texts[1])
    return read.state, read.key


def test_a_draft_comes_back_field_for_field() -> None:
    # Given everything the compose form holds, a reply's context and a file
    state = DraftState(
        from_address="alice@example.test", to="Bob <bob@example.test>", cc="carol@example.test",
        bcc="dana@example.test", subject="Plans – Grüße", text="Dear Bob\n", html="<p>Dear Bob</p>\n",
        mode="reply", parent_folder="INBOX/Work", parent_uid=7,
    )  # fmt: skip
    raw = _write(state, [Attachment("plan.pdf", "application/pdf", b"%PDF plan")])
    # When it is written and read back
    reopened, key = _reopen(raw)
    # Then nothing is lost, and the key is the one it was saved under
    assert reopened == state
    assert key == KEY
    # And the message is an ordinary draft other mail clients can show: real recipient headers, Bcc kept
    msg = message_from_bytes(raw, policy=default)
    assert (msg["To"], msg["Cc"], msg["Bcc"]) == ("Bob <bob@example.test>", "carol@example.test", "dana@example.test")
    assert msg[KEY_HEADER] == KEY
    assert [part.get_filename() for part in msg.iter_attachments()] == ["plan.pdf"]  # type: ignore[attr-defined]
    assert b"\n" not in raw.replace(b"\r\n", b"")


@pytest.mark.parametrize(
    "typed",
    ["Bob <bob@example.test>, bo", "bob@bücher.example", "bob@example.test,", "bob@example.test; carol@example.test"],
)
def test_recipients_the_headers_cannot_give_back_come_back_as_typed(typed: str) -> None:
    raw = _write(DraftState(to=typed, subject="half written"))
    assert _reopen(raw)[0].to == typed


def test_a_draft_without_recipients_reopens_without_any() -> None:
    # build_message writes "undisclosed-recipients:;" for a message without To or Cc; a draft shows none
    reopened, _ = _reopen(_write(DraftState(subject="nobody yet")))
    assert (reopened.to, reopened.cc, reopened.bcc) == ("", "", "")
    assert reopened.from_address == "alice@example.test"


@pytest.mark.parametrize(
    "state",
    [
        DraftState(subject="Hi\r\nBcc: eve@example.test"),
        DraftState(to="bob@example.test\r\nBcc: eve@example.test"),
        DraftState(cc="a\nb"),
    ],
)
def test_line_breaks_in_headers_are_refused(state: DraftState) -> None:
    with pytest.raises(BadHeader):
        _write(state)


def test_a_draft_written_by_another_client_reads_from_its_headers() -> None:
    header = (
        b"From: Alice Archer <alice@example.test>\r\nTo: Bob <bob@example.test>, carol@example.test\r\n"
        b"Subject: From Thunderbird\r\n" + STATE_HEADER.encode() + b": !!not base64 json!!\r\n"
        + KEY_HEADER.encode() + b": ../../etc\r\n\r\n"
    )  # fmt: skip
    read = draft_read(header, text="body", html="")
    # The sender is the address alone (what the form's sender choice holds); an invalid key is no key
    assert read.state == DraftState(
        from_address="alice@example.test", to="Bob <bob@example.test>, carol@example.test",
        subject="From Thunderbird", text="body",
    )  # fmt: skip
    assert read.key is None


def test_form_values_are_coerced_into_a_state() -> None:
    assert DraftState.from_mapping({"to": None, "parent_uid": "7", "subject": 5}) == DraftState(
        subject="5", parent_uid=7
    )
    assert DraftState.from_mapping({"parent_uid": "x"}).parent_uid is None
    assert DraftState.from_mapping({"parent_uid": -3}).parent_uid is None
    state = DraftState(to="b@example.test", parent_uid=2)
    assert DraftState.from_mapping(state.as_dict()) == state


def test_an_invalid_key_is_refused() -> None:
    with pytest.raises(BadHeader):
        draft_message(DraftState(), key="../x", sender=ALICE, files=[], date=WHEN)
