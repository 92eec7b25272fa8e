"""The one home of icalendar and recurring-ical-events in calendar_app (ruff bans them elsewhere):
`parse` reads, validates, indexes and expands what clients store; `edit` writes what the web editor changes."""
