"""How far a recurrence is ever expanded, and how times without a zone are placed on the time line. Pure
values: calendar_app.ical applies these limits to what the libraries expand, so an unbounded or hostile
RRULE (FREQ=SECONDLY with no end) is cut short instead of hanging a request: a cap, never an error."""

from datetime import UTC, date, datetime, time, timedelta, tzinfo

MAX_OCCURRENCES = 3000  # per object and query: more is cut, not an error
MAX_INDEXED_INSTANCES = 1000  # rows per object in the instance index; later ones are found by parsing
MAX_RAW_INSTANCES = 20_000  # instances of one RRULE ever generated from its DTSTART
MAX_YEARS = 100  # and never further than this from its DTSTART
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)
# Floating times and dates are placed in UTC for the index, widened by a day so no zone can miss them.
SLACK = timedelta(days=1)

_PERIOD = {
    "SECONDLY": timedelta(seconds=1),
    "MINUTELY": timedelta(minutes=1),
    "HOURLY": timedelta(hours=1),
    "DAILY": timedelta(days=1),
    "WEEKLY": timedelta(weeks=1),
    "MONTHLY": timedelta(days=28),
    "YEARLY": timedelta(days=365),
}
_ORDER = ["SECONDLY", "MINUTELY", "HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY"]
# A BYxxx list multiplies the instances per period only when it is finer than the frequency.
_EXPANDS = {"BYSECOND": 0, "BYMINUTE": 1, "BYHOUR": 2, "BYDAY": 3, "BYMONTHDAY": 3, "BYYEARDAY": 3, "BYWEEKNO": 4}


def scan_horizon(freq: str, interval: int, by_counts: dict[str, int]) -> timedelta:
    """How far from DTSTART a rule may be generated: MAX_YEARS, or less when the rule is so dense that
    MAX_RAW_INSTANCES would come first (an overestimate of the density only shortens the scan)."""
    period = _PERIOD.get(freq.upper(), timedelta(days=1)) * max(1, interval)
    level = _ORDER.index(freq.upper()) if freq.upper() in _ORDER else 3
    per_period = 1
    for key, finer_than in _EXPANDS.items():
        if by_counts.get(key) and finer_than < level:
            per_period *= by_counts[key]
    if by_counts.get("BYDAY") and level >= 5:  # BYDAY=MO in a month or year: up to 5 or 53 each
        per_period *= 5 if level == 5 else 53
    horizon = period * MAX_RAW_INSTANCES / per_period
    return min(horizon, timedelta(days=365 * MAX_YEARS))


def to_utc(value: date | datetime, zone: tzinfo | None = None) -> tuple[datetime, bool]:
    """A date or datetime on the UTC line, and whether it was floating (a date or a time without zone).
    Floating values are read in `zone` when given, else as UTC."""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            return value.astimezone(UTC), False
        return value.replace(tzinfo=zone or UTC).astimezone(UTC), True
    return datetime.combine(value, time(), tzinfo=zone or UTC).astimezone(UTC), True


def clamp(start: datetime | None, end: datetime | None) -> tuple[datetime, datetime]:
    """A query window within the years anything is ever expanded over."""
    low = max(start or EARLIEST, EARLIEST)
    high = min(end or LATEST, LATEST)
    return low, max(low, high)
