"""Errors raised by the domain; every door translates them, none re-decides.

    DomainError                      base: rule, article, message, missing
    ├── RuleViolation                a transition the procedure refuses (HTTP 409)
    │   ├── FinalizationRefused      finalization with unsatisfied gates, every missing item listed
    │   └── ConcurrencyConflict      a stale sequence number or a concurrent writer (HTTP 409)
    ├── Unauthenticated              unknown, expired or revoked identity (HTTP 401)
    ├── NotPermitted                 role or separation of duties (HTTP 403)
    ├── NotFound                     unknown decision, gate, artifact kind, person (HTTP 404)
    ├── InvalidInput                 malformed fields for an act (HTTP 422)
    ├── PayloadTooLarge              an upload over the limit (HTTP 413)
    ├── UnsupportedMediaType         an upload of a media type not accepted (HTTP 415)
    ├── TooManyAttempts              too many failed authentications from a client (HTTP 429)
    └── Unavailable                  the database or blob store cannot be reached (HTTP 503)
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Missing:
    """One unmet requirement: which rule, which article, which gate, what is needed."""

    rule: str
    article: str
    gate: str
    need: str
    kind: str = ""

    def to_dict(self) -> dict[str, str]:
        """JSON-friendly form used in error bodies and pages."""
        return {"rule": self.rule, "article": self.article, "gate": self.gate, "kind": self.kind,
                "need": self.need}


class DomainError(Exception):
    """A refusal that names its rule and article."""

    status = 409

    def __init__(self, message: str, *, rule: str = "", article: str = "",
                 missing: tuple[Missing, ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.rule = rule
        self.article = article
        self.missing = missing

    def to_dict(self) -> dict[str, object]:
        """The one error shape every door shows."""
        return {"error": type(self).__name__, "rule": self.rule, "article": self.article,
                "message": self.message, "missing": [m.to_dict() for m in self.missing]}

    def __str__(self) -> str:
        head = f"[{self.rule} {self.article}] " if self.rule else ""
        lines = [head + self.message]
        lines += [f"  - {m.rule} {m.article} · {m.gate}: {m.need}" for m in self.missing]
        return "\n".join(lines)


class RuleViolation(DomainError):
    """The procedure refuses this transition now."""


class FinalizationRefused(RuleViolation):
    """Finalization refused; `missing` lists every unsatisfied item (R13–R16)."""


class ConcurrencyConflict(RuleViolation):
    """Another writer appended first, or the client's expected sequence is stale."""


class NotPermitted(DomainError):
    """The acting person's role, or a separation-of-duties rule, forbids the act."""

    status = 403


class NotFound(DomainError):
    """The named thing does not exist."""

    status = 404


class InvalidInput(DomainError):
    """The act's fields are malformed or incomplete."""

    status = 422


class Unauthenticated(DomainError):
    """No valid identity: unknown, expired or revoked token, wrong password."""

    status = 401


class PayloadTooLarge(DomainError):
    """The upload exceeds the configured limit."""

    status = 413


class UnsupportedMediaType(DomainError):
    """The upload's media type is not accepted for artifacts."""

    status = 415


class Unavailable(DomainError):
    """A backing store is unavailable; nothing was written."""

    status = 503


class TooManyAttempts(DomainError):
    """Too many failed authentications from one client address; retry after `retry_after` seconds (SEC2)."""

    status = 429

    def __init__(self, message: str, *, retry_after: int, rule: str = "", article: str = "",
                 missing: tuple[Missing, ...] = ()) -> None:
        super().__init__(message, rule=rule, article=article, missing=missing)
        self.retry_after = retry_after
