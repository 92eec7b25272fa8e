"""Handing a message to an SMTP server, and the one place where smtplib's errors become ours."""

import smtplib
import ssl
from collections.abc import Sequence
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


def smtp_send(
    endpoint: SmtpEndpoint,
    *,
    sender: str,
    recipients: Sequence[str],
    message: bytes,
    login: tuple[str, str] | None = None,
) -> None:
    """Submit one message. Raises SmtpError, whose `permanent` says whether a retry can help."""
    try:
        cls = smtplib.SMTP_SSL if endpoint.security == "ssl" else smtplib.SMTP
        with cls(endpoint.host, endpoint.port, timeout=endpoint.timeout) as client:
            client.ehlo()
            if endpoint.security == "starttls":
                client.starttls(context=ssl.create_default_context())
                client.ehlo()
            if login is not None:
                client.login(*login)
            options = ["SMTPUTF8"] if client.has_extn("smtputf8") and not message.isascii() else []
            refused = client.sendmail(sender, list(recipients), message, mail_options=options)
    except smtplib.SMTPAuthenticationError as error:
        raise SmtpError(
            f"The mail server refused the login ({error.smtp_code}).", permanent=True, code=error.smtp_code
        ) from None
    except smtplib.SMTPRecipientsRefused as error:
        reasons = "; ".join(
            f"{rcpt}: {code} {msg.decode(errors='replace')}" for rcpt, (code, msg) in error.recipients.items()
        )
        raise SmtpError(f"Every recipient was refused: {reasons}", permanent=True) from None
    except smtplib.SMTPResponseException as error:
        text = (
            error.smtp_error.decode(errors="replace") if isinstance(error.smtp_error, bytes) else str(error.smtp_error)
        )
        raise SmtpError(
            f"The mail server said {error.smtp_code} {text}", permanent=error.smtp_code >= 500, code=error.smtp_code
        ) from None
    except (smtplib.SMTPServerDisconnected, TimeoutError) as error:
        raise SmtpUnavailable(
            f"The SMTP server at {endpoint.host}:{endpoint.port} dropped the connection ({error})."
        ) from None
    except OSError as error:
        raise SmtpUnavailable(
            f"Cannot reach the SMTP server at {endpoint.host}:{endpoint.port} ({error.__class__.__name__})."
        ) from None
    if refused:
        reasons = "; ".join(f"{rcpt}: {code} {msg.decode(errors='replace')}" for rcpt, (code, msg) in refused.items())
        raise SmtpError(f"Some recipients were refused: {reasons}", permanent=True)


def smtp_probe(endpoint: SmtpEndpoint) -> None:
    """Connect and say NOOP; raises SmtpUnavailable if the server cannot be reached."""
    try:
        with smtplib.SMTP(endpoint.host, endpoint.port, timeout=endpoint.timeout) as client:
            client.noop()
    except (OSError, smtplib.SMTPException) as error:
        raise SmtpUnavailable(unreachable_message(endpoint, error)) from None
