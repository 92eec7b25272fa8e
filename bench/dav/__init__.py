"""The CalDAV/CardDAV benchmark's parts: deterministic data (data.py), a DAV client that does not care
which server it talks to (client.py) and a Radicale it installs and starts on its own (radicale_server.py).
bench/dav_bench.py puts them together."""
