"""The one SMTP client: submitting a message, and probing that a server answers; the one place where
smtplib's errors become ours.

A submission goes in steps, so a failure says exactly how far it got: before the final dot nothing was
delivered and a retry is safe; after the final dot with no reply the message may have gone, and only the
user can decide to send it again."""

import re
import smtplib
import ssl
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from core.errors import RoostError, ServiceUnavailable


@dataclass(frozen=True)
class SmtpEndpoint:
    host: str
    port: int
    security: str = "none"  # "none", "starttls" or "ssl"
    timeout: float = 30.0


def _where(endpoint: SmtpEndpoint) -> str:
    return f"{endpoint.host}:{endpoint.port}"


def unreachable_message(endpoint: SmtpEndpoint, error: BaseException) -> str:
    return f"Cannot reach the SMTP server at {_where(endpoint)} ({error.__class__.__name__})."


class SmtpError(RoostError):
    def __init__(self, message: str, *, permanent: bool, code: int | None = None) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.code = code


class SmtpUnavailable(SmtpError, ServiceUnavailable):
    def __init__(self, message: str) -> None:
        super().__init__(message, permanent=False)


class SmtpUncertain(SmtpError):
    """The connection failed after the whole message was sent: it may or may not have been accepted."""

    def __init__(self, message: str) -> None:
        super().__init__(message, permanent=True)


class SmtpWithdrawn(SmtpError):
    """Raised by before_final_dot to stop short of the final dot (the caller no longer owns the message):
    the connection is dropped mid-DATA, so the server discards what it has and nothing is delivered."""

    def __init__(self, message: str) -> None:
        super().__init__(message, permanent=False)


_BARE_NEWLINE = re.compile(rb"\r?\n|\r")
_LEADING_DOT = re.compile(rb"(?m)^\.")


def _wire_body(message: bytes) -> bytes:
    body = _LEADING_DOT.sub(b"..", _BARE_NEWLINE.sub(b"\r\n", message))
    if not body.endswith(b"\r\n"):
        body += b"\r\n"
    return body + b".\r\n"


def _text(reply: bytes | str) -> str:
    return reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)


def _check(code: int, reply: bytes, step: str) -> None:
    if 200 <= code < 400:
        return
    raise SmtpError(f"The mail server refused the {step}: {code} {_text(reply)}", permanent=code >= 500, code=code)


def smtp_submit(
    endpoint: SmtpEndpoint,
    *,
    login: tuple[str, str] | None,
    sender: str,
    recipients: Sequence[str],
    message: bytes,
    smtputf8: bool = False,
    before_final_dot: Callable[[], None] = lambda: None,
) -> str:
    """Returns the server's reply to the final dot (which names the queue id). before_final_dot runs
    when the server has said 354: from then on a broken connection leaves the outcome unknown. It may
    raise SmtpWithdrawn to send nothing after all."""
    try:
        client = smtplib.SMTP_SSL if endpoint.security == "ssl" else smtplib.SMTP
        conn = client(endpoint.host, endpoint.port, timeout=endpoint.timeout)
    except OSError as error:
        raise SmtpUnavailable(unreachable_message(endpoint, error)) from None
    withdrawn = False
    try:
        try:
            conn.ehlo()
            if endpoint.security == "starttls":
                conn.starttls(context=ssl.create_default_context())
                conn.ehlo()
            if login is not None:
                conn.login(*login)
            options = ["SMTPUTF8"] if smtputf8 and conn.has_extn("smtputf8") else []
            if smtputf8 and not options:
                raise SmtpError("The mail server cannot take international addresses (no SMTPUTF8).", permanent=True)
            code, reply = conn.mail(sender, options)
            _check(code, reply, "sender")
            refused = []
            for rcpt in recipients:
                code, reply = conn.rcpt(rcpt)
                if code >= 400:
                    refused.append((rcpt, code, _text(reply)))
            if refused:
                conn.rset()
                permanent = all(code >= 500 for _, code, _ in refused)
                names = "; ".join(f"{r}: {c} {t}" for r, c, t in refused)
                raise SmtpError(f"The mail server refused some recipients: {names}", permanent=permanent)
            code, reply = conn.docmd("DATA")
            _check(code, reply, "message")
            try:
                before_final_dot()
            except SmtpWithdrawn:
                withdrawn = True  # a polite QUIT now would only become part of the message
                raise
            conn.send(_wire_body(message))
        except smtplib.SMTPAuthenticationError as error:
            raise SmtpError(f"The mail server refused the login ({error.smtp_code}).", permanent=True) from None
        except (smtplib.SMTPServerDisconnected, OSError) as error:
            raise SmtpUnavailable(f"The connection to {endpoint.host}:{endpoint.port} broke ({error}).") from None
        except smtplib.SMTPResponseException as error:
            raise SmtpError(
                f"The mail server said {error.smtp_code} {_text(error.smtp_error)}",
                permanent=error.smtp_code >= 500,
                code=error.smtp_code,
            ) from None
        try:
            code, reply = conn.getreply()
        except (smtplib.SMTPServerDisconnected, OSError) as error:
            raise SmtpUncertain(
                f"The connection broke after the message was sent ({error}); it may have been delivered."
            ) from None
        _check(code, reply, "message")
        return f"{code} {_text(reply)}"
    finally:
        try:
            if withdrawn:
                conn.close()
            else:
                conn.quit()
        except (smtplib.SMTPException, OSError):
            conn.close()


def smtp_probe(endpoint: SmtpEndpoint) -> None:
    """Connect and say NOOP; raises SmtpUnavailable if the server cannot be reached."""
    try:
        with smtplib.SMTP(endpoint.host, endpoint.port, timeout=endpoint.timeout) as client:
            client.noop()
    except (OSError, smtplib.SMTPException) as error:
        raise SmtpUnavailable(unreachable_message(endpoint, error)) from None
