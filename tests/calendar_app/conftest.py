import pytest

from accounts.models import User
from tests import personas


@pytest.fixture
def alice(db: None) -> User:
    return personas.mailbox("alice").user


@pytest.fixture
def bob(db: None) -> User:
    return personas.mailbox("bob").user


@pytest.fixture
def mallory(db: None) -> User:
    return personas.mailbox("mallory", "elsewhere.test").user
