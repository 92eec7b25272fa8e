"""What a user may do with an object they reached through a `<thing>_get_for_user` selector. Selectors
return an Access or raise NotFound (never "forbidden": an outsider cannot tell "not yours" from "not there")."""

from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, TypeVar

T = TypeVar("T")


class Role(StrEnum):
    OWNER = "owner"
    SHARED_WRITE = "shared-write"
    SHARED_READ = "shared-read"
    DOMAIN_ADMIN = "domain-admin"
    SERVER_ADMIN = "server-admin"


WRITERS = frozenset({Role.OWNER, Role.SHARED_WRITE, Role.DOMAIN_ADMIN, Role.SERVER_ADMIN})


@dataclass(frozen=True)
class Access(Generic[T]):
    obj: T
    role: Role
    # The object itself takes no changes from anyone (a subscribed calendar mirrors its source); the role
    # still says who may manage it (rename, delete).
    read_only: bool = False

    @property
    def can_write(self) -> bool:
        return self.role in WRITERS and not self.read_only
