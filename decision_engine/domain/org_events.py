"""The events of the organisation's stream (`org:chart`), typed and versioned like a decision's events.

Each event type is a frozen dataclass (`domain/events.py`'s `Event`: its `TYPE`, its `VERSION` stored as the
envelope's `"v"`, `to_payload()` giving exactly the payload the store canonicalises and hashes). `ORG` is the
catalogue of these types with its upcaster registry: when an event's shape changes, its `VERSION` goes up and
an upcaster `@ORG.upcaster(type, from_version)` turns the payloads stored under the older version into the next
one; `organisation.fold_stored` reads stored envelopes through `ORG.read`, so an event once stored keeps its
bytes and still folds. Version 1 is the shape every organisation event has had since the stream began.

The payloads are exactly those the organisation module wrote before these types existed: every key present,
None kept as null (an organ without a superior, an external unit without an organ), so the canonical bytes of
the events already stored, and of the events written from now on, are the same.

Pure, stdlib only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from decision_engine.domain.events import Catalogue, Event

SCHEMA_VERSION = 1  # the organisation stream's events as stored since issue 15 (none has changed shape yet)


@dataclass(frozen=True, slots=True)
class OrganRegistered(Event):
    """An organ (a government or a department that decides) registered, or registered again changed."""

    TYPE: ClassVar[str] = "OrganRegistered"
    VERSION: ClassVar[int] = SCHEMA_VERSION
    id: str
    name: str
    level: str
    kind: str = "government"
    superior: str | None = None


@dataclass(frozen=True, slots=True)
class UnitRegistered(Event):
    """A unit of an organ, or an external body (no organ), registered, or registered again changed."""

    TYPE: ClassVar[str] = "UnitRegistered"
    VERSION: ClassVar[int] = SCHEMA_VERSION
    id: str
    organ: str | None = None
    kind: str = "department"
    name: str = ""


@dataclass(frozen=True, slots=True)
class UnitMoved(Event):
    """A unit moved to another organ (a reorganisation), with the organ it left."""

    TYPE: ClassVar[str] = "UnitMoved"
    VERSION: ClassVar[int] = SCHEMA_VERSION
    KEYS: ClassVar[dict[str, str]] = {"from_": "from"}
    id: str
    organ: str | None = None
    from_: str | None = None


@dataclass(frozen=True, slots=True)
class UnitRetired(Event):
    """A unit retired (abolished, merged), with the reason; roles once held in it stay in the record."""

    TYPE: ClassVar[str] = "UnitRetired"
    VERSION: ClassVar[int] = SCHEMA_VERSION
    id: str
    reason: str = ""


OrgEvent = OrganRegistered | UnitRegistered | UnitMoved | UnitRetired
ORG_EVENT_TYPES: tuple[type[Event], ...] = (OrganRegistered, UnitRegistered, UnitMoved, UnitRetired)

#: The organisation's event types by name, and their upcasters (none yet: every type is at version 1).
ORG = Catalogue(ORG_EVENT_TYPES)
