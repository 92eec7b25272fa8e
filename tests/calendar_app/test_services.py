"""calendar_app.services: calendars, object puts and deletes, sharing, import and export."""

import pytest

from accounts.models import User
from calendar_app import selectors, services
from calendar_app.models import Calendar, CalendarChange, CalendarObject
from calendar_app.types import InvalidCalendarData, UidConflict, UnsupportedComponent
from core.errors import Forbidden, NotFound, PreconditionFailed, RoostError
from tests.calendar_app.samples import event, sample

pytestmark = pytest.mark.django_db


def own(user: User):  # type: ignore[no-untyped-def]
    return selectors.calendars_for_user(user=user)[0]


def state() -> tuple[object, ...]:
    return (
        tuple(CalendarObject.objects.order_by("pk").values_list("name", "etag")),
        tuple(Calendar.objects.order_by("pk").values_list("name", "sync_seq", "public_token")),
        CalendarChange.objects.count(),
    )


def test_default_calendar_appears_on_first_use_and_again_after_delete(alice: User) -> None:
    first = selectors.calendars_for_user(user=alice)
    assert [(a.obj.name, a.obj.slug, a.role) for a in first] == [("Personal", "personal", "owner")]
    assert selectors.calendars_for_user(user=alice)[0].obj.pk == first[0].obj.pk
    services.calendar_delete(access=first[0])
    again = selectors.calendars_for_user(user=alice)
    assert again[0].obj.slug == "personal"
    assert again[0].obj.pk != first[0].obj.pk


def test_create_derives_a_unique_slug_and_refuses_bad_values(alice: User) -> None:
    a = services.calendar_create(owner=alice, name="Work Stuff")
    b = services.calendar_create(owner=alice, name="Work stuff", color="#FFAA00", components=["VTODO"])
    assert (a.slug, b.slug, b.color, b.components) == ("work-stuff", "work-stuff-2", "#ffaa00", ["VTODO"])
    for kwargs, message in [
        ({"color": "red"}, "#rrggbb"),
        ({"components": ["VJOURNAL"]}, "VJOURNAL"),
        ({"slug": "Bad Slug"}, "a-z"),
        ({"slug": "work-stuff"}, "already"),
    ]:
        with pytest.raises(RoostError, match=message):
            services.calendar_create(owner=alice, name="X", **kwargs)  # type: ignore[arg-type]
    with pytest.raises(RoostError, match="name"):
        services.calendar_create(owner=alice, name="  ")


def test_update_bumps_the_sync_token_and_is_owner_only(alice: User, bob: User) -> None:
    access = own(alice)
    before = access.obj.sync_seq
    updated = services.calendar_update(access=access, name="Home", timezone="Europe/Berlin")
    assert (updated.name, updated.timezone, updated.sync_seq) == ("Home", "Europe/Berlin", before + 1)
    with pytest.raises(RoostError, match="time zone"):
        services.calendar_update(access=access, timezone="Mars/Olympus")
    services.calendar_share(access=access, user=bob, can_write=True)
    shared = selectors.calendar_get_for_user(user=bob, calendar_id=access.obj.pk)
    with pytest.raises(Forbidden):
        services.calendar_update(access=shared, name="Mine now")
    with pytest.raises(Forbidden):
        services.calendar_delete(access=shared)


def test_put_creates_then_updates_with_etags_and_logs_changes(alice: User) -> None:
    access = own(alice)
    created = services.calendar_object_put(access=access, name="a.ics", data=event("a"), if_none_match_any=True)
    assert created.created
    assert created.obj.uid == "a"
    assert len(created.obj.etag) == 32
    with pytest.raises(PreconditionFailed):
        services.calendar_object_put(access=access, name="a.ics", data=event("a"), if_none_match_any=True)
    updated = services.calendar_object_put(
        access=access,
        name="a.ics",
        data=event("a", "20250311T090000Z", "20250311T100000Z"),
        if_match=f'"{created.obj.etag}"',
    )
    assert not updated.created
    assert updated.obj.etag != created.obj.etag
    seqs = list(CalendarChange.objects.filter(calendar=access.obj).values_list("seq", "name", "deleted"))
    assert seqs == [(1, "a.ics", False), (2, "a.ics", False)]
    assert Calendar.objects.get(pk=access.obj.pk).sync_seq == 2


def test_stale_etag_changes_nothing(alice: User) -> None:
    access = own(alice)
    services.calendar_object_put(access=access, name="a.ics", data=event("a"))
    before = state()
    with pytest.raises(PreconditionFailed):
        services.calendar_object_put(
            access=access, name="a.ics", data=event("a", "20250312T090000Z", "20250312T100000Z"), if_match="stale"
        )
    with pytest.raises(PreconditionFailed):
        services.calendar_object_put(access=access, name="new.ics", data=event("n"), if_match="anything")
    with pytest.raises(PreconditionFailed):
        services.calendar_object_delete(access=access, name="a.ics", if_match="stale")
    assert state() == before


def test_uid_conflict_names_the_existing_object(alice: User) -> None:
    access = own(alice)
    services.calendar_object_put(access=access, name="a.ics", data=event("same"))
    before = state()
    with pytest.raises(UidConflict) as caught:
        services.calendar_object_put(access=access, name="b.ics", data=event("same"))
    assert caught.value.existing_name == "a.ics"
    assert caught.value.status == 409
    assert state() == before


@pytest.mark.parametrize(
    ("name", "data", "error", "message"),
    [
        ("a/b.ics", event(), RoostError, "one path segment"),
        ("", event(), RoostError, "one path segment"),
        ("x" * 256, event(), RoostError, "one path segment"),
        ("a.ics", "garbage", InvalidCalendarData, "cannot be parsed"),
        ("a.ics", event("a", "20250101T100000Z", "20250101T090000Z"), InvalidCalendarData, "DTEND is before"),
        ("a.ics", sample("thunderbird-todo.ics"), UnsupportedComponent, "does not accept VTODO"),
    ],
)
def test_bad_puts_store_nothing(alice: User, name: str, data: str, error: type[Exception], message: str) -> None:
    access = own(alice)
    before = state()
    with pytest.raises(error, match=message):
        services.calendar_object_put(access=access, name=name, data=data)
    assert state() == before


def test_delete_logs_a_tombstone(alice: User) -> None:
    access = own(alice)
    services.calendar_object_put(access=access, name="a.ics", data=event("a"))
    services.calendar_object_delete(access=access, name="a.ics")
    assert not CalendarObject.objects.exists()
    assert CalendarChange.objects.filter(name="a.ics", deleted=True, seq=2).exists()
    with pytest.raises(NotFound):
        services.calendar_object_delete(access=access, name="a.ics")


def test_read_only_share_cannot_write(alice: User, bob: User) -> None:
    access = own(alice)
    services.calendar_object_put(access=access, name="a.ics", data=event("a"))
    services.calendar_share(access=access, user=bob, can_write=False)
    shared = selectors.calendar_get_for_user(user=bob, calendar_id=access.obj.pk)
    assert shared.role == "shared-read"
    before = state()
    with pytest.raises(Forbidden):
        services.calendar_object_put(access=shared, name="b.ics", data=event("b"))
    with pytest.raises(Forbidden):
        services.calendar_object_delete(access=shared, name="a.ics")
    assert state() == before
    services.calendar_share(access=access, user=bob, can_write=True)
    writer = selectors.calendar_get_for_user(user=bob, calendar_id=access.obj.pk)
    assert services.calendar_object_put(access=writer, name="b.ics", data=event("b")).created
    services.calendar_unshare(access=access, user=bob)
    with pytest.raises(NotFound):
        selectors.calendar_get_for_user(user=bob, calendar_id=access.obj.pk)


def test_publish_replaces_the_token_and_unpublish_revokes(alice: User) -> None:
    access = own(alice)
    first = services.calendar_publish(access=access)
    second = services.calendar_publish(access=access)
    assert first != second
    assert selectors.calendar_by_public_token(token=second).pk == access.obj.pk
    with pytest.raises(NotFound):
        selectors.calendar_by_public_token(token=first)
    services.calendar_unpublish(access=access)
    with pytest.raises(NotFound):
        selectors.calendar_by_public_token(token=second)


def test_import_splits_by_uid_updates_existing_and_reports_skips(alice: User) -> None:
    access = own(alice)
    report = services.calendar_import(access=access, data=sample("google-export.ics").encode())
    assert (report.created, report.updated) == (3, 0)
    assert sorted(reason for _, reason in report.skipped) == ["VJOURNAL is not supported", "the VEVENT has no UID"]
    planning = CalendarObject.objects.get(uid="7kukuqrfedlm2f9t0vpl4p8qjo@google.com")
    assert planning.data.count("BEGIN:VEVENT") == 2
    assert planning.recurring
    again = services.calendar_import(access=access, data=sample("google-export.ics").encode())
    assert (again.created, again.updated) == (0, 3)
    assert CalendarObject.objects.count() == 3


def test_export_is_one_calendar_with_zones(alice: User) -> None:
    access = own(alice)
    services.calendar_object_put(access=access, name="a.ics", data=sample("apple-weekly-berlin.ics"))
    services.calendar_object_put(access=access, name="o.ics", data=sample("outlook-windows-zone.ics"))
    services.calendar_object_put(access=access, name="p.ics", data=event("plain", "20250101T090000", "20250101T100000"))
    text = services.calendar_export(access=access)
    assert text.count("BEGIN:VCALENDAR") == 1
    assert text.count("BEGIN:VEVENT") == 3
    assert "TZID:Europe/Berlin" in text
    assert "TZID:W. Europe Standard Time" in text


def test_second_user_gets_not_found_everywhere_and_changes_nothing(alice: User, mallory: User) -> None:
    access = own(alice)
    services.calendar_object_put(access=access, name="a.ics", data=event("a"))
    before = state()
    calendar_id = access.obj.pk
    with pytest.raises(NotFound):
        selectors.calendar_get_for_user(user=mallory, calendar_id=calendar_id)
    with pytest.raises(NotFound):
        selectors.calendar_get_owned(user=mallory, slug=access.obj.slug)
    # mallory's own view holds only her own calendar and none of alice's events
    assert [a.obj.owner_id for a in selectors.calendars_for_user(user=mallory)] == [mallory.pk]
    from datetime import UTC, datetime

    assert (
        selectors.calendar_occurrences(
            user=mallory,
            start=datetime(2025, 1, 1, tzinfo=UTC),
            end=datetime(2026, 1, 1, tzinfo=UTC),
            calendar_ids=[calendar_id],
        )
        == []
    )
    assert state()[0] == before[0]
    assert state()[2] == before[2]
