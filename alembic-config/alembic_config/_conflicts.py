"""What a conflict is: a structured difference between the services that define one thing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

MISSING = "missing"
UNRESOLVED_FOREIGN_KEY = "unresolved foreign key"
NAMING_CONVENTION = "naming convention"


@dataclass(frozen=True)
class Difference:
    """One aspect on which the services disagree.

    ``aspect`` is what differs (``column``, ``type``, ``nullable``, ``default``,
    ``server default``, ``primary key``, ``foreign key``, ``index``, ``unique``,
    ``check``, ``comment``, ``naming convention``, or for a name collision the
    kind of object); ``subject`` names the column, index or constraint; ``values``
    holds each service's side, ``"missing"`` where a service has none.
    """

    aspect: str
    subject: str
    values: tuple[tuple[str, str], ...]

    def describe(self) -> str:
        """``aspect subject: service=value, service=value``."""
        label = f"{self.aspect} {self.subject}".strip()
        sides = ", ".join(f"{service}={value}" for service, value in self.values)
        return f"{label}: {sides}"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return {
            "aspect": self.aspect,
            "subject": self.subject,
            "values": dict(self.values),
        }


@dataclass(frozen=True)
class Conflict:
    """Two or more services define the same thing differently.

    ``kind`` is ``table`` (one table key, different definitions), ``index``,
    ``constraint``, ``sequence`` or ``enum`` (one database-wide name used by
    several services), or ``naming convention``.
    """

    kind: str
    name: str
    services: tuple[str, ...]
    differences: tuple[Difference, ...]

    def describe(self) -> str:
        """A headline naming the object and the services, then one line per difference."""
        if self.kind == UNRESOLVED_FOREIGN_KEY:
            head = f"{self.kind}: {self.name!s} of {', '.join(self.services)} refers to a table "
            head += "no selected service defines"
        elif self.kind == NAMING_CONVENTION and self.differences:
            # each difference holds (reference services, value), (differing services, value)
            reference = self.differences[0].values[0][0]
            differing = sorted({d.values[1][0] for d in self.differences})
            head = f"naming convention conflict: {'; '.join(differing)} "
            head += f"{'differs' if len(differing) == 1 else 'differ'} from {reference}"
        else:
            head = f"{self.kind} conflict: {self.name!s} is defined differently by "
            head += ", ".join(self.services)
        return "\n".join([head, *("  " + d.describe() for d in self.differences)])

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return {
            "kind": self.kind,
            "name": self.name,
            "services": list(self.services),
            "differences": [d.to_dict() for d in self.differences],
        }
