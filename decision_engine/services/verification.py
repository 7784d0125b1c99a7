"""`decide verify`: every chain, every artifact's bytes, every projection re-derived from the events."""

from __future__ import annotations

import hashlib
import multiprocessing as mp
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import orjson

from decision_engine.adapters import store as st
from decision_engine.adapters import verification_repo as repo
from decision_engine.adapters.store import Store
from decision_engine.audit.canonical import CHAIN_DOMAIN, GENESIS, canonical, hash_constructor, sha256_hex
from decision_engine.audit.findings import Finding
from decision_engine.domain import participation as dp
from decision_engine.domain import projection
from decision_engine.domain.decision import Decision
from decision_engine.domain.errors import DomainError
from decision_engine.domain.statutory_time import instant
from decision_engine.services.context import Context
from decision_engine.services.transparency import verify_log

__all__ = ["Finding", "Report", "verify"]


@dataclass
class Report:
    """The result of a full verification."""

    events: int = 0
    streams: int = 0
    artifacts: int = 0
    decisions: int = 0
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when nothing differs."""
        return not self.findings


_COLUMNS = ("stream", "seq", "type", "at", "person", "role", "unit")


def _column_difference(env: dict[str, Any], row: tuple[Any, ...]) -> str:
    actor = env.get("actor") or {}
    signed = (env.get("stream"), env.get("seq"), env.get("type"), env.get("at"), actor.get("person"),
              actor.get("role"), actor.get("unit"))
    return "; ".join(f"column {name}={have!r} differs from the signed body's {want!r}"
                     for name, have, want in zip(_COLUMNS, row, signed, strict=True) if have != want)


def verify(ctx: Context, *, replay: bool = True, workers: int | None = None) -> Report:
    """Verify every stream's hash chain, every artifact blob and (with replay) every projection.

    Streams are split into contiguous ranges checked in parallel processes (each opens its own
    connection); a chain never crosses a range boundary, so the split changes no result.
    """
    rep = Report()
    workers = workers or min(2, os.cpu_count() or 1)
    with ctx.store.read() as conn:
        streams = repo.stream_names(conn)
    bounds = _split(streams, workers if len(streams) > 2000 else 1)
    if len(bounds) == 1:
        _merge(rep, _verify_range(ctx.store, bounds[0], replay))
    else:
        with ProcessPoolExecutor(max_workers=len(bounds), mp_context=mp.get_context("fork")) as pool:
            for part in pool.map(_verify_range_url, [ctx.store.url] * len(bounds), bounds,
                                 [replay] * len(bounds)):
                _merge(rep, part)
    with ctx.store.read() as conn:
        for art_id, decision_id, sha, seq in repo.blob_artifacts(conn):
            rep.artifacts += 1
            where = (f"decision:{decision_id}", seq)
            if not ctx.blobs.exists(sha):
                rep.findings.append(Finding(*where, f"artifact {art_id}: blob {sha[:16]}… is missing"))
            elif hashlib.sha256(ctx.blobs.get(sha)).hexdigest() != sha:
                rep.findings.append(Finding(*where, f"artifact {art_id}: blob bytes do not match {sha[:16]}…"))
        if replay:
            _check_orphans(conn, streams, rep)
    rep.findings.extend(verify_log(ctx))
    return rep


def _split(streams: list[str], parts: int) -> list[tuple[str | None, str | None]]:
    """Contiguous [lo, hi) stream ranges of about equal size. A decision's comment streams (its main stream and
    its shards, replayed together) are never split: a cut inside their span, in the database's order of the
    names, moves past it."""
    if parts <= 1 or not streams:
        return [(None, None)]
    reach_from: dict[int, int] = {}  # first position of a decision's comment streams -> their last position
    first: dict[str, int] = {}
    for i, name in enumerate(streams):
        if name.startswith("comments:"):
            start = first.setdefault(dp.comment_decision(name), i)
            reach_from[start] = i
    inside = [False] * len(streams)  # a cut here would split a decision's comment streams
    reach = -1
    for i in range(len(streams)):
        inside[i] = reach >= i
        reach = max(reach, reach_from.get(i, -1))
    cuts: list[str] = []
    last = 0
    for i in range(1, parts):
        at = len(streams) * i // parts
        while at < len(streams) and inside[at]:
            at += 1
        if last < at < len(streams):
            cuts.append(streams[at])
            last = at
    if not cuts:
        return [(None, None)]
    return list(zip([None, *cuts], [*cuts, None], strict=True))


def _merge(into: Report, part: Report) -> None:
    into.events += part.events
    into.streams += part.streams
    into.decisions += part.decisions
    into.findings.extend(part.findings)


def _verify_range_url(url: str, bounds: tuple[str | None, str | None], replay: bool) -> Report:
    store = Store(url)
    try:
        return _verify_range(store, bounds, replay)
    finally:
        store.dispose()


def _verify_range(store: Store, bounds: tuple[str | None, str | None], replay: bool) -> Report:
    """Chains (and projections) of the streams in [lo, hi)."""
    rep = Report()
    lo, hi = bounds
    decisions: dict[str, list[dict[str, Any]]] = {}
    others: dict[str, list[dict[str, Any]]] = {}
    with st.no_cyclic_gc(), store.read() as conn:  # millions of parsed events, no cycles (issue 19)
        cur_stream, expect_seq, prev = "", 0, GENESIS
        opened_at: Any = None
        prev_at: Any = None
        sha256 = hash_constructor(store.chain_algorithm)  # SHA-256, or SM3 under the 国密 log profile
        for stream, seq, etype, at, person, role, unit, body, prev_hash, stored_hash in repo.event_rows(
                conn, lo, hi):
            rep.events += 1
            if stream != cur_stream:
                cur_stream, expect_seq, prev, opened_at, prev_at = stream, 0, GENESIS, None, None
                rep.streams += 1
            expect_seq += 1
            if seq != expect_seq:
                rep.findings.append(Finding(stream, seq, f"sequence gap or reordering: expected {expect_seq}"))
                expect_seq = seq
            if prev_hash != prev:
                rep.findings.append(Finding(stream, seq, f"prev_hash {prev_hash[:16]}… does not link to the "
                                            f"previous event's hash {prev[:16]}… (deleted or inserted event)"))
            body = bytes(body)
            computed = sha256(CHAIN_DOMAIN + bytes.fromhex(prev_hash) + body).hexdigest()
            if computed != stored_hash:
                rep.findings.append(Finding(stream, seq, f"hash differs: stored {stored_hash[:16]}…, "
                                            f"computed {computed[:16]}… (event bytes edited)"))
            prev = stored_hash
            try:
                env = orjson.loads(body)
            except orjson.JSONDecodeError:
                rep.findings.append(Finding(stream, seq, "stored bytes are not JSON"))
                continue
            actor = env.get("actor") or {}
            if (env.get("stream"), env.get("seq"), env.get("type"), env.get("at"), actor.get("person"),
                    actor.get("role"), actor.get("unit")) != (stream, seq, etype, at, person, role, unit):
                rep.findings.append(Finding(stream, seq, _column_difference(
                    env, (stream, seq, etype, at, person, role, unit))))
            moment = _moment(env.get("at"))
            if moment is None:
                rep.findings.append(Finding(stream, seq, f"at {env.get('at')!r} is not an ISO 8601 moment"))
            elif opened_at is None:
                opened_at = prev_at = moment
            else:
                if moment < opened_at:
                    rep.findings.append(Finding(stream, seq, f"dated {env['at']}, before the stream's opening "
                                                f"event ({opened_at.isoformat()})"))
                elif moment < prev_at - WRITER_SKEW:
                    rep.findings.append(Finding(stream, seq, f"dated {env['at']}, before the previous event "
                                                f"({prev_at.isoformat()}): events out of time order"))
                prev_at = max(prev_at, moment)
            if replay and stream.startswith("decision:"):
                decisions.setdefault(stream[9:], []).append(env)
            elif replay and stream.startswith(_OTHER_PROJECTIONS):
                others.setdefault(stream, []).append(env)
        if replay:
            _check_projections(conn, decisions, rep, lo, hi)
            _check_other_projections(conn, others, rep)
    return rep


# A writer takes its moment before it waits for the write lock, so two honest writers racing for one
# stream may record moments a little out of order; an inversion beyond this is a finding.
WRITER_SKEW = timedelta(seconds=5)

# Streams besides decisions whose tables are projections too: meetings and their agenda items (R15),
# accountability cases (Arts. 38–41), the public comments of a decision (R6, R8), the official documents
# rendered from it (issue 9) and the public opinions on its execution (Art. 34). Each is rebuilt from its
# own events and compared row by row, column by column; so are the people and the roles they hold in a unit
# (who may act: every door reads them).
_OTHER_PROJECTIONS = ("meeting:", "accountability:", "comments:", "documents:", "execution-opinions:",
                      "person:", "experts:", "org:")


def _moment(at: Any) -> Any:
    try:
        return instant(at)
    except (TypeError, ValueError):
        return None


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "…'"


def _row_difference(table: str, key: Any, expected: dict[str, Any] | None, found: dict[str, Any] | None
                    ) -> str | None:
    """The first difference between a row rebuilt from the events and the row stored, named."""
    if expected is None and found is None:
        return None
    if expected is None:
        return f"{table} {key}: a row that no event records"
    if found is None:
        return f"{table} {key}: the row the events record is missing"
    for col in expected:
        if col in found and found[col] != expected[col]:
            return (f"{table} {key} column {col}: expected {_show(expected[col])}, "
                    f"found {_show(found[col])}")
    return None


def _rows_difference(table: str, keys: tuple[str, ...], expected: list[dict[str, Any]],
                     found: list[dict[str, Any]]) -> str | None:
    def key(row: dict[str, Any]) -> Any:
        return tuple(row[k] for k in keys) if len(keys) > 1 else row[keys[0]]
    want, have = {key(r): r for r in expected}, {key(r): r for r in found}
    for k in sorted(set(want) | set(have), key=repr):
        diff = _row_difference(table, k, want.get(k), have.get(k))
        if diff:
            return diff
    return None


def _state_row(state: dict[str, Any], columns: dict[str, Any], text: str | None = None) -> dict[str, Any]:
    """A projection row rebuilt from its aggregate's state: a column holds the state's value of the same
    name (`last_seq` the sequence, `procedure_*` the pinned procedure, `state` the sorted-key JSON)."""
    out: dict[str, Any] = {}
    for col in columns:
        if col == "state":
            out[col] = text if text is not None else st.state_text(state)
        elif col == "last_seq":
            out[col] = state.get("seq")
        elif col == "organ":  # recorded at opening (AR1); None for decisions opened before it was
            out[col] = state.get("organ")
        elif col.startswith("procedure_") and isinstance(state.get("procedure"), dict):
            out[col] = state["procedure"].get(col.removeprefix("procedure_"))
        elif col in state:
            out[col] = state[col]
    return out


def _agenda_items(key: str, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    items: dict[int, dict[str, Any]] = {}
    for ev in events:
        p = ev["payload"]
        if ev["type"] in ("AgendaItemPlaced", "ChangeItemPlaced"):
            items[p["item_no"]] = {"meeting_id": key, "item_no": p["item_no"], "decision_id": p["decision_id"],
                                   "outcome": None, "decided_at": None}
        elif ev["type"] in ("AgendaItemDecided", "ChangeItemDecided") and p["item_no"] in items:
            items[p["item_no"]].update(outcome=p["outcome"], decided_at=ev["at"])
    return list(items.values())


def _documents(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [dict(ev["payload"], rendered_at=ev["at"], rendered_by=ev["actor"]["person"], event_seq=ev["seq"])
            for ev in events if ev["type"] == "DocumentRendered"]


def _opinions(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for ev in events:
        if ev["type"] == "ExecutionOpinionReceived":
            p = ev["payload"]
            out.append({"tracking_number": p["tracking_number"], "decision_id": p["decision_id"],
                        "text": p["text"], "text_sha256": p["text_sha256"], "received_at": ev["at"],
                        "seq": ev["seq"], "identified": bool(p.get("identified"))})
    return out


def _people(key: str, events: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    persons: list[dict[str, Any]] = []
    roles: dict[str, dict[str, Any]] = {}
    for ev in events:
        p = ev["payload"]
        if ev["type"] == "PersonRegistered":
            persons.append({"id": key, "name": p["name"], "created_at": ev["at"], "active": True,
                            "password_set": bool(p.get("password_set"))})
        elif ev["type"] == "RoleGranted":
            roles[p["assignment"]] = {"id": p["assignment"], "person_id": key, "role": p["role"],
                                      "unit": p["unit"], "valid_from": p["valid_from"], "valid_to": p["valid_to"],
                                      "granted_by": ev["actor"]["person"], "reason": p["reason"]}
        elif ev["type"] == "RoleEnded" and p["assignment"] in roles:
            roles[p["assignment"]]["valid_to"] = ev["at"]
    return persons, list(roles.values())


def _pool(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = {}
    for ev in events:
        p = ev["payload"]
        if ev["type"] == "ExpertAddedToPool":
            rows[p["person_id"]] = {"person_id": p["person_id"], "name": p["name"],
                                    "fields": orjson.dumps(p["fields"]).decode(), "affiliation": p["affiliation"],
                                    "title": p["title"], "active": True, "added_at": ev["at"], "seq": ev["seq"]}
        elif ev["type"] == "ExpertLeftPool" and p["person_id"] in rows:
            rows[p["person_id"]]["active"] = False
    return list(rows.values())


def _comment_groups(streams: dict[str, list[dict[str, Any]]], rep: Report) -> dict[str, list[dict[str, Any]]]:
    """A decision's comment streams as one (issue 19 §4), under its main stream's name: its shards' events
    (only comments of that decision received) in shard order, then its main stream's. Shard streams leave
    `streams`."""
    shards: dict[str, list[tuple[int, list[dict[str, Any]]]]] = {}
    for stream in [s for s in streams if s.startswith("comments:")]:
        k = dp.shard_of_stream(stream)
        if k is None:
            continue
        did = dp.comment_decision(stream)
        events = []
        for ev in streams.pop(stream):
            if ev.get("type") == "CommentReceived" and (ev.get("payload") or {}).get("decision_id") == did:
                events.append(ev)
            else:  # reported, and not replayed
                rep.findings.append(Finding(stream, ev.get("seq", 0), f"a {ev.get('type')} event on a comment "
                                            f"shard: a shard holds only comments received for decision {did}"))
        shards.setdefault(dp.comments_stream(did), []).append((k, events))
    for main, parts in shards.items():
        merged = [ev for _, events in sorted(parts, key=lambda p: p[0]) for ev in events] + streams.get(main, [])
        if merged:
            streams[main] = merged
    return streams


def _check_other_projections(conn: Any, streams: dict[str, list[dict[str, Any]]], rep: Report) -> None:
    from decision_engine.services import accountability, meetings, organisation, participation
    streams = _comment_groups(streams, rep)
    for stream, events in streams.items():
        kind, _, key = stream.partition(":")
        last = events[-1]["seq"]
        try:
            if kind == "comments":
                want = dp.fold_comments(events)
                have = participation.live_comments(conn, key)
                diff = None
                for part, table in (("comments", "public_comments"), ("clusters", "opinion_clusters")):
                    diff = diff or _rows_difference(table, ("k",), [dict(r, k=k) for k, r in want[part].items()],
                                                    [dict(r, k=k) for k, r in have[part].items()])
                if diff is None and want != have:
                    diff = "comment tables differ from the replay of the stream"
            elif kind == "org":  # no table: the chart is folded from its events, and must fold consistently
                diff = organisation.rederive(events)
            elif kind == "experts":
                diff = _rows_difference("expert_pool", ("person_id",), _pool(events), [
                    dict(r, active=bool(r["active"])) for r in repo.expert_pool_rows(conn)])
            else:
                rows = repo.rows_of(conn, kind, key)
                if kind in ("meeting", "accountability"):
                    table = "meetings" if kind == "meeting" else "accountability_cases"
                    state = (meetings.replay_meeting(conn, key) if kind == "meeting"
                             else accountability.replay_case(conn, key)).state
                    found = rows[table][0] if rows[table] else None
                    diff = _row_difference(table, key, _state_row(state, found) if found else {"id": key},
                                           found)
                    if diff is None and kind == "meeting":
                        diff = _rows_difference("meeting_items", ("meeting_id", "item_no"),
                                                _agenda_items(key, events), rows["meeting_items"])
                elif kind == "person":
                    persons, roles = _people(key, events)
                    diff = _rows_difference("persons", ("id",), persons, [
                        dict(r, active=bool(r["active"]), password_set=r["password_hash"] is not None)
                        for r in rows["persons"]]) or _rows_difference(
                        "role_assignments", ("id",), roles, rows["role_assignments"])
                elif kind == "documents":
                    diff = _rows_difference("documents", ("id",), _documents(events), rows["documents"])
                else:
                    found_rows = [dict(r, identified=r.get("identity") is not None)
                                  for r in rows["execution_opinions"]]
                    diff = _rows_difference("execution_opinions", ("tracking_number",), _opinions(events),
                                            found_rows)
        except DomainError as err:  # events without their projection row
            rep.findings.append(Finding(stream, 0, f"no projection to compare with the replay ({err.message})"))
            continue
        if diff:
            rep.findings.append(Finding(stream, last, diff))


def _check_orphans(conn: Any, streams: list[str], rep: Report) -> None:
    """Rows of a shown table whose stream does not exist (a row invented behind the log)."""
    present = set(streams)
    if "experts:pool" not in present and repo.expert_pool_rows(conn):
        rep.findings.append(Finding("experts:pool", 0, "expert_pool rows with no stream behind them"))
    for kind in repo.KEYED:
        for key in sorted(repo.keyed_ids(conn, kind)):
            if f"{kind}:{key}" not in present:
                rep.findings.append(Finding(f"{kind}:{key}", 0, f"{kind} rows with no stream behind them"))


def _check_projections(conn: Any, decisions: dict[str, list[dict[str, Any]]], rep: Report,
                       lo: str | None, hi: str | None) -> None:
    prefix = "decision:"  # decision streams form one contiguous block of the sorted stream names
    if (hi is not None and hi <= prefix) or (lo is not None and lo >= prefix + "\uffff"):
        return
    id_lo = lo[len(prefix):] if lo is not None and lo.startswith(prefix) else None
    id_hi = hi[len(prefix):] if hi is not None and hi.startswith(prefix) else None
    rows = repo.decision_rows(conn, id_lo, id_hi)
    art_rows = repo.artifact_rows(conn, id_lo, id_hi)
    seen_arts: set[str] = set()
    for did, row in rows.items():
        rep.decisions += 1
        evs = decisions.pop(did, [])
        first = evs[0]["payload"]["procedure"]["hash"] if evs else row["procedure_hash"]
        d = Decision(st.get_spec(conn, first), resolve=lambda h: st.get_spec(conn, h))
        folded = bool(evs)  # fold_all(consume=True) empties evs: the guard is taken before
        # = d.apply(ev, refresh=False) for each event, faster; each event released once folded
        projection.fold_all(d, evs, d.events, consume=True)
        if folded:
            d.refresh()
        stream = f"decision:{did}"
        for art in d.state.get("artifacts", {}).values():
            if art.get("storage") == "inline" and sha256_hex(canonical(art["fields"])) != art["sha256"]:
                rep.findings.append(Finding(stream, art["seq"], f"artifact {art['id']}: inline "
                                            "fields do not match their recorded sha256"))
        if (text := st.state_text(d.state)) != row["state"]:
            stored = orjson.loads(row["state"])
            diff = sorted(k for k in set(stored) | set(d.state) if stored.get(k) != d.state.get(k))
            rep.findings.append(Finding(stream, row["last_seq"],
                                        f"projection differs from replay in: {', '.join(diff)}"))
        else:
            column = _row_difference("decisions", did, _state_row(d.state, row, text), row)
            if column:
                rep.findings.append(Finding(stream, row["last_seq"], column))
        for art in sorted(d.state.get("artifacts", {}).values(), key=lambda a: a["seq"]):
            seen_arts.add(art["id"])
            want = st.artifact_values(did, art)
            have = art_rows.get(art["id"]) or repo.artifact_row(conn, art["id"])
            moved = _row_difference("artifacts", art["id"], want, have)
            if moved:
                rep.findings.append(Finding(stream, art["seq"], moved))
    for art_id, art_row in art_rows.items():
        if art_id not in seen_arts and art_row["decision_id"] in rows:
            rep.findings.append(Finding(f"decision:{art_row['decision_id']}", art_row["seq"],
                                        f"artifacts {art_id}: a row under this decision that none of its "
                                        "events records"))
    for did, evs in decisions.items():
        rep.findings.append(Finding(f"decision:{did}", evs[-1]["seq"], "events without a projection row"))
