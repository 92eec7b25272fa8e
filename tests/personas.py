"""Named personas: alice, bob and carol in example.test; mallory in another domain."""

from mailadmin.models import Domain, Mailbox
from mailadmin.services import domain_create, mailbox_create

PASSWORD = "correct-horse-battery"
DOMAIN = "example.test"


def domain(name: str = DOMAIN) -> Domain:
    existing = Domain.objects.filter(name=name).first()
    return existing or domain_create(name=name)


def mailbox(local: str, domain_name: str = DOMAIN, password: str = PASSWORD) -> Mailbox:
    domain(domain_name)
    return mailbox_create(address=f"{local}@{domain_name}", password=password, display_name=local.capitalize())
