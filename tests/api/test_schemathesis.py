"""Schemathesis against /openapi.json, in process (ASGI), fixed seed, bounded examples: no input makes
the API answer 5xx, and every answer conforms to the schema it declares (status codes, media types,
bodies, headers). Path ids are half the time real ones, so the generated bodies reach the domain."""

from __future__ import annotations

import dataclasses
import os
import warnings
from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.app import create_app
from api.deps import ContextHolder
from decision_engine.domain import accounts
from decision_engine.services import identity
from decision_engine.services import queries as q
from decision_engine.services.context import Context

with warnings.catch_warnings():  # starlette asks for httpx2, which the registry does not carry
    warnings.simplefilter("ignore")
    import starlette.testclient  # noqa: F401  (imported once here, quietly, for schemathesis' ASGI calls)

SEED = 20250303
EXAMPLES = int(os.environ.get("DECIDE_SCHEMATHESIS_EXAMPLES", "200"))  # per operation (issue 11 §8)
CHECKS = [ignored_auth, not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          response_headers_conformance]


@dataclass
class Seeded:
    """A decision ready for its collective decision, and a person with many roles to act on it."""

    ctx: Context
    decision_id: str
    artifact_ids: list[str]
    person_id: str
    token: str


@pytest.fixture
def seeded(walk: Any, monkeypatch: pytest.MonkeyPatch) -> Seeded:
    ctx: Context = walk.ctx
    # the fuzzer sends many invalid tokens from one address: lift the guessing throttle (SEC2) as the public
    # rate limit is lifted, so that invalid credentials are answered 401 as the check expects
    monkeypatch.setattr(accounts, "CLIENT_FAILURES", 1_000_000)
    ctx.settings = dataclasses.replace(ctx.settings, public_rate_per_minute=1_000_000,
                                       max_upload_bytes=64 * 1024)
    walk.ready()
    person = identity.register_person(ctx, "多角色测试员")
    for role, unit in (("undertaking_unit", walk.bureau), ("legality_reviewer", "某市司法局"),
                       ("admin_head", "某市人民政府"), ("decision_organ", "某市人民政府"),
                       ("auditor", "某市审计局")):  # an administrator holds no other role (SEC4)
        identity.grant_role(ctx, person, role, unit, reason="schemathesis")
    view = q.get_decision(ctx, walk.did)
    app.state.decide = ContextHolder(ctx)
    return Seeded(ctx, walk.did, [a["id"] for a in view["artifacts"]], person,
                  identity.issue_token(ctx, person, ttl_days=3650))


# The schema is read from an app whose Context is never built (serving /openapi.json needs none); each
# test then hands the app the Context of its own seeded store.
app = create_app()
schema = schemathesis.openapi.from_asgi("/openapi.json", app, config=schemathesis.Config.from_dict({
    "seed": SEED,
    "generation": {"max-examples": EXAMPLES},
    "phases": {"stateful": {"enabled": False}},  # examples, coverage (boundaries) and fuzzing
}))


def _aim(case: Any, seeded: Seeded) -> None:
    """Half the time, point the generated path at things that exist."""
    params = case.path_parameters or {}
    real = {"decision_id": seeded.decision_id, "person_id": seeded.person_id,
            "artifact_id": seeded.artifact_ids[len(str(params.get("artifact_id", ""))) % len(seeded.artifact_ids)],
            "gate": ("legality_review", "public_participation", "risk_assessment")[
                len(str(params.get("gate", ""))) % 3]}
    for name, value in list(params.items()):
        if name in real and len(str(value)) % 2 == 0:
            params[name] = real[name]


@schema.parametrize()
@settings(deadline=None, suppress_health_check=list(HealthCheck))
def test_no_generated_request_gets_a_server_error_or_breaks_the_declared_schema(case: Any, seeded: Seeded) -> None:
    _aim(case, seeded)
    case.call_and_validate(checks=CHECKS, headers={"Authorization": f"Bearer {seeded.token}"})
