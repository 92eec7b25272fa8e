"""Golden .ics samples (tests/samples/ics) and small builders for one object."""

from pathlib import Path

SAMPLES = Path(__file__).resolve().parent.parent / "samples" / "ics"


def sample(name: str) -> str:
    return (SAMPLES / name).read_text().replace("\r\n", "\n").replace("\n", "\r\n")


def vcal(*lines: str, component: str = "VEVENT") -> str:
    """One VCALENDAR around one component made of `lines`."""
    body = "\r\n".join(lines)
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Roost tests//EN\r\n"
        f"BEGIN:{component}\r\n{body}\r\nEND:{component}\r\nEND:VCALENDAR\r\n"
    )


def event(
    uid: str = "e1@example.test", start: str = "20250310T090000Z", end: str = "20250310T100000Z", *extra: str
) -> str:
    return vcal(f"UID:{uid}", "DTSTAMP:20250101T000000Z", f"DTSTART:{start}", f"DTEND:{end}", *extra)
