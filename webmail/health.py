"""Is every server Roost depends on reachable? Each check answers with a message that names the
server and says how to fix it; nothing here raises."""

import re
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

import psycopg
import redis
from django.conf import settings
from django.db import connection
from django.db.utils import Error as DatabaseError

from accounts.models import User
from core.errors import RoostError

from .imap.connection import imap_connect
from .imap.errors import ImapAuthError
from .mailstore import imap_endpoint, mail_account_for_task
from .smtp.client import SmtpEndpoint, SmtpUnavailable, smtp_probe


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    warning: str = ""  # works, but should be fixed


def _postgres() -> Check:
    db = settings.DATABASES["default"]
    where = f"Postgres at {db['HOST']}:{db['PORT']} (database {db['NAME']})"
    try:
        # One connection of its own first: the pool would wait ROOST_DB_POOL_TIMEOUT and then hide why.
        psycopg.connect(**connection.get_connection_params()).close()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except (psycopg.Error, DatabaseError) as error:
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else error.__class__.__name__
        return Check("postgres", False, f"{where} cannot be used: {first_line}. Start Postgres or fix ROOST_DB_*.")
    return Check("postgres", True, where)


def _without_password(url: str) -> str:
    return re.sub(r"//[^@/]*@", "//***@", url)


def _redis_open_to_anyone(url: str) -> bool:
    """Whether the server answers a client that gives no password. Sessions live there, so any local
    process could read or forge them. A unix socket is guarded by its file permissions instead."""
    parts = urlsplit(url)
    if parts.scheme == "unix":
        return False
    try:
        client = redis.Redis(
            host=parts.hostname or "127.0.0.1", port=parts.port or 6379, socket_connect_timeout=2, socket_timeout=2
        )
        client.ping()
    except redis.RedisError:  # NOAUTH and its kin: a password is required
        return False
    return True


def _redis() -> Check:
    url = settings.REDIS_URL
    shown = _without_password(url)
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2).ping()
    except redis.RedisError as error:
        return Check(
            "redis", False, f"Redis at {shown} cannot be reached ({error}). Start Redis or fix ROOST_REDIS_URL."
        )
    warning = ""
    if _redis_open_to_anyone(url):
        warning = (
            f"Redis at {shown} answers without a password, and it holds sessions. Set requirepass in Redis and put "
            "the password in ROOST_REDIS_URL (redis://:PASSWORD@host:port/0), or use a unix socket only Roost can open."
        )
    return Check("redis", True, shown, warning)


def _imap() -> Check:
    endpoint = imap_endpoint()
    where = f"IMAP at {endpoint.host}:{endpoint.port}"
    if settings.ROOST_MAIL_MODE == "external":
        try:
            socket.create_connection((endpoint.host, endpoint.port), timeout=5).close()
        except OSError as error:
            return Check("imap", False, f"{where} cannot be reached ({error.__class__.__name__}). Is the server up?")
        return Check("imap", True, where)
    try:
        # A login for an address that cannot exist: a refusal proves Dovecot and its directory answer.
        imap_connect(endpoint, mail_account_for_task(User(username="roost-check@invalid")).login).logout()
    except ImapAuthError:
        return Check("imap", True, f"{where} (answering logins)")
    except RoostError as error:
        return Check("imap", False, f"{error} Start Dovecot: python3 deploy/stack.py start.")
    return Check("imap", True, where)


def _smtp(port: int, name: str) -> Check:
    endpoint = SmtpEndpoint(host=settings.ROOST_SMTP_HOST, port=port, timeout=5)
    try:
        smtp_probe(endpoint)
    except SmtpUnavailable:
        return Check(
            name,
            False,
            f"SMTP ({name}) at {endpoint.host}:{port} cannot be reached. Start Postfix: python3 deploy/stack.py start.",
        )
    return Check(name, True, f"SMTP ({name}) at {endpoint.host}:{port}")


def service_checks() -> list[Check]:
    checks = [_postgres(), _redis(), _imap(), _smtp(settings.ROOST_SMTP_PORT, "submission")]
    if settings.ROOST_MAIL_MODE == "managed":
        checks.append(_smtp(settings.ROOST_SMTP_INCOMING_PORT, "smtp"))
    return checks
