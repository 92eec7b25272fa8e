"""A whole .ics file in (one object per UID, each validated on its own) and out (one VCALENDAR)."""

import hashlib

from django.db import transaction

from calendar_app.ical import parse as ical
from calendar_app.locks import calendar_locked
from calendar_app.models import Calendar, CalendarObject
from calendar_app.services.announce import calendar_changed_announce
from calendar_app.types import ImportReport, UidConflict
from core.access import Access
from core.errors import PayloadTooLarge

from .objects import require_writer, store_parsed

MAX_IMPORT_BYTES = 20 * 1024 * 1024


def object_name_for_uid(uid: str) -> str:
    """A safe href basename for an imported UID (UIDs may hold '/', '@' and any length)."""
    safe = "".join(ch for ch in uid if ch.isalnum() or ch in "-_.@")[:200]
    if safe and safe == uid:
        return f"{safe}.ics"
    return f"{hashlib.sha256(uid.encode()).hexdigest()[:40]}.ics"


def calendar_import(*, access: Access[Calendar], data: bytes) -> ImportReport:
    """Each object is stored or skipped on its own; an existing UID is updated in place."""
    require_writer(access)
    if len(data) > MAX_IMPORT_BYTES:
        raise PayloadTooLarge(f"A calendar file may be at most {MAX_IMPORT_BYTES // (1024 * 1024)} MB.")
    pieces = ical.split_calendar(data)
    report = ImportReport()
    created = updated = 0
    for piece in pieces:
        if piece.text is None:
            report.skipped.append((piece.label, piece.error or "unreadable"))
            continue
        try:
            parsed = ical.parse_object(piece.text, accepted=access.obj.components)
        except ical.InvalidCalendarData as error:
            report.skipped.append((piece.label, str(error)))
            continue
        with transaction.atomic():
            calendar = calendar_locked(access.obj.pk)
            existing = CalendarObject.objects.filter(calendar=calendar, uid=parsed.uid).first()
            name = existing.name if existing is not None else object_name_for_uid(parsed.uid)
            if existing is None and CalendarObject.objects.filter(calendar=calendar, name=name).exists():
                name = f"{hashlib.sha256(parsed.uid.encode()).hexdigest()[:40]}.ics"
            try:
                store_parsed(calendar, name, parsed, existing)
            except UidConflict as error:
                report.skipped.append((piece.label, str(error)))
                continue
        if existing is None:
            created += 1
        else:
            updated += 1
    if created or updated:
        calendar_changed_announce(calendar=access.obj)
    return ImportReport(created=created, updated=updated, skipped=report.skipped)


def calendar_export(*, access: Access[Calendar]) -> str:
    texts = CalendarObject.objects.filter(calendar_id=access.obj.pk).order_by("pk").values_list("data", flat=True)
    return ical.join_calendars(texts.iterator(), name=access.obj.name)
