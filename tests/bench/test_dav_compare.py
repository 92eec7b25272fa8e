"""The DAV benchmark notices when a server's answer differs from the data: a missing or extra event, a lost
override, an incomplete initial sync, a sync after the changes that lists more or less than the changes."""

from bench.dav import compare, data


def _multistatus(*responses: str, token: str | None = "http://example.test/sync/1") -> bytes:
    tail = f"<D:sync-token>{token}</D:sync-token>" if token else ""
    return (
        f'<D:multistatus xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">{"".join(responses)}{tail}'
        "</D:multistatus>"
    ).encode()


def _found(name: str, text: str = "", status: int = 200) -> str:
    props = f"<C:calendar-data>{text}</C:calendar-data>" if text else '<D:getetag>"1"</D:getetag>'
    if status != 200:
        return f"<D:response><D:href>/c/{name}</D:href><D:status>HTTP/1.1 {status} X</D:status></D:response>"
    return (
        f"<D:response><D:href>/c/{name}</D:href><D:propstat><D:prop>{props}</D:prop>"
        "<D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>"
    )


def test_an_answer_with_the_expected_events_and_overrides_passes() -> None:
    events = data.events(40)
    wanted = {events[0].uid, events[5].uid}  # event 0 recurs with an override
    body = _multistatus(*(_found(e.name, e.text) for e in (events[0], events[5])))

    expected = compare.expected_instances(events, wanted)
    found = compare.found_instances(body)

    assert len(expected[events[0].uid]) == 2
    assert found == expected
    assert compare.query_mismatch("X", expected, found) == []


def test_missing_extra_and_lost_overrides_are_each_named() -> None:
    events = data.events(40)
    expected = compare.expected_instances(events, {events[0].uid, events[5].uid})
    head, master, _override = events[0].text.split("BEGIN:VEVENT")
    master_only = f"{head}BEGIN:VEVENT{master}END:VCALENDAR\r\n"
    body = _multistatus(_found(events[0].name, master_only), _found(events[7].name, events[7].text))

    lines = compare.query_mismatch("Radicale", expected, compare.found_instances(body))

    assert lines[0].startswith("MISMATCH Radicale: calendar-query returned 2 events, the truth has 2")
    assert f"only in the truth (1): {events[5].uid}" in lines[1]
    assert f"not in the truth (1): {events[7].uid}" in lines[2]
    assert f"other instances (1): {events[0].uid}" in lines[3]


def test_an_initial_sync_must_list_everything_and_give_a_token() -> None:
    full = _multistatus(_found("a.ics"), _found("b.ics"))

    assert compare.initial_sync_mismatch("X", full, 2) == []
    assert compare.initial_sync_mismatch("X", full, 3)
    assert compare.initial_sync_mismatch("X", _multistatus(_found("a.ics"), _found("b.ics"), token=None), 2)


def test_a_sync_after_the_changes_must_list_exactly_them() -> None:
    changes = data.calendar_changes(100)
    right = [_found(o.name) for o in (*changes.added, *changes.edited)] + [
        _found(name, status=404) for name in changes.deleted
    ]

    assert compare.changes_sync_mismatch("X", _multistatus(*right), changes) == []
    assert compare.changes_sync_mismatch("X", _multistatus(*right, _found("bench-ev-000050.ics")), changes)
    assert compare.changes_sync_mismatch("X", _multistatus(*right[:-1]), changes)
    deleted_as_present = [*right[:-1], _found(changes.deleted[-1])]
    assert compare.changes_sync_mismatch("X", _multistatus(*deleted_as_present), changes)
