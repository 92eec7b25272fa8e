"""Reading Postfix's log to settle a submission whose reply was lost: accepted only with the queueing
line, "not received" only when the log covers the whole time and never saw the Message-ID."""

from datetime import datetime, timedelta
from pathlib import Path

from webmail.smtp.maillog import Delivery, postfix_log_lookup

MID = "<177.abc@example.test>"


def stamp(at: datetime) -> str:
    at = at.astimezone()
    return f"{at:%b} {at.day:2d} {at:%H:%M:%S}"  # syslog pads a one-digit day with a space


def write(path: Path, lines: list[tuple[datetime, str]]) -> str:
    path.write_text("".join(f"{stamp(at)} mail postfix/{text}\n" for at, text in lines))
    return str(path)


def noise(start: datetime, count: int) -> list[tuple[datetime, str]]:
    return [
        (start + timedelta(milliseconds=i), f"smtpd[1]: connect from localhost[10.0.0.{i % 250}]") for i in range(count)
    ]


def accepted_lines(at: datetime, qid: str = "4F00A1B8002", mid: str = MID) -> list[tuple[datetime, str]]:
    return [
        (at, f"submission/smtpd[7]: {qid}: client=localhost[127.0.0.1], sasl_method=PLAIN, sasl_username=a@x"),
        (at, f"cleanup[8]: {qid}: message-id={mid}"),
        (at, f"qmgr[9]: {qid}: from=<alice@example.test>, size=512, nrcpt=1 (queue active)"),
    ]


def test_accepted_when_cleanup_and_queue_lines_name_the_message(tmp_path: Path) -> None:
    now = datetime.now().astimezone()
    since = now - timedelta(seconds=40)
    path = write(tmp_path / "p.log", noise(now - timedelta(hours=1), 50) + accepted_lines(since) + noise(now, 20))
    assert postfix_log_lookup(path, message_id=MID, since=since) is Delivery.ACCEPTED


def test_header_seen_without_queueing_is_unknown_never_not_sent(tmp_path: Path) -> None:
    # The connection broke inside the body: cleanup saw the header, nothing was queued.
    now = datetime.now().astimezone()
    since = now - timedelta(seconds=40)
    lines = noise(now - timedelta(hours=1), 5) + accepted_lines(since)[:2]
    lines.append((since, "submission/smtpd[7]: lost connection after DATA (300 bytes) from localhost[127.0.0.1]"))
    path = write(tmp_path / "p.log", lines)
    assert postfix_log_lookup(path, message_id=MID, since=since) is Delivery.UNKNOWN


def test_not_found_only_when_the_log_reaches_back_past_since(tmp_path: Path) -> None:
    now = datetime.now().astimezone()
    since = now - timedelta(seconds=40)
    other = accepted_lines(since, qid="ABC", mid="<other@example.test>")
    covering = write(tmp_path / "covering.log", noise(now - timedelta(hours=1), 5) + other)
    assert postfix_log_lookup(covering, message_id=MID, since=since) is Delivery.NOT_FOUND
    # Rotated since the message started to go: the part that might hold it is gone.
    rotated = write(tmp_path / "rotated.log", noise(since + timedelta(seconds=10), 5) + other)
    assert postfix_log_lookup(rotated, message_id=MID, since=since) is Delivery.UNKNOWN


def test_an_unreadable_or_missing_log_is_unknown(tmp_path: Path) -> None:
    since = datetime.now().astimezone()
    assert postfix_log_lookup(str(tmp_path / "absent.log"), message_id=MID, since=since) is Delivery.UNKNOWN
    assert postfix_log_lookup(str(tmp_path), message_id=MID, since=since) is Delivery.UNKNOWN


def test_reads_only_the_tail_it_needs_and_across_block_boundaries(tmp_path: Path) -> None:
    now = datetime.now().astimezone()
    since = now - timedelta(seconds=40)
    # ~3 MB of older lines, then the message among newer ones; a block boundary falls somewhere inside.
    lines = noise(now - timedelta(hours=2), 40_000) + accepted_lines(since) + noise(now - timedelta(seconds=1), 5_000)
    path = write(tmp_path / "big.log", lines)
    assert postfix_log_lookup(path, message_id=MID, since=since) is Delivery.ACCEPTED
    # A cap smaller than the stretch since `since` means the log is not covered: unknown, not "not sent".
    assert postfix_log_lookup(path, message_id="<x@y>", since=since, max_bytes=64 * 1024) is Delivery.UNKNOWN
    assert postfix_log_lookup(path, message_id="<x@y>", since=since) is Delivery.NOT_FOUND


def test_rsyslog_iso_timestamps_are_understood(tmp_path: Path) -> None:
    now = datetime.now().astimezone()
    since = now - timedelta(seconds=40)
    lines = [(now - timedelta(hours=1), "smtpd[1]: connect"), *accepted_lines(since)]
    text = "".join(f"{at.isoformat()} mail postfix/{line}\n" for at, line in lines)
    (tmp_path / "iso.log").write_text(text)
    assert postfix_log_lookup(str(tmp_path / "iso.log"), message_id=MID, since=since) is Delivery.ACCEPTED
    assert postfix_log_lookup(str(tmp_path / "iso.log"), message_id="<x@y>", since=since) is Delivery.NOT_FOUND
