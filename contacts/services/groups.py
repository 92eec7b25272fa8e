"""Groups (KIND:group cards) as the web UI edits them: make one, rename it, add and remove members. A member
is written as "urn:uuid:<uid>" of a contact in the same book (what Apple and vCard 4.0 clients write), so a
member keeps its place when its addresses change. Every change goes through contact_save, so the card's
other properties, the change log and sync tokens behave as for any edit."""

from collections.abc import Sequence
from dataclasses import replace

from django.db import transaction

from contacts.locks import book_lock
from contacts.models import AddressBook, Contact
from contacts.services.cards import contact_save, stored_card, writable
from contacts.vcard import ContactFields, InvalidCard, read_fields
from core.access import Access
from core.errors import NotFound, RoostError

GROUP_NAME_MAX = 200
MEMBERS_MAX = 5000


def _clean_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise RoostError("A group needs a name.")
    if len(name) > GROUP_NAME_MAX:
        raise RoostError(f"A group's name may be at most {GROUP_NAME_MAX} characters.")
    return name


def _uid_key(value: str) -> str:
    value = value.strip()
    return value[9:] if value[:9].lower() == "urn:uuid:" else value


def member_ref(contact: Contact) -> str:
    return f"urn:uuid:{_uid_key(contact.uid)}"


def _group_fields(book: AddressBook, group_name: str) -> tuple[Contact, ContactFields]:
    group = Contact.objects.filter(book=book, name=group_name, kind=Contact.Kind.GROUP).first()
    if group is None:
        raise NotFound("There is no such group.")
    card = stored_card(group)
    if card is None:
        raise InvalidCard("This group's card cannot be read, so it cannot be changed here.")
    return group, read_fields(card)


def _people(book: AddressBook, names: Sequence[str]) -> list[Contact]:
    wanted = list(dict.fromkeys(names))
    if not wanted:
        raise RoostError("Choose whom to add to the group.")
    found = list(Contact.objects.filter(book=book, name__in=wanted, kind=Contact.Kind.INDIVIDUAL))
    if len(found) != len(wanted):
        raise NotFound("There is no such contact.")
    return found


def group_create(*, access: Access[AddressBook], name: str) -> Contact:
    writable(access)
    return contact_save(access=access, name=None, fields=ContactFields(formatted_name=_clean_name(name), kind="group"))


@transaction.atomic
def group_rename(*, access: Access[AddressBook], group_name: str, new_name: str) -> Contact:
    writable(access)
    group, fields = _group_fields(book_lock(access.obj.pk), group_name)
    fields = replace(fields, formatted_name=_clean_name(new_name), given="", family="", additional="")
    return contact_save(access=access, name=group.name, fields=fields, if_match=group.etag)


@transaction.atomic
def group_members_add(*, access: Access[AddressBook], group_name: str, member_names: Sequence[str]) -> Contact:
    """Add contacts of the same book to a group; those already in it (by UID or address) stay as they are."""
    writable(access)
    book = book_lock(access.obj.pk)
    group, fields = _group_fields(book, group_name)
    have = {_uid_key(m) for m in fields.members if not m.lower().startswith("mailto:")}
    have_addresses = {m[7:].strip().lower() for m in fields.members if m.lower().startswith("mailto:")}
    members = list(fields.members)
    for person in _people(book, member_names):
        if _uid_key(person.uid) in have or have_addresses & set(person.emails):
            continue
        members.append(member_ref(person))
        have.add(_uid_key(person.uid))
    if len(members) > MEMBERS_MAX:
        raise RoostError(f"A group may have at most {MEMBERS_MAX} members.")
    if members == fields.members:
        return group
    return contact_save(access=access, name=group.name, fields=replace(fields, members=members), if_match=group.etag)


@transaction.atomic
def group_members_remove(
    *,
    access: Access[AddressBook],
    group_name: str,
    member_names: Sequence[str] = (),
    addresses: Sequence[str] = (),
) -> Contact:
    """Take contacts (named by their name in the book) or plain addresses out of a group. A contact listed
    by one of its addresses instead of its UID goes too."""
    writable(access)
    book = book_lock(access.obj.pk)
    group, fields = _group_fields(book, group_name)
    people = list(Contact.objects.filter(book=book, name__in=list(member_names))) if member_names else []
    if len(people) != len(set(member_names)):
        raise NotFound("There is no such contact.")
    keys = {_uid_key(p.uid) for p in people}
    gone = {a.strip().lower() for a in addresses} | {e for p in people for e in p.emails}
    members = [
        m
        for m in fields.members
        if not (m[7:].strip().lower() in gone if m.lower().startswith("mailto:") else _uid_key(m) in keys)
    ]
    if members == fields.members:
        return group
    return contact_save(access=access, name=group.name, fields=replace(fields, members=members), if_match=group.etag)
