import pytest

from mailadmin.addresses import InvalidAddress
from mailadmin.models import Alias
from mailadmin.services import (
    AddressTaken,
    AliasLoop,
    UnknownDomain,
    WeakPassword,
    alias_create,
    alias_update,
    domain_create,
    mailbox_create,
)
from tests import personas

pytestmark = [pytest.mark.django_db]


def test_domain_names_are_normalised_and_checked() -> None:
    assert domain_create(name=" Example.TEST. ").name == "example.test"
    assert domain_create(name="bücher.test").name == "xn--bcher-kva.test"
    with pytest.raises(InvalidAddress, match="not a valid domain name"):
        domain_create(name="no_underscores.test")
    with pytest.raises(InvalidAddress):
        domain_create(name="localhost")


def test_duplicate_domain_is_refused() -> None:
    domain_create(name="example.test")
    with pytest.raises(AddressTaken, match="exists already"):
        domain_create(name="EXAMPLE.test")


def test_mailbox_in_unknown_domain_is_refused_with_a_hint() -> None:
    with pytest.raises(UnknownDomain, match=r"does not manage the domain nowhere\.test\. Add the domain first"):
        mailbox_create(address="alice@nowhere.test", password=personas.PASSWORD)


def test_mailbox_address_is_lower_cased_and_linked_to_its_user() -> None:
    personas.domain()
    mailbox = mailbox_create(address="Alice@Example.test", password=personas.PASSWORD, display_name="Alice Martin")
    assert mailbox.address == "alice@example.test"
    assert mailbox.user.username == "alice@example.test"
    assert mailbox.user.check_password(personas.PASSWORD)


def test_duplicate_mailbox_is_refused() -> None:
    personas.mailbox("alice")
    with pytest.raises(AddressTaken, match="already a mailbox"):
        mailbox_create(address="ALICE@example.test", password=personas.PASSWORD)


def test_invalid_address_and_weak_password_are_refused() -> None:
    personas.domain()
    with pytest.raises(InvalidAddress, match="not a valid mailbox name"):
        mailbox_create(address="al ice@example.test", password=personas.PASSWORD)
    with pytest.raises(InvalidAddress, match="not a valid email address"):
        mailbox_create(address="alice", password=personas.PASSWORD)
    with pytest.raises(WeakPassword):
        mailbox_create(address="alice@example.test", password="short")


def test_alias_cannot_take_a_mailbox_address() -> None:
    personas.mailbox("alice")
    with pytest.raises(AddressTaken, match="already a mailbox"):
        alias_create(address="alice@example.test", destinations=["bob@partners.test"])


def test_mailbox_cannot_take_an_alias_address() -> None:
    personas.mailbox("alice")
    alias_create(address="team@example.test", destinations=["alice@example.test"])
    with pytest.raises(AddressTaken, match="already an alias"):
        mailbox_create(address="team@example.test", password=personas.PASSWORD)


def test_alias_that_loops_is_refused_and_names_the_loop() -> None:
    personas.mailbox("alice")
    alias_create(address="b@example.test", destinations=["alice@example.test"])
    alias_create(address="a@example.test", destinations=["b@example.test"])
    with pytest.raises(AliasLoop, match=r"b@example\.test → a@example\.test → b@example\.test"):
        alias_update(alias=Alias.objects.get(address="b@example.test"), destinations=["a@example.test"], active=True)


def test_alias_to_itself_is_a_loop() -> None:
    personas.domain()
    with pytest.raises(AliasLoop):
        alias_create(address="me@example.test", destinations=["me@example.test"])


def test_alias_looping_through_the_catch_all_is_refused() -> None:
    personas.mailbox("alice")
    with pytest.raises(AliasLoop):
        alias_create(address="@example.test", destinations=["lost@example.test"])


def test_catch_all_is_written_with_an_empty_local_part() -> None:
    personas.mailbox("alice")
    alias = alias_create(address="@Example.test", destinations=["alice@example.test"])
    assert alias.address == "@example.test"
    assert alias.is_catch_all


def test_alias_destinations_are_validated_and_deduplicated() -> None:
    personas.mailbox("alice")
    alias = alias_create(address="team@example.test", destinations=["Alice@example.test", "alice@example.test", ""])
    assert alias.destinations == ["alice@example.test"]
    with pytest.raises(InvalidAddress, match="Destination"):
        alias_create(address="team2@example.test", destinations=["not an address"])
