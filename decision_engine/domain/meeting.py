"""The meeting aggregate (常务会议 / 全体会议, R14–R15, SoD4, SoD8, Arts. 29–30): commands in, events out.

Pure: no I/O, no clock. A meeting is its own stream `meeting:<id>`. It is convened with its roster and the
administrative head who presides; decisions whose pre-decision gates all hold are placed on its agenda with
a packet assembled from their record (R14); the roll is called against the quorum; members recuse; each
member's opinion is recorded in speaking order, dissent verbatim, the head last (SoD4); the head decides
each item; minutes generated from the record are confirmed by the secretariat and by the head (SoD8), and
corrected only by new versions with a reason (R18).

The decision-side checks of the head's decision (R13–R15, SoD4) stay authoritative in
`decision._art_meeting`: the service records the `meeting_record` built here through `Decision.record_artifact`
in the same transaction.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from decision_engine.domain import authority
from decision_engine.domain.decision import Decision
from decision_engine.domain.errors import InvalidInput, NotFound, NotPermitted, RuleViolation
from decision_engine.domain.law import ref
from decision_engine.domain.organisation import OrgChart
from decision_engine.domain.rules.collective import (
    HEAD_DECISIONS,
    MEETING_TYPES,
    check_tally,
    departs_from_majority,
)
from decision_engine.domain.rules.risk import effective_report
from decision_engine.domain.values import DECIDED, Actor, NewEvent, iso_date, pick_actor

POSITIONS = ("support", "oppose", "abstain")
CONVENERS = ("secretariat", "decision_organ", "admin_head")
AGENDA_ROLES = ("secretariat", "decision_organ")
SPEAKER_ROLES = ("meeting_member", "admin_head")
CAPACITIES = ("secretariat", "head")
# R20, Arts. 30, 37: what a tabled change of a decided decision is, and what the head may decide on it.
CHANGES = ("terminate", "adjust")
CHANGE_OUTCOMES = ("adopt", "reject", "defer")
CHANGEABLE = (*DECIDED, "suspended")
# Art. 29 (2)–(4): the adoption and assessment records of each step performed, and other materials.
PACKET_RECORDS = (
    ("initiation", ("draft_options",)),  # R3, Art. 12 ¶4: the options the meeting chooses among
    ("public_participation", ("opinion_summary", "group_consultation", "participation_record")),
    ("hearing", ("hearing_record",)),
    ("expert_review", ("expert_adoption",)),
    ("risk_assessment", ("risk_report", "dept_opinions", "prior_assessment_link", "risk_continuity")),
)


def _ref(d: Decision, art: dict[str, Any]) -> dict[str, Any]:
    kind = d.spec.artifacts.get(art["kind"])
    return {"artifact_id": art["id"], "kind": art["kind"], "name_zh": kind.name_zh if kind else art["kind"],
            "sha256": art["sha256"], "draft_version": art["draft_version"], "recorded_at": art["at"],
            "unit": art["author"]["unit"]}


def assemble_packet(d: Decision) -> dict[str, Any]:
    """The meeting packet from the decision's record, never uploaded (R14, Art. 29; R13, Art. 25).

    The draft is the version the legal office reviewed; the legality opinion; fair-competition information
    when the decision affects market entities; the adoption records of every stage performed; dispute
    statements; and each exemption with its legal basis.
    """
    blockers = d.agenda_blockers()
    if blockers:
        raise RuleViolation(f"decision {d.id} cannot be placed on an agenda: {len(blockers)} item(s) missing",
                            rule="R14", article="Art. 29(1)" if all(
                                m.kind == "fair_competition_review" for m in blockers) else "Art. 29",
                            missing=tuple(blockers))
    current = d.state["draft_version"]
    opinion = d.latest("legality_review", "legality_opinion")
    if opinion is None or opinion["draft_version"] != current:
        # R13, Art. 25: the version discussed is the version the legal office reviewed.
        raise RuleViolation(f"draft v{current} has no legality opinion of its own", rule="R13",
                            article="Art. 25")
    draft = next(x for x in d.state["drafts"] if x["version"] == current)
    records = []
    for gate_id, kinds in PACKET_RECORDS:
        g = next((x for x in d.spec.gates if x.id == gate_id), None)
        if g is None or d.gate_status(g) not in ("cleared",):
            continue  # not performed (not applicable or exempted: listed below with the basis)
        records += [dict(_ref(d, a), gate=gate_id, stage=g.stage) for a in d.artifacts_of(gate_id)
                    if a["kind"] in kinds]
        carried = effective_report(d) if gate_id == "risk_assessment" else None
        if carried is not None and all(r["artifact_id"] != carried["id"] for r in records):
            # R10, Art. 24: the report a continuity note carries forward to the version decided
            records.append(dict(_ref(d, carried), gate=gate_id, stage=g.stage))
    fair = d.artifacts_of("collective_decision", "fair_competition_review")
    # R14, Art. 29(6): the other materials (a key only when there are some: older packets keep their hash)
    others = [dict(_ref(d, a), title=str(a["fields"]["title"]), reason=str(a["fields"]["reason"]))
              for a in d.artifacts_of("collective_decision", "other_material")] \
        if "other_material" in d.spec.artifacts else []
    packet = {
        "decision_id": d.id, "title": d.state["title"], "category": d.state["category"],
        "units": list(d.undertaking_units()), "procedure": d.state["procedure"],
        "draft": {"version": current, "artifact_id": draft["artifact_id"], "sha256": draft["sha256"],
                  "title": draft["title"], "reviewed_by_legal_office": True},
        "legality_opinion": dict(_ref(d, opinion), conclusion=opinion["fields"]["conclusion"],
                                 risk_statement=str(opinion["fields"].get("risk_statement") or "")),
        "legal_adviser_opinions": [_ref(d, a) for a in d.artifacts_of("legality_review",
                                                                       "legal_adviser_opinion")],
        "fair_competition_review": _ref(d, fair[-1]) if fair else None,
        "adoption_records": records,
        "dispute_statements": [_ref(d, a) for a in d.artifacts_of("coordination", "dispute_statement")],
        "exemptions": [{"gate": e["gate"], "legal_basis": e["legal_basis"], "at": e["at"]}
                       for e in d.state["exemptions"]],
        "determinations": {k: v["value"] for k, v in sorted(d.state["flags"].items())},
    }
    if others:
        packet["other_materials"] = others
    return packet


class Meeting:
    """An executive or plenary meeting: state folded from its events."""

    def __init__(self, state: dict[str, Any] | None = None, chart: OrgChart | None = None) -> None:
        self.state: dict[str, Any] = state if state is not None else {}
        self.chart = chart if chart is not None else OrgChart.single_organ()  # whose meeting it is (AR1)

    def _pick(self, candidates: tuple[Actor, ...], roles: tuple[str, ...], act: str, rule: str,
              article: str) -> Actor:
        """The person's role for this act at *this* meeting: a role the act allows, held in the organ whose
        head presides it (AR1, Arts. 4, 30; a meeting convened before the organ was recorded: the role)."""
        return authority.pick_in_organ(candidates, roles, act, rule, article, self.state.get("organ"), self.chart,
                                       "该机关会议的事项")

    @property
    def id(self) -> str:
        """The meeting id."""
        return str(self.state["id"])

    @property
    def head(self) -> str:
        """The administrative head presiding (the only one who decides, SoD4)."""
        return str(self.state["head"])

    def to_dict(self) -> dict[str, Any]:
        """A deep copy of the projection."""
        return copy.deepcopy(self.state)

    def item(self, item_no: int) -> dict[str, Any]:
        """An agenda item by its number, or NotFound."""
        for it in self.state["items"]:
            if it["no"] == item_no:
                return it  # type: ignore[no-any-return]
        raise NotFound(f"meeting {self.id} has no agenda item {item_no}", rule="R14", article="Art. 29")

    def eligible(self, it: dict[str, Any]) -> list[str]:
        """Members present and not recused on an item, in roster order (the head included)."""
        present = (self.state["attendance"] or {}).get("present", [])
        recused = {r["person"] for r in it["recused"]}
        return [p for p in self.state["roster"] if p in present and p not in recused]

    # ------------------------------------------------------------------ commands
    @staticmethod
    def convene(candidates: tuple[Actor, ...], meeting_id: str, *, meeting_type: str, title: str,
                held_on: str, head: str, head_roles: tuple[str, ...], members: tuple[str, ...],
                quorum_fraction: float, profile: str, head_units: tuple[str, ...] = (),
                chart: OrgChart | None = None) -> tuple[Actor, list[NewEvent]]:
        """Convene an executive or plenary meeting; a circulated sign-off is not a meeting (R15)."""
        actor = pick_actor(candidates, CONVENERS, "convening a meeting", "R15", "Art. 30")
        chart = chart if chart is not None else OrgChart.single_organ()
        # AR1, Arts. 4, 30: the meeting is the organ of the head who presides; its own staff convene it
        organ = next((chart.organ_of(u) for u in head_units), None) if not chart.single else None
        if organ is not None:
            mine = [a for a in candidates if a.role in CONVENERS and chart.organ_of(a.unit) == organ]
            if not mine:
                raise NotPermitted(f"召集会议：{actor.name or actor.person}（{actor.unit}）不是{chart.organ_name(organ)}"
                                   "的人员，不能召集该机关的会议", rule="AR1", article="Arts. 4, 30")
            actor = mine[0]
        if meeting_type not in MEETING_TYPES:
            # R15, Art. 30: 常务会议或者全体会议 — circulation (传签/传阅) is no collective discussion.
            raise RuleViolation(f"重大行政决策草案应当经常务会议或者全体会议讨论：a major decision is discussed at an "
                                f"executive or plenary meeting, not by {meeting_type!r}", **ref("R15.venue"))
        if not title.strip():
            raise InvalidInput("a meeting needs a title", rule="R15", article="Art. 30")
        if "admin_head" not in head_roles:
            raise NotPermitted(f"{head} is not an administrative head: the head presides and decides",
                               rule="SoD4", article="Art. 30")
        roster = [p for p in dict.fromkeys(members) if p != head] + [head]
        if len(roster) < 2:
            raise InvalidInput("a collective discussion needs members besides the head", rule="R15",
                               article="Art. 30")
        if not 0 <= quorum_fraction < 1:
            raise InvalidInput("quorum_fraction must be in [0, 1)", rule="R15", article="Art. 30")
        return actor, [NewEvent("MeetingConvened", {
            "meeting_id": meeting_id, "meeting_type": meeting_type, "title": title.strip(),
            "held_on": iso_date(held_on, "held_on", "R15", "Art. 30").isoformat(), "head": head, "roster": roster,
            "quorum_fraction": quorum_fraction, "profile": profile, **({"organ": organ} if organ else {})})]

    def _require_open(self, act: str) -> None:
        if self.state["minutes"]:
            raise RuleViolation(f"{act}: the minutes are drawn up; the meeting record is closed",
                                rule="R18", article="Art. 33")

    def _head_speaks_last(self, it: dict[str, Any]) -> tuple[list[str], list[dict[str, Any]]]:
        """SoD4, Art. 30: the head decides an item only after every present member has spoken and has spoken
        last; the item's eligible members and opinions, for the decision that follows."""
        eligible = self.eligible(it)
        ops = it["opinions"]
        waiting = [p for p in eligible if p not in {o["person"] for o in ops}]
        if waiting or not ops or ops[-1]["person"] != self.head:
            raise RuleViolation("the head decides only after every present member has spoken and the head "
                                f"has spoken last; still to speak: {', '.join(waiting) or '—'}",
                                rule="SoD4", article="Art. 30")
        return eligible, ops

    def _require_roll(self, act: str) -> None:
        if self.state["attendance"] is None:
            raise RuleViolation(f"{act}: the roll has not been called (attendance and quorum)",
                                rule="R15", article="Art. 30")

    def _undecided(self, item_no: int) -> dict[str, Any]:
        it = self.item(item_no)
        if it["outcome"] is not None:
            raise RuleViolation(f"agenda item {item_no} is already decided ({it['outcome']['decision']})",
                                rule="R15", article="Art. 30")
        return it

    def place_item(self, candidates: tuple[Actor, ...], d: Decision,
                   packet_hash: Callable[[dict[str, Any]], str]) -> tuple[Actor, list[NewEvent]]:
        """Place a decision on the agenda: only one whose pre-decision gates all hold (R14, Art. 29)."""
        # AR1: the organ's own secretariat places its own decisions (the head's decision is then recorded
        # in the decision through `Decision.record_artifact`, by the head of the same organ)
        actor = d.pick(candidates, AGENDA_ROLES, "placing a decision on the agenda", "R14", "Art. 29")
        self._require_open("placing an item on the agenda")
        if d.status != "ready_for_decision":
            raise RuleViolation(f"decision {d.id} is {d.status}: only a decision whose pre-decision gates "
                                "are all satisfied can be placed on the agenda", rule="R14",
                                article="Art. 29", missing=tuple(d.agenda_blockers()))
        if d.gate_satisfied(d.spec.gate("collective_decision")):
            raise RuleViolation(f"decision {d.id} has already been adopted at a meeting", rule="R15",
                                article="Art. 30")
        if any(it["decision_id"] == d.id and it["outcome"] is None for it in self.state["items"]):
            raise RuleViolation(f"decision {d.id} is already on this agenda", rule="R14", article="Art. 29")
        packet = assemble_packet(d)
        return actor, [NewEvent("AgendaItemPlaced", {
            "item_no": len(self.state["items"]) + 1, "decision_id": d.id, "title": d.state["title"],
            "draft_version": d.state["draft_version"], "packet": packet,
            "packet_sha256": packet_hash(packet)})]

    def place_change_item(self, candidates: tuple[Actor, ...], d: Decision, change: str, reason: str
                          ) -> tuple[Actor, list[NewEvent]]:
        """Table a change of a decided decision — its termination or a major adjustment — for the organ's
        collective decision (R20, Arts. 30, 37: 依法作出的重大行政决策，未经法定程序不得随意变更或者停止执行):
        by the organ's own secretariat, at a meeting of the decision's own organ."""
        actor = d.pick(candidates, AGENDA_ROLES, "placing a change on the agenda", "R20", "Arts. 30, 37")
        self._require_open("placing a change on the agenda")
        cit = ref("R20.collective")
        if change not in CHANGES:
            raise InvalidInput(f"变更事项应为终止执行或者重大调整 (change must be one of {', '.join(CHANGES)})", **cit)
        meeting_organ = self.state.get("organ")
        organ = authority.decision_organ(d.state, d.chart)
        if meeting_organ is not None and organ is not None and meeting_organ != organ:
            raise RuleViolation(f"本次会议是{d.chart.organ_name(meeting_organ)}的会议，不是本决策机关"
                                f"（{d.chart.organ_name(organ)}）的会议 (the meeting is not of the decision's organ)",
                                **cit)
        if d.status not in CHANGEABLE:
            raise RuleViolation(f"只有已作出的决策才能提请终止执行或者重大调整；本事项当前状态：{d.status} (only a decided "
                                "decision is changed)", **cit)
        if not reason.strip():
            raise InvalidInput("提请终止执行或者重大调整应当说明理由 (reason)", **cit)
        if any(it["decision_id"] == d.id and it.get("change") == change and it["outcome"] is None
               for it in self.state["items"]):
            raise RuleViolation("该变更事项已列入本次会议议程 (the change is already on this agenda)", **cit)
        return actor, [NewEvent("ChangeItemPlaced", {
            "item_no": len(self.state["items"]) + 1, "decision_id": d.id, "title": d.state["title"],
            "change": change, "reason": reason.strip()})]

    def decide_change_item(self, candidates: tuple[Actor, ...], item_no: int, *, outcome: str,
                           head_reasons: str = "") -> tuple[Actor, list[NewEvent]]:
        """The head decides a tabled change after every present member has spoken and the head last (R20,
        SoD4, Arts. 30, 37): adopt, reject or defer; a head departing from the majority gives reasons."""
        actor = self._pick(candidates, ("admin_head",), "deciding an agenda item", "SoD4", "Art. 30")
        if actor.person != self.head:
            raise NotPermitted("only the administrative head presiding this meeting decides", rule="SoD4",
                               article="Art. 30")
        self._require_roll("deciding an item")
        it = self._undecided(item_no)
        cit = ref("R20.collective")
        if it.get("change") is None:
            raise RuleViolation(f"第 {item_no} 项议题不是变更事项 (not a tabled change)", **cit)
        _, ops = self._head_speaks_last(it)
        if outcome not in CHANGE_OUTCOMES:
            raise InvalidInput(f"变更事项的决定应为通过、不予通过或者暂缓 (outcome must be one of "
                               f"{', '.join(CHANGE_OUTCOMES)})", **cit)
        opinions = [{"person": o["person"], "position": o["position"], "text": o["text"]} for o in ops]
        departs = departs_from_majority(opinions[:-1], "adopt" if outcome == "adopt" else "reject")
        if departs and not head_reasons.strip():
            raise RuleViolation("行政首长的决定与多数意见不一致的，应当在会上说明理由 (head_reasons)",
                                **ref("R15.venue"))
        present = self.state["attendance"]["present"]
        tally = {**{k: sum(1 for o in ops if o["position"] == k) for k in POSITIONS},
                 "absent": len(self.state["roster"]) - len(present)}
        return actor, [NewEvent("ChangeItemDecided", {
            "item_no": item_no, "decision_id": it["decision_id"], "change": it["change"], "outcome": outcome,
            "head_reasons": head_reasons.strip(), "tally": tally, "departs": departs})]

    def record_attendance(self, candidates: tuple[Actor, ...], present: tuple[str, ...]
                          ) -> tuple[Actor, list[NewEvent]]:
        """Call the roll: the head present and a quorum of the roster (R15, Art. 30; profile setting)."""
        actor = self._pick(candidates, ("secretariat",), "calling the roll", "R15", "Art. 30")
        self._require_open("calling the roll")
        if self.state["attendance"] is not None:
            raise RuleViolation("the roll has been called; a correction goes into the minutes with a reason",
                                rule="R18", article="Art. 33")
        roster = self.state["roster"]
        strangers = [p for p in present if p not in roster]
        if strangers:
            raise InvalidInput(f"not members of this meeting: {', '.join(strangers)}", rule="R15",
                               article="Art. 30")
        here = [p for p in roster if p in present]
        if self.head not in here:
            raise RuleViolation("the administrative head presides and decides: the meeting cannot sit "
                                "without the head", rule="SoD4", article="Art. 30")
        quorum = float(self.state["quorum_fraction"])
        if len(here) <= quorum * len(roster):
            raise RuleViolation(f"{len(here)} of {len(roster)} members present: no quorum (more than "
                                f"{quorum:.0%} must attend)", rule="R15", article="Art. 30")
        return actor, [NewEvent("AttendanceRecorded", {
            "present": here, "absent": [p for p in roster if p not in here]})]

    def _recorder(self, candidates: tuple[Actor, ...], person: str, act: str) -> Actor:
        """The member acting for themselves, or the secretariat recording for them."""
        if candidates and candidates[0].person == person:
            return self._pick(candidates, (*SPEAKER_ROLES, "secretariat"), act, "R15", "Art. 30")
        return self._pick(candidates, ("secretariat",), f"{act} for another member", "R15", "Art. 30")

    def recuse(self, candidates: tuple[Actor, ...], item_no: int, person: str, reason: str
               ) -> tuple[Actor, list[NewEvent]]:
        """A member steps aside from one item, with the reason; they neither speak nor count on it."""
        actor = self._recorder(candidates, person, "a recusal")
        self._require_roll("a recusal")
        it = self._undecided(item_no)
        if person not in self.eligible(it):
            raise RuleViolation(f"{person} is not a present member able to recuse on item {item_no}",
                                rule="R15", article="Art. 30")
        if person == self.head:
            raise RuleViolation("the administrative head who decides cannot recuse from the item",
                                rule="SoD4", article="Art. 30")
        if any(o["person"] == person for o in it["opinions"]):
            raise RuleViolation(f"{person} has already spoken on item {item_no}", rule="R15",
                                article="Art. 30")
        if not reason.strip():
            raise InvalidInput("a recusal states its reason", rule="R15", article="Art. 30")
        return actor, [NewEvent("MemberRecused", {"item_no": item_no, "person": person, "reason": reason})]

    def record_opinion(self, candidates: tuple[Actor, ...], item_no: int, speaker: str, position: str,
                       text: str) -> tuple[Actor, list[NewEvent]]:
        """One member's opinion, in speaking order, verbatim; the head speaks last (R15, SoD4)."""
        actor = self._recorder(candidates, speaker, "recording an opinion")
        self._require_roll("recording an opinion")
        it = self._undecided(item_no)
        eligible = self.eligible(it)
        if speaker not in eligible:
            raise RuleViolation(f"{speaker} is not a present, non-recused member on item {item_no}",
                                rule="R15", article="Art. 30")
        spoken = [o["person"] for o in it["opinions"]]
        if self.head in spoken:
            raise RuleViolation("the administrative head has spoken last; no opinion follows the head's",
                                rule="SoD4", article="Art. 30")
        if speaker in spoken:
            raise RuleViolation(f"{speaker} has already given an opinion on item {item_no}", rule="R15",
                                article="Art. 30")
        waiting = [p for p in eligible if p != self.head and p not in spoken]
        if speaker == self.head and waiting:
            raise RuleViolation(f"the administrative head speaks last: {len(waiting)} present member(s) "
                                f"have not spoken ({', '.join(waiting)})", rule="SoD4", article="Art. 30")
        if position not in POSITIONS:
            raise InvalidInput(f"position must be one of {', '.join(POSITIONS)}", rule="R15",
                               article="Art. 30")
        if not isinstance(text, str) or not text.strip():
            raise InvalidInput("the opinion is recorded as given (dissent verbatim): its text is required",
                               rule="R15", article="Art. 30")
        return actor, [NewEvent("OpinionRecorded", {"item_no": item_no, "order": len(spoken) + 1,
                                                    "person": speaker, "position": position,
                                                    "text": text})]

    def decide_item(self, candidates: tuple[Actor, ...], item_no: int, *, outcome: str,
                    current_draft_version: int, artifact_id: str, head_reasons: str = "",
                    amendments: str = "", reopen_gates: tuple[str, ...] = (), reason: str = "",
                    tally: dict[str, Any] | None = None, risk_judgment: str = "", option_chosen: str = ""
                    ) -> tuple[Actor, list[NewEvent], dict[str, Any]]:
        """The head's decision on an item, and the `meeting_record` fields the decision will check."""
        actor = self._pick(candidates, ("admin_head",), "deciding an agenda item", "SoD4", "Art. 30")
        if actor.person != self.head:
            raise NotPermitted("only the administrative head presiding this meeting decides", rule="SoD4",
                               article="Art. 30")
        self._require_roll("deciding an item")
        it = self._undecided(item_no)
        if it.get("change"):
            raise RuleViolation(f"第 {item_no} 项议题是变更事项，应作出变更决定 (a tabled change is decided as a change)",
                                **ref("R20.collective"))
        eligible, ops = self._head_speaks_last(it)
        if outcome not in HEAD_DECISIONS:
            raise InvalidInput(f"outcome must be one of {', '.join(HEAD_DECISIONS)}", rule="R15",
                               article="Art. 30")
        if it["draft_version"] != current_draft_version:
            raise RuleViolation(f"the packet holds draft v{it['draft_version']}, the decision's draft is now "
                                f"v{current_draft_version}: the version decided must be the version "
                                "reviewed and discussed; place it on an agenda again", rule="R13",
                                article="Art. 25")
        if outcome == "send_back" and (not reopen_gates or not reason.strip()):
            raise InvalidInput("sending back states which gates reopen and why", rule="R15",
                               article="Art. 30")
        present = self.state["attendance"]["present"]
        opinions = [{"person": o["person"], "position": o["position"], "text": o["text"]} for o in ops]
        stated = tally if tally is not None else {
            **{k: sum(1 for o in ops if o["position"] == k) for k in POSITIONS},
            "absent": len(self.state["roster"]) - len(present)}
        members_total = len(self.state["roster"]) - len(it["recused"])
        check_tally(stated, eligible, opinions, members_total)
        departs = departs_from_majority(opinions[:-1], outcome)
        fields = {
            "meeting_type": self.state["meeting_type"], "meeting_id": self.id, "item_no": item_no,
            "held_on": self.state["held_on"], "attendance": eligible, "members_total": members_total,
            "absent": self.state["attendance"]["absent"], "recused": it["recused"], "opinions": opinions,
            "head_decision": outcome, "head_reasons": head_reasons, "departs_from_majority": departs,
            "amendments": amendments, "reopen_gates": list(reopen_gates), "send_back_reason": reason,
            "tally": stated, "packet_sha256": it["packet_sha256"], "draft_version": it["draft_version"],
            "risk_judgment": risk_judgment,  # R10, Art. 24: the organ's own judgment of the risk
            "option_chosen": option_chosen}  # R15, Arts. 12 ¶4, 30: the option the meeting chose
        return actor, [NewEvent("AgendaItemDecided", {
            "item_no": item_no, "decision_id": it["decision_id"], "outcome": outcome,
            "head_reasons": head_reasons, "amendments": amendments, "reopen_gates": list(reopen_gates),
            "reason": reason, "tally": stated, "departs": departs, "artifact_id": artifact_id})], fields

    def _minutes_taker(self, candidates: tuple[Actor, ...], act: str) -> Actor:
        actor = self._pick(candidates, ("secretariat",), act, "SoD8", "Art. 30")
        if actor.person == self.head:
            # SoD8 (inference): the minutes-taker is not the head.
            raise NotPermitted("the administrative head cannot act as the meeting's secretary",
                               rule="SoD8", article="Art. 30 (inference)")
        return actor

    def generate_minutes(self, candidates: tuple[Actor, ...], sha256: str, size: int, media_type: str,
                         filename: str) -> tuple[Actor, list[NewEvent]]:
        """Version 1 of the minutes, generated from the record once every item is decided (R15)."""
        actor = self._minutes_taker(candidates, "drawing up the minutes")
        if self.state["minutes"]:
            raise RuleViolation("the minutes exist; a correction is a new version with a reason",
                                rule="R18", article="Art. 33")
        self._require_roll("drawing up the minutes")
        if not self.state["items"] or any(it["outcome"] is None for it in self.state["items"]):
            raise RuleViolation("the minutes are drawn up once the head has decided every agenda item",
                                rule="R15", article="Art. 30")
        return actor, [NewEvent("MinutesGenerated", {"version": 1, "sha256": sha256, "size": size,
                                                     "media_type": media_type, "filename": filename})]

    def correct_minutes(self, candidates: tuple[Actor, ...], sha256: str, size: int, media_type: str,
                        filename: str, reason: str, corrections: tuple[str, ...]
                        ) -> tuple[Actor, list[NewEvent]]:
        """A correction: a new version with its reason; nothing earlier is changed (R18, Art. 33)."""
        actor = self._minutes_taker(candidates, "correcting the minutes")
        if not self.state["minutes"]:
            raise RuleViolation("there are no minutes to correct", rule="R18", article="Art. 33")
        if not reason.strip() or not corrections or not all(str(c).strip() for c in corrections):
            raise InvalidInput("a correction of the minutes states its reason and what is corrected",
                               rule="R18", article="Art. 33")
        return actor, [NewEvent("MinutesCorrected", {
            "version": len(self.state["minutes"]) + 1, "sha256": sha256, "size": size,
            "media_type": media_type, "filename": filename, "reason": reason,
            "corrections": list(corrections)})]

    def confirm_minutes(self, candidates: tuple[Actor, ...], version: int, sha256: str, capacity: str
                        ) -> tuple[Actor, list[NewEvent]]:
        """Confirm the latest minutes version, as the secretariat (never the head, SoD8) or as the head."""
        if capacity not in CAPACITIES:
            raise InvalidInput(f"capacity must be one of {', '.join(CAPACITIES)}", rule="R15",
                               article="Art. 30")
        if capacity == "secretariat":
            actor = self._minutes_taker(candidates, "confirming the minutes for the secretariat")
        else:
            actor = self._pick(candidates, ("admin_head",), "confirming the minutes as head", "SoD4",
                               "Art. 30")
            if actor.person != self.head:
                raise NotPermitted("the head who presided the meeting confirms its minutes", rule="SoD4",
                                   article="Art. 30")
        if not self.state["minutes"]:
            raise RuleViolation("there are no minutes to confirm", rule="R15", article="Art. 30")
        latest = self.state["minutes"][-1]
        if version != latest["version"] or sha256 != latest["sha256"]:
            raise RuleViolation(f"only the latest minutes (v{latest['version']}, {latest['sha256'][:12]}…) "
                                "can be confirmed", rule="R18", article="Art. 33")
        if capacity in latest["confirmations"]:
            raise RuleViolation(f"minutes v{version} are already confirmed by the {capacity}", rule="R15",
                                article="Art. 30")
        return actor, [NewEvent("MinutesConfirmed", {"version": version, "sha256": sha256,
                                                     "capacity": capacity})]

    # ------------------------------------------------------------------ fold
    def apply(self, event: dict[str, Any]) -> None:
        """Fold one stored event into the state."""
        etype, p = event["type"], event["payload"]
        if etype == "MeetingConvened":
            self.state = {
                "id": p["meeting_id"], "title": p["title"], "meeting_type": p["meeting_type"],
                "held_on": p["held_on"], "head": p["head"], "roster": list(p["roster"]),
                "quorum_fraction": p["quorum_fraction"], "profile": p["profile"],
                "convened_at": event["at"], "convened_by": event["actor"], "status": "convened",
                "attendance": None, "items": [], "minutes": [], "refused_attempts": 0,
                **({"organ": p["organ"]} if p.get("organ") else {})}
        else:
            _APPLY[etype](self, p, event)
        self.state["seq"] = event["seq"]
        self.state["updated_at"] = event["at"]
        self.state["status"] = self._status()

    def _status(self) -> str:
        s = self.state
        if s["minutes"]:
            return "minutes_confirmed" if set(CAPACITIES) <= set(s["minutes"][-1]["confirmations"]) \
                else "minutes_drafted"
        if s["attendance"] is None:
            return "convened"
        done = s["items"] and all(it["outcome"] is not None for it in s["items"])
        return "concluded" if done else "in_session"


def _ap_placed(m: Meeting, p: dict[str, Any], ev: dict[str, Any]) -> None:
    m.state["items"].append({
        "no": p["item_no"], "decision_id": p["decision_id"], "title": p["title"],
        "draft_version": p["draft_version"], "packet": p["packet"], "packet_sha256": p["packet_sha256"],
        "placed_at": ev["at"], "recused": [], "opinions": [], "outcome": None})


def _ap_change_placed(m: Meeting, p: dict[str, Any], ev: dict[str, Any]) -> None:
    """R20: a tabled change (termination or major adjustment) of a decided decision; no packet, no draft."""
    m.state["items"].append({
        "no": p["item_no"], "decision_id": p["decision_id"], "title": p["title"], "change": p["change"],
        "reason": p["reason"], "draft_version": None, "packet": None, "packet_sha256": "",
        "placed_at": ev["at"], "recused": [], "opinions": [], "outcome": None})


def _ap_change_decided(m: Meeting, p: dict[str, Any], ev: dict[str, Any]) -> None:
    m.item(p["item_no"])["outcome"] = {
        "decision": p["outcome"], "head_reasons": p["head_reasons"], "amendments": "", "reopen_gates": [],
        "reason": "", "tally": p["tally"], "departs": p["departs"], "artifact_id": "", "at": ev["at"]}


def _ap_attendance(m: Meeting, p: dict[str, Any], ev: dict[str, Any]) -> None:
    m.state["attendance"] = {"present": list(p["present"]), "absent": list(p["absent"]), "at": ev["at"]}


def _ap_recused(m: Meeting, p: dict[str, Any], ev: dict[str, Any]) -> None:
    m.item(p["item_no"])["recused"].append({"person": p["person"], "reason": p["reason"]})


def _ap_opinion(m: Meeting, p: dict[str, Any], ev: dict[str, Any]) -> None:
    m.item(p["item_no"])["opinions"].append({
        "order": p["order"], "person": p["person"], "position": p["position"], "text": p["text"],
        "recorded_by": ev["actor"]["person"], "at": ev["at"]})


def _ap_decided(m: Meeting, p: dict[str, Any], ev: dict[str, Any]) -> None:
    m.item(p["item_no"])["outcome"] = {
        "decision": p["outcome"], "head_reasons": p["head_reasons"], "amendments": p["amendments"],
        "reopen_gates": list(p["reopen_gates"]), "reason": p["reason"], "tally": p["tally"],
        "departs": p["departs"], "artifact_id": p["artifact_id"], "at": ev["at"]}


def _ap_minutes(m: Meeting, p: dict[str, Any], ev: dict[str, Any]) -> None:
    m.state["minutes"].append({
        "version": p["version"], "sha256": p["sha256"], "size": p["size"], "media_type": p["media_type"],
        "filename": p["filename"], "reason": p.get("reason", ""), "corrections": p.get("corrections", []),
        "at": ev["at"], "by": ev["actor"]["person"], "confirmations": {}})


def _ap_confirmed(m: Meeting, p: dict[str, Any], ev: dict[str, Any]) -> None:
    version = next(v for v in m.state["minutes"] if v["version"] == p["version"])
    version["confirmations"][p["capacity"]] = {"by": ev["actor"]["person"], "at": ev["at"]}


def _ap_refused(m: Meeting, p: dict[str, Any], ev: dict[str, Any]) -> None:
    m.state["refused_attempts"] += 1


_APPLY: dict[str, Any] = {
    "AgendaItemPlaced": _ap_placed, "AttendanceRecorded": _ap_attendance, "MemberRecused": _ap_recused,
    "OpinionRecorded": _ap_opinion, "AgendaItemDecided": _ap_decided, "MinutesGenerated": _ap_minutes,
    "MinutesCorrected": _ap_minutes, "MinutesConfirmed": _ap_confirmed, "AttemptRefused": _ap_refused,
    "ChangeItemPlaced": _ap_change_placed, "ChangeItemDecided": _ap_change_decided,  # R20 (issue 16)
}
