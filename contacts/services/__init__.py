"""State changes of contacts: one keyword-only function per change, called from the web UI, CardDAV and
Celery alike."""

from contacts.types import ImportProblem, ImportReport, InvalidSyncToken, PutResult, UidConflict
from contacts.vcard import ContactFields, InvalidCard, Photo, PostalAddress, TypedValue

from .books import addressbook_create, addressbook_delete, addressbook_ensure_default, addressbook_update
from .cards import contact_delete, contact_merge, contact_put, contact_save, contacts_delete
from .gal import gal_card_copy, gal_entry_create, gal_entry_delete, gal_entry_update, gal_visibility_set
from .groups import group_create, group_members_add, group_members_remove, group_rename
from .importing import contacts_export, contacts_import, contacts_import_run, contacts_import_start

__all__ = [
    "ContactFields",
    "ImportProblem",
    "ImportReport",
    "InvalidCard",
    "InvalidSyncToken",
    "Photo",
    "PostalAddress",
    "PutResult",
    "TypedValue",
    "UidConflict",
    "addressbook_create",
    "addressbook_delete",
    "addressbook_ensure_default",
    "addressbook_update",
    "contact_delete",
    "contact_merge",
    "contact_put",
    "contact_save",
    "contacts_delete",
    "contacts_export",
    "contacts_import",
    "contacts_import_run",
    "contacts_import_start",
    "gal_card_copy",
    "gal_entry_create",
    "gal_entry_delete",
    "gal_entry_update",
    "gal_visibility_set",
    "group_create",
    "group_members_add",
    "group_members_remove",
    "group_rename",
]
