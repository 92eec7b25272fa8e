"""The files of a stored message carried into a new one (a forward, edit as new, a draft's next save or its
sending), fetched and decoded in one place, under the one limit: ROOST_ATTACHMENT_MAX_BYTES for the files of
a message together."""

from collections.abc import Collection, Sequence

from django.conf import settings

from core.errors import RoostError
from webmail.imap.pool import PooledConnection
from webmail.imap.reading import fetch_sections
from webmail.mime.compose import Attachment
from webmail.mime.stream import decode_transfer
from webmail.mime.structure import MimePart, attachments, choose_bodies, parts_from_bodystructure


class AttachmentsTooLarge(RoostError):
    def __init__(self) -> None:
        limit = settings.ROOST_ATTACHMENT_MAX_BYTES
        size = f"{limit / 2**20:.3g} MB" if limit >= 2**20 else f"{limit / 2**10:.0f} kB"
        super().__init__(f"The attachments are too large: together they may be at most {size}.")


def attachment_parts(structure: object) -> list[MimePart]:
    """A message's files as listed to the user: every part but the shown text and HTML, each with a name."""
    parts = parts_from_bodystructure(structure)
    return attachments(parts, bodies=choose_bodies(parts), referenced_cids=set())


def attachments_check_size(files: Sequence[Attachment]) -> None:
    if sum(len(file.data) for file in files) > settings.ROOST_ATTACHMENT_MAX_BYTES:
        raise AttachmentsTooLarge


def _least_decoded_size(part: MimePart) -> int:
    # Base64 gives 3 bytes for every 4 characters, less its line breaks: at least 18 bytes per 25 served.
    return part.size * 18 // 25 if part.encoding == "base64" else part.size


def message_attachments(
    conn: PooledConnection, folder: str, uid: int, *, listed: Sequence[MimePart], wanted: Collection[str]
) -> list[Attachment]:
    """The files among `listed` (from attachment_parts) whose part numbers are wanted, decoded, in their
    order. Refused before anything is fetched when they cannot fit the limit, and after, when they do not."""
    chosen = [part for part in listed if part.part_id in wanted]
    if not chosen:
        return []
    limit = settings.ROOST_ATTACHMENT_MAX_BYTES
    if sum(_least_decoded_size(part) for part in chosen) > limit:
        raise AttachmentsTooLarge
    # The most any part within the limit can take encoded (base64 with line breaks): a part cut at this size
    # is over the limit, so nothing is ever truncated silently.
    ceiling = limit * 4 // 3 + limit // 30 + 1024
    served = fetch_sections(conn, folder, uid, [part.part_id for part in chosen], ceiling)
    if any(len(served[part.part_id]) >= ceiling for part in chosen):
        raise AttachmentsTooLarge
    files = [
        Attachment(part.filename or f"attachment-{part.part_id}", part.content_type,
                   decode_transfer(served[part.part_id], part.encoding))
        for part in chosen
    ]  # fmt: skip
    attachments_check_size(files)
    return files
