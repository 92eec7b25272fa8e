from dataclasses import dataclass
from typing import TYPE_CHECKING

from .resource import Backend, Principal

if TYPE_CHECKING:
    from .reports import Reports


@dataclass(frozen=True)
class Context:
    """What a method, property getter or report handler knows besides the resource and the request."""

    principal: Principal
    backend: Backend
    reports: "Reports"
