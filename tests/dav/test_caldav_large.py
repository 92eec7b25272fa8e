"""A one-month time-range calendar-query over a calendar of 10,000 events, through the live server, returns
exactly the month's events (the database narrows by span, GiST). Its speed is measured against Radicale by
bench/dav_bench.py, not here."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange

from accounts.models import User
from calendar_app.models import CalendarInstance, CalendarObject
from calendar_app.selectors import calendar_get_owned, calendars_for_user
from tests import personas
from tests.dav.caldav_client import CalClient, calendar_query, event, events_between

pytestmark = [pytest.mark.django_db(transaction=True)]

EVENTS = 10_000
FIRST = datetime(2022, 1, 1, 8, tzinfo=UTC)
STEP = timedelta(hours=7)  # 10,000 events over ~8 years: ~100 in a month


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y%m%dT%H%M%SZ")


def test_a_month_out_of_ten_thousand_events(live_server) -> None:  # type: ignore[no-untyped-def]
    personas.mailbox("alice")
    user = User.objects.get(username="alice@example.test")
    calendars_for_user(user=user)
    calendar = calendar_get_owned(user=user, slug="personal").obj
    rows = []
    for number in range(EVENTS):
        start = FIRST + STEP * number
        end = start + timedelta(hours=1)
        text = event(f"e{number}@example.test", _stamp(start), _stamp(end), f"SUMMARY:Event {number}")
        rows.append(CalendarObject(calendar=calendar, name=f"e{number}.ics", uid=f"e{number}@example.test",
                                   component="VEVENT", data=text, etag=f"etag{number}", summary=f"Event {number}",
                                   span=DateTimeTZRange(start, end, "[]"), instances_exact=True))  # fmt: skip
    CalendarObject.objects.bulk_create(rows, batch_size=2000)
    # The rows a put would have made in the instance index (one per single event), written in bulk here.
    CalendarInstance.objects.bulk_create(
        (
            CalendarInstance(calendar=calendar, obj=o, span=DateTimeTZRange(o.span.lower, o.span.upper, "[)"))
            for o in rows
        ),
        batch_size=2000,
    )

    alice = CalClient(live_server.url, "alice")
    path = alice.home + "personal/"
    body = calendar_query(events_between("20250301T000000Z", "20250401T000000Z"))
    answer = alice.report(path, body)
    assert answer.status == 207
    low, high = datetime(2025, 3, 1, tzinfo=UTC), datetime(2025, 4, 1, tzinfo=UTC)
    expected = {f"{path}e{n}.ics" for n in range(EVENTS) if low - timedelta(hours=1) < FIRST + STEP * n < high}
    assert set(answer.responses()) == expected
