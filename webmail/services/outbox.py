"""Delivering the outbox exactly once. The row is the source of truth, not the Celery message:
queued -> sending (leased) -> submitting (the final dot is on its way) -> accepted -> filed.
A retry happens only where it cannot send twice; where it might, the row waits for the user."""

import contextlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from accounts.models import User
from core.errors import Conflict, RoostError
from core.events import event_publish
from webmail.imap.changes import add_flags, expunge_messages
from webmail.imap.connection import imap_errors
from webmail.imap.folders import list_folders
from webmail.locks import outbox_locked
from webmail.mailstore import MailAccount, SessionExpired, mail_account_for_task, mailbox_connection
from webmail.models import ComposeDraft, Outbox
from webmail.selectors import outbox_get_for_user
from webmail.services.folders import folder_tree_forget
from webmail.services.queueing import outbox_queue
from webmail.smtp.client import SmtpEndpoint, SmtpError, SmtpUncertain, SmtpWithdrawn, smtp_submit
from webmail.smtp.maillog import Delivery, postfix_log_lookup

State = Outbox.State
MAX_ATTEMPTS = 12
UNCERTAIN_TEXT = (
    "The server received the message but did not confirm it. "
    "Check with the recipient or in Sent before sending it again."
)


@dataclass(frozen=True)
class Step:
    """What the task should do next: nothing, retry in some seconds, or file the Sent copy."""

    retry_in: int | None = None
    file_next: bool = False


def _smtp_endpoint() -> SmtpEndpoint:
    return SmtpEndpoint(
        host=settings.ROOST_SMTP_HOST,
        port=settings.ROOST_SMTP_PORT,
        security=settings.ROOST_SMTP_SECURITY,
        timeout=settings.ROOST_SMTP_TIMEOUT,
    )


def _account(row: Outbox) -> MailAccount:
    """Managed mode logs in (SMTP SASL and IMAP) through Dovecot's master user, still checked against
    the sender; external mode with the user's password, sealed on the row until the message is filed."""
    try:
        return mail_account_for_task(row.user, row.credential)
    except SessionExpired:
        raise SmtpError(
            "The saved sign-in for this message is gone; open it and send it again.", permanent=True
        ) from None


def _backoff(attempts: int) -> int:
    return min(30 * 2 ** max(0, attempts - 1), 3600)


def outbox_deliver(*, outbox_id: int) -> Step:
    now = timezone.now()
    with outbox_locked(outbox_id) as row:
        if row is None:
            return Step()  # another worker has it, or it was deleted
        if row.state == State.ACCEPTED:
            return Step(file_next=True)
        if row.state != State.QUEUED:
            return Step()
        if row.send_after > now:
            return Step(retry_in=max(1, int((row.send_after - now).total_seconds())))
        row.state, row.attempts = State.SENDING, row.attempts + 1
        row.lease_until = now + timedelta(seconds=settings.ROOST_OUTBOX_LEASE_SECONDS)
        row.save(update_fields=["state", "attempts", "lease_until", "updated"])

    submitting_since = [now]

    def mark_submitting() -> None:
        # Only while this worker still holds a live lease: once a sweeper has taken an expired lease back
        # and queued the row again, another worker may be sending it, and this one must not add a second
        # dot. The lease starts again here, so the sweeper asks Postfix only a full lease after the dot
        # began: by then Postfix has logged whatever it received.
        moment = submitting_since[0] = timezone.now()
        held = Outbox.objects.filter(pk=row.pk, state=State.SENDING, lease_until__gt=moment).update(
            state=State.SUBMITTING,
            lease_until=moment + timedelta(seconds=settings.ROOST_OUTBOX_LEASE_SECONDS),
            updated=moment,
        )
        if not held:
            raise SmtpWithdrawn("The message was taken back from this worker before its final dot.")

    try:
        login = _account(row).login
        reply = smtp_submit(
            _smtp_endpoint(),
            login=(login.username, login.password),
            sender=row.sender,
            recipients=row.recipients,
            message=bytes(row.raw),
            smtputf8=row.smtputf8,
            before_final_dot=mark_submitting,
        )
    except SmtpWithdrawn:
        return Step()  # the row is someone else's now: leave it alone
    except SmtpUncertain:
        if _postfix_verdict(row, since=submitting_since[0]) is Delivery.ACCEPTED:
            return Step(file_next=_settle_accepted(row))
        if _postfix_verdict_possible():
            # Postfix may still be writing its log: the sweeper asks again once the lease has run out.
            Outbox.objects.filter(pk=row.pk, state=State.SUBMITTING).update(
                last_error="The server has not confirmed the message yet; Roost is asking it."
            )
            return Step()
        _finish(row, State.UNCERTAIN, error=UNCERTAIN_TEXT)
        return Step()
    except SmtpError as error:
        if error.permanent or row.attempts >= MAX_ATTEMPTS:
            _finish(row, State.FAILED, error=str(error))
            return Step()
        Outbox.objects.filter(pk=row.pk).update(state=State.QUEUED, lease_until=None, last_error=str(error))
        return Step(retry_in=_backoff(row.attempts))
    Outbox.objects.filter(pk=row.pk).update(
        state=State.ACCEPTED, smtp_reply=reply, last_error="", updated=timezone.now()
    )
    return Step(file_next=True)


def _postfix_verdict_possible() -> bool:
    return settings.ROOST_MAIL_MODE == "managed" and bool(settings.ROOST_POSTFIX_LOG)


def _postfix_verdict(row: Outbox, *, since: datetime) -> Delivery:
    """What the managed Postfix (Roost's own, so its log is ours to read) knows of a message whose reply
    to the final dot was lost. External servers cannot be asked: always unknown there."""
    if not _postfix_verdict_possible():
        return Delivery.UNKNOWN
    return postfix_log_lookup(settings.ROOST_POSTFIX_LOG, message_id=row.message_id, since=since)


def _settle_accepted(row: Outbox) -> bool:
    return bool(
        Outbox.objects.filter(pk=row.pk, state=State.SUBMITTING).update(
            state=State.ACCEPTED,
            smtp_reply="250 (the reply was lost; Postfix's log shows the message queued)",
            last_error="",
            lease_until=None,
            updated=timezone.now(),
        )
    )


def _finish(row: Outbox, state: str, *, error: str) -> None:
    Outbox.objects.filter(pk=row.pk).update(
        state=state, last_error=error, lease_until=None, credential="", updated=timezone.now()
    )
    _announce(row, state, _problem_text(row, state), level="error")


def _problem_text(row: Outbox, state: str) -> str:
    what = "could not be sent" if state == State.FAILED else "may not have been sent"
    return f"“{row.subject or '(no subject)'}” {what}. Open the Outbox to decide."


def _announce(row: Outbox, state: str, message: str, *, level: str = "info") -> None:
    event_publish(
        kind="outbox", user_ids=[row.user_id], data={"id": row.pk, "state": state, "message": message, "level": level}
    )


def outbox_file(*, outbox_id: int) -> None:
    """Put the Sent copy in place (once: a copy already there is recognised by its Message-ID) and flag
    the answered or forwarded original. Raises on IMAP trouble; the task retries the filing only."""
    row = Outbox.objects.select_related("user").filter(pk=outbox_id, state=State.ACCEPTED).first()
    if row is None:
        return
    with mailbox_connection(_account(row)) as conn:
        sent = next((f.name for f in list_folders(conn, with_counts=False) if f.role == "sent"), "Sent")
        conn.select(sent)
        with imap_errors(conn.endpoint):
            if not conn.client.search(["HEADER", "Message-ID", row.message_id]):
                conn.client.append(sent, bytes(row.sent_copy), flags=["\\Seen"])
        if row.parent_uid and row.parent_flag:
            with contextlib.suppress(RoostError):  # the original may be gone by now; the message is sent
                add_flags(conn, row.parent_folder, [row.parent_uid], [row.parent_flag])
        draft_key = str(row.compose_state.get("draft_key") or "")
        draft = ComposeDraft.objects.filter(user=row.user, key=draft_key).first() if draft_key else None
        if draft is not None and draft.uid and draft.folder:
            with contextlib.suppress(RoostError):  # the sent message's draft goes; if it is gone already, fine
                expunge_messages(conn, draft.folder, [draft.uid])
    if draft is not None:
        draft.delete()
    filed = Outbox.objects.filter(pk=row.pk, state=State.ACCEPTED).update(
        state=State.FILED, credential="", updated=timezone.now()
    )
    if filed:
        _announce(row, State.FILED, f"Sent “{row.subject or '(no subject)'}”.")
    folder_tree_forget(user_id=row.user_id)


def outbox_sweep() -> dict[str, list[int]]:
    """Find rows a lost task or a dead worker left behind. Returns what to queue again."""
    now = timezone.now()
    stale = now - timedelta(seconds=60)
    resend = list(
        Outbox.objects.filter(state=State.QUEUED, send_after__lt=stale, updated__lt=stale).values_list("pk", flat=True)
    )
    expired = Outbox.objects.filter(lease_until__lt=now)
    # A worker that died before the final dot delivered nothing: send again.
    back = list(expired.filter(state=State.SENDING).values_list("pk", flat=True))
    Outbox.objects.filter(pk__in=back, state=State.SENDING).update(state=State.QUEUED, lease_until=None, updated=now)
    # After it, only the server knows. Roost's own Postfix is asked; what it cannot tell, the user decides.
    settled = []
    for row in expired.filter(state=State.SUBMITTING).select_related("user"):
        verdict = _postfix_verdict(row, since=row.updated)  # `updated` is when the final dot began
        if verdict is Delivery.ACCEPTED:
            if _settle_accepted(row):
                settled.append(row.pk)
        elif verdict is Delivery.NOT_FOUND:
            if Outbox.objects.filter(pk=row.pk, state=State.SUBMITTING).update(
                state=State.QUEUED,
                lease_until=None,
                last_error="The sending broke off before the server took the message; sending again.",
                updated=now,
            ):
                back.append(row.pk)
        elif Outbox.objects.filter(pk=row.pk, state=State.SUBMITTING).update(
            state=State.UNCERTAIN, lease_until=None, credential="", last_error=UNCERTAIN_TEXT, updated=now
        ):
            _announce(row, State.UNCERTAIN, _problem_text(row, State.UNCERTAIN), level="error")
    refile = list(Outbox.objects.filter(state=State.ACCEPTED, updated__lt=stale).values_list("pk", flat=True))
    return {"send": resend + back, "file": settled + refile}


class OutboxRefused(RoostError):
    pass


class OutboxConfirmationNeeded(Conflict):
    """Sending an uncertain message again may deliver it twice: the user must say so explicitly."""


def outbox_cancel(*, user: User, outbox_id: int) -> Outbox:
    """Undo send: only while the message has not started to go."""
    row = outbox_get_for_user(user=user, outbox_id=outbox_id).obj
    updated = Outbox.objects.filter(pk=row.pk, state=State.QUEUED).update(state=State.CANCELLED, updated=timezone.now())
    if not updated:
        raise OutboxRefused("Too late to undo: the message is already on its way.")
    row.refresh_from_db()
    return row


def outbox_send_again(*, account: MailAccount, outbox_id: int, confirmed: bool = False) -> Outbox:
    """The user's decision for a failed or uncertain message: send it (again). An uncertain one may
    have been delivered already, so it goes again only with `confirmed`."""
    row = outbox_get_for_user(user=account.user, outbox_id=outbox_id).obj
    if row.state not in (State.FAILED, State.UNCERTAIN):
        raise OutboxRefused("Only a failed or uncertain message can be sent again.")
    if row.state == State.UNCERTAIN and not confirmed:
        raise OutboxConfirmationNeeded("It may have been delivered already: confirm to send it again.")
    now = timezone.now()
    credential = account.sealed_credential()
    Outbox.objects.filter(pk=row.pk).update(
        state=State.QUEUED, send_after=now, attempts=0, lease_until=None, credential=credential, updated=now
    )
    outbox_queue(row.pk)
    row.refresh_from_db()
    return row


def outbox_discard(*, user: User, outbox_id: int) -> None:
    row = outbox_get_for_user(user=user, outbox_id=outbox_id).obj
    if row.state not in (State.FAILED, State.UNCERTAIN, State.CANCELLED):
        raise OutboxRefused("Only a failed, uncertain or cancelled message can be discarded.")
    row.delete()


def outbox_prune(*, older_than: timedelta) -> int:
    """Drop the stored message and typed state of rows filed in Sent longer ago than older_than: the copy
    in Sent is the message from then on. The row stays (subject, recipients, state, times) as the history
    the Outbox page shows. Returns how many rows were pruned."""
    cutoff = timezone.now() - older_than
    # `updated` is the filing time: nothing changes a filed row, and this update leaves it alone.
    return (
        Outbox.objects.filter(state=State.FILED, updated__lt=cutoff)
        .exclude(raw=b"", sent_copy=b"")
        .update(raw=b"", sent_copy=b"", compose_state={})
    )
