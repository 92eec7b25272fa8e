"""Outside calendars a subscription mirrors: an .ics feed (ics.py) and a CalDAV calendar (caldav.py, the one
user of the caldav library). Adapters without Django: plain values in (URL, credentials, allowed networks,
limits), texts out, every failure a core.netguard.FetchRefused with a message for the owner."""
