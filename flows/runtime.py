"""The flows' composition root: settings read once per process, one engine Context, the notifier, and the
small pieces every flow shares (tags carrying decision ids, artifacts linking back to the engine's record).

Prefect never holds state of its own here: the engine's database is the record (DESIGN principle 1).
A flow first probes the database; when it is unavailable the run fails with one clear message and
changes nothing, and the next scheduled run catches up.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from decision_engine import bootstrap
from decision_engine.config import Settings
from decision_engine.domain.errors import Unavailable
from decision_engine.services.context import Context
from decision_engine.services.notifications import Notifier, SmtpNotifier, default_notifier

if TYPE_CHECKING:
    from prefect import Task

P = ParamSpec("P")
R = TypeVar("R")
log = logging.getLogger("decide.flows")
MAX_TAGS = 50  # a batch run names at most this many decisions in its tags; its table artifact lists all

_lock = threading.Lock()
_state: dict[str, Any] = {"ctx": None, "notifier": None, "notifier_set": False, "base_url": None}


class DatabaseUnavailable(RuntimeError):
    """The engine's database cannot be reached: the run fails and changes nothing."""

    def __init__(self, detail: str) -> None:
        super().__init__("数据库不可用，本次运行未作任何更改，下一次计划运行将补办"
                         f"（the engine's database is unavailable; this run changed nothing and the next "
                         f"scheduled run catches up）: {detail}")


def use(ctx: Context | None, *, notifier: Notifier | None = None, base_url: str | None = None) -> None:
    """Inject the Context (and notifier) the flows use in this process — for tests and embedding."""
    with _lock:
        _state.update(ctx=ctx, notifier=notifier, notifier_set=ctx is not None, base_url=base_url)


def context(*, probe: bool = False) -> Context:
    """The engine Context for this process (built once from DECIDE_* settings); with `probe`, check
    the database answers first."""
    with _lock:
        ctx: Context | None = _state["ctx"]
        if ctx is None:
            try:
                ctx = bootstrap.build(Settings.from_env())
            except (SQLAlchemyError, Unavailable, OSError) as exc:
                raise DatabaseUnavailable(_first_line(exc)) from None
            _state["ctx"] = ctx
    if probe:
        try:
            with ctx.store.read() as conn:
                conn.execute(text("SELECT 1"))
        except (SQLAlchemyError, Unavailable, OSError) as exc:
            raise DatabaseUnavailable(_first_line(exc)) from None
    return ctx


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]


def notifier() -> Notifier | None:
    """The notifier: injected, or SMTP from DECIDE_SMTP_HOST (links in mail point at DECIDE_BASE_URL)."""
    if _state["notifier_set"]:
        return _state["notifier"]  # type: ignore[no-any-return]
    found = default_notifier(context().settings)
    if isinstance(found, SmtpNotifier):
        found.base_url = base_url()
    return found


def base_url() -> str:
    """Where the engine's pages answer (links in artifacts and e-mail)."""
    return str(_state["base_url"] or context().settings.links_base).rstrip("/")


def retry_unless_unavailable(task: Any, task_run: Any, state: Any) -> bool:
    """Retry a failed task, except when the database is unavailable (the next scheduled run catches up)."""
    try:
        state.result()
    except (DatabaseUnavailable, Unavailable):
        return False
    except Exception:
        return True
    return True


def duty_task(name: str) -> Callable[[Callable[P, R]], Task[P, R]]:
    """A task that calls one service: retried twice (not when the database is down), never cached
    (the engine's duty keys make a retry safe, not Prefect's cache)."""
    from prefect import task
    from prefect.cache_policies import NO_CACHE
    return task(name=name, retries=2, retry_delay_seconds=5, retry_condition_fn=retry_unless_unavailable,
                cache_policy=NO_CACHE)


# ---------------------------------------------------------------------------------------- tags, artifacts
def decision_ids(items: Iterable[dict[str, Any]]) -> list[str]:
    """The decision ids of some items, in first-seen order."""
    return list(dict.fromkeys(str(i["decision_id"]) for i in items if i.get("decision_id")))


def decision_tags(ids: Sequence[str], *, cap: int = MAX_TAGS) -> list[str]:
    """Tags naming the decisions a run handled (at most `cap`; the rest are counted)."""
    tags = [f"decision:{i}" for i in ids[:cap]]
    if len(ids) > cap:
        tags.append(f"decisions:+{len(ids) - cap}")
    return tags


def in_flow_run() -> bool:
    """True inside a Prefect flow run (artifacts and tags need one; `.fn()` calls have none)."""
    from prefect.context import FlowRunContext
    return FlowRunContext.get() is not None


def tag_flow_run(ids: Sequence[str]) -> None:
    """Add the decision ids to the current flow run's tags, so Prefect's UI finds a decision's work."""
    if not ids or not in_flow_run():
        return
    from prefect import get_client
    from prefect.context import FlowRunContext
    run = FlowRunContext.get().flow_run  # type: ignore[union-attr]
    if run is None:
        return
    try:
        with get_client(sync_client=True) as client:
            client.update_flow_run(run.id, tags=list(dict.fromkeys([*run.tags, *decision_tags(ids)])))
    except Exception as exc:  # tags help an operator; they never fail the run
        log.warning("could not tag flow run %s: %s", run.id, exc)


def record_url(decision_id: str) -> str:
    """The engine's page of a decision (the record)."""
    return f"{base_url()}/decisions/{decision_id}"


def decision_link(decision_id: str) -> str:
    """The engine's page of a decision, as a markdown link."""
    return f"[{decision_id}]({record_url(decision_id)})"


def markdown(key: str, body: str, description: str) -> None:
    """A markdown artifact on the current flow run (skipped outside a run)."""
    if in_flow_run():
        from prefect.artifacts import create_markdown_artifact
        create_markdown_artifact(markdown=body, key=key, description=description)


def table(key: str, rows: list[dict[str, Any]], description: str) -> None:
    """A table artifact on the current flow run (skipped outside a run, or when empty)."""
    if rows and in_flow_run():
        from prefect.artifacts import create_table_artifact
        create_table_artifact(table=rows, key=key, description=description)
