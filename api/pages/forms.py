"""How each artifact kind's fields are entered on a page, and how the submitted form becomes the fields
the service receives. Translation only: which fields are required, and every rule, stay in the procedure
and the domain (a missing or malformed field is refused there, with its rule and article)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.datastructures import FormData

from api.pages.i18n import N_
from decision_engine.domain.decision import (
    ART35_GROUNDS,
    EVALUATION_TRIGGERS,
    HEAD_DECISIONS,
    LEGALITY_CONCLUSIONS,
    MEETING_TYPES,
)
from decision_engine.domain.errors import InvalidInput
from decision_engine.domain.execution import EVALUATION_OUTCOMES
from decision_engine.domain.rules.initiation import PROPOSAL_SOURCES


@dataclass(frozen=True, slots=True)
class Field:
    """One input: text, textarea, date, lines (one item per line), bool, choice, int, number, table (rows of
    inputs), person (one person chosen by name), people (persons ticked by name) or artifact (one of the
    decision's records chosen by its name and date); for person and people, `options` names the roles whose
    holders are offered, for artifact the kinds of record."""

    name: str
    type: str
    label: str
    options: tuple[str, ...] = ()
    columns: tuple[str, ...] = ()
    required: bool = True


def F(name: str, type_: str, label: str, *, options: tuple[str, ...] = (), columns: tuple[str, ...] = (),
      optional: bool = False) -> Field:
    """A field (short constructor for the table below)."""
    return Field(name, type_, label, options, columns, not optional)


OPINION_ROW = ("opinion", "disposition", "reason")
# A table is entered as rows of fields, one input per column; these columns are chosen from a list (shown in
# words, stored as the record's codes), the others are typed.
COLUMN_OPTIONS: dict[str, tuple[str, ...]] = {"disposition": ("adopted", "partly", "not_adopted"),
                                              "position": ("support", "oppose", "abstain")}
COLUMN_LABELS: dict[str, str] = {"opinion": N_("Opinion"), "disposition": N_("Handling"), "reason": N_("Reason"),
                                 "person": N_("Member"), "position": N_("Position"), "text": N_("What was said"),
                                 "id": N_("No."), "summary": N_("Content"), "name": N_("Indicator"),
                                 "unit": N_("Unit of measure"), "baseline": N_("Baseline"), "target": N_("Target")}
NUMBER_COLUMNS = frozenset({"baseline", "target"})  # entered as text, recorded as numbers (R19, Art. 34)
TABLE_ROWS = 6  # empty rows offered on a form (a refused form shows the rows typed, plus two)
FIELDS: dict[str, tuple[Field, ...]] = {
    "start_decision": (F("lead_unit", "text", N_("lead unit")), F("units", "lines", N_("undertaking units")),
                       F("affected_units", "lines", N_("affected units to consult"), optional=True),
                       F("decision", "textarea", N_("text of the start decision"), optional=True)),
    "proposal": (F("source", "choice", N_("proposed by"), options=tuple(PROPOSAL_SOURCES)),
                 *(F(n, "textarea", label) for n, label in (
                     ("problem", N_("problem")), ("reasons", N_("reasons")), ("basis", N_("legal basis")),
                     ("plan", N_("preliminary plan")), ("necessity", N_("necessity")),
                     ("feasibility", N_("feasibility"))))),
    "proposal_study": (F("proposal_id", "text", N_("proposal")), F("unit", "text", N_("unit that studied it")),
                       F("study", "textarea", N_("study and argument"))),
    "catalog_entry": (F("catalog", "text", N_("catalogue")), F("party_consent_at", "date", N_("Party committee consent on")),
                      F("published_at", "date", N_("published on"))),
    "consultation": (F("unit", "text", N_("unit consulted")), F("opinion", "textarea", N_("opinion")),
                     F("dispute", "bool", N_("dispute remains open"), optional=True)),
    "dispute_statement": tuple(F(n, "textarea", label) for n, label in (
        ("issue", N_("issue")), ("views", N_("each unit's view")), ("lead_view", N_("lead unit's view")),
        ("reasons", N_("reasons")), ("basis", N_("basis")))),
    "comment_notice": (F("explanation", "textarea", N_("explanation of the draft")),
                       F("channels", "lines", N_("channels")), F("method", "text", N_("how to comment")),
                       F("published_at", "date", N_("published on")), F("deadline", "date", N_("comments until")),
                       F("shortening_reason", "textarea", N_("reason for a period shorter than 30 days"),
                         optional=True),
                       F("expert_interview", "textarea", N_("explanation by expert interviews (optional, Art. 15)"),
                         optional=True)),
    "participation_record": (F("method", "text", N_("method")), F("summary", "textarea", N_("summary"))),
    "group_consultation": (F("groups", "lines", N_("groups consulted")), F("summary", "textarea", N_("summary"))),
    "opinion_summary": (F("opinions", "table", N_("opinions and how each was handled"),
                          columns=OPINION_ROW),),
    "nondisclosure_basis": (F("legal_ref", "text", N_("legal reference")), F("reason", "textarea", N_("reason"))),
    "hearing_notice": (F("published_at", "date", N_("published on")), F("hearing_at", "date", N_("hearing on")),
                       F("place", "text", N_("place")),
                       F("selection_method", "text", N_("how participants are selected"), optional=True)),
    "hearing_participant_list": (F("participants", "people", N_("participants"), options=("hearing_participant",)),
                                 F("selected_at", "date", N_("selected on")),
                                 F("published_at", "date", N_("published on"))),
    "hearing_materials_delivery": (F("participant", "person", N_("participant"), options=("hearing_participant",)),
                                   F("delivered_at", "date", N_("materials delivered on"))),
    "hearing_record": (F("participants", "lines", N_("participants")), F("signed_by", "lines", N_("signed by")),
                       F("summary", "textarea", N_("summary"))),
    "selection_note": (F("method", "textarea", N_("selection method")), F("experts", "lines", N_("experts"))),
    "conflict_declaration": (F("direct_interest", "bool", N_("direct interest in the matter")),
                             F("statement", "textarea", N_("statement"))),
    "expert_opinion": (F("opinion", "textarea", N_("opinion")), F("signature", "text", N_("signature or seal"))),
    "expert_adoption": (F("adoptions", "table", N_("how each expert opinion was adopted"),
                          columns=OPINION_ROW),),
    "prior_assessment_link": (F("reference", "text", N_("reference")),
                              F("assessed_under", "text", N_("assessed under"))),
    "risk_report": (F("risk_points", "lines", N_("risk points")),
                    F("level", "choice", N_("risk level"), options=("low", "medium", "high")),
                    F("measures", "lines", N_("prevention measures")),
                    F("contingency_plan", "textarea", N_("contingency plan")),
                    F("conclusion", "choice", N_("conclusion"), options=("controllable", "not_controllable")),
                    F("third_party", "text", N_("third party commissioned (Art. 23)"), optional=True),
                    F("commissioned_by", "text", N_("unit that commissioned it"), optional=True)),
    "dept_opinions": (F("departments", "lines", N_("departments heard")), F("summary", "textarea", N_("summary"))),
    "legality_submission": (F("legal_basis", "textarea", N_("legal basis")),
                            F("procedure_explanation", "textarea", N_("procedures performed")),
                            F("requested_deadline", "date", N_("opinion requested by")),
                            F("short_review_reason", "textarea", N_("reason for less than 7 working days"),
                              optional=True)),
    "legal_adviser_opinion": (F("opinion", "textarea", N_("opinion")),),
    "legality_opinion": (F("authority", "textarea", N_("authority")), F("procedure", "textarea", N_("procedure")),
                         F("content", "textarea", N_("content")),
                         F("conclusion", "choice", N_("conclusion"), options=LEGALITY_CONCLUSIONS),
                         F("risk_statement", "textarea", N_("statement of the legal risk"), optional=True)),
    "amendment_record": (F("changes", "textarea", N_("changes made")),),
    "nonadoption_explanation": (F("explanation", "textarea", N_("written explanation")),),
    "fair_competition_review": (F("conclusion", "textarea", N_("conclusion")),),
    "other_material": (F("title", "text", N_("material")), F("reason", "textarea", N_("why it goes to the organ"))),
    "meeting_record": (F("meeting_type", "choice", N_("meeting type"), options=MEETING_TYPES),
                       F("attendance", "people", N_("members present"), options=("meeting_member", "admin_head")),
                       F("members_total", "int", N_("members in total")),
                       F("opinions", "table", N_("opinions in speaking order"), columns=("person", "position", "text")),
                       F("head_decision", "choice", N_("head's decision"), options=HEAD_DECISIONS),
                       F("head_reasons", "textarea", N_("reasons for departing from the majority"), optional=True),
                       F("amendments", "textarea", N_("amendments"), optional=True),
                       F("reopen_gates", "lines", N_("gates to reopen"), optional=True)),
    "party_report": (F("reported_to", "text", N_("reported to")), F("reported_at", "date", N_("reported on"))),
    "npc_record": (F("procedure", "text", N_("procedure")), F("outcome", "textarea", N_("outcome"))),
    "publication_record": (F("channels", "lines", N_("channels: gazette, website, newspaper")),
                           F("published_at", "date", N_("published on"))),
    "publication_nondisclosure_basis": (F("legal_ref", "text", N_("legal reference")),
                                        F("reason", "textarea", N_("reason"))),
    "adoption_explanation": (F("text", "textarea", N_("text")),),
    "interpretation": (F("text", "textarea", N_("text")),
                       F("means", "lines", N_("How the interpretation is made public (press conference, interview…)"))),
    "execution_unit_designation": (F("units", "lines", N_("execution units")),),
    "execution_report": (F("report_kind", "choice", N_("report"), options=("progress", "problem")),
                         F("summary", "textarea", N_("summary")),
                         F("ground", "choice", N_("Art. 35 ground (problem reports)"), options=ART35_GROUNDS,
                           optional=True)),
    "draft_options": (F("options", "table", N_("options, each numbered and summarised"), columns=("id", "summary")),),
    "risk_continuity": (F("report_id", "artifact", N_("risk report assessed"), options=("risk_report",)),
                        F("reason", "textarea", N_("why the change does not touch the risk"))),
    "party_reply": (F("reply", "textarea", N_("reply")), F("replied_at", "date", N_("replied on"))),
    "execution_targets": (F("kpis", "table", N_("indicators"), columns=("id", "name", "unit", "baseline", "target")),
                          F("evaluation_on", "date", N_("evaluation planned on"), optional=True)),
    "kpi_revision": (F("kpi_id", "text", N_("indicator number")), F("reason", "textarea", N_("reason")),
                     F("name", "text", N_("Indicator"), optional=True),
                     F("baseline", "number", N_("Baseline"), optional=True),
                     F("target", "number", N_("Target"), optional=True)),
    "evaluation_commission": (F("evaluator_unit", "text", N_("evaluating unit")),
                              F("trigger", "choice", N_("trigger"), options=EVALUATION_TRIGGERS),
                              F("reasons", "textarea", N_("Reasons"))),
    "evaluation_decision": (F("evaluation_id", "artifact", N_("Evaluation report"), options=("evaluation_report",)),
                            F("outcome", "choice", N_("Outcome"), options=EVALUATION_OUTCOMES),
                            F("reasons", "textarea", N_("Reasons"))),
    "hearing_selection_method": (F("method", "textarea", N_("selection method")),
                                 F("published_at", "date", N_("published on"))),
    "legality_supplement": (F("explanation", "textarea", N_("explanation")),),
    "cosign_legal_office": (F("signed_at", "date", N_("signed on")),),
    "cosign_general_office": (F("signed_at", "date", N_("signed on")),),
    "filing_record": (F("filed_with", "text", N_("filed with")), F("filed_at", "date", N_("filed on"))),
    "validity_period": (F("valid_until", "date", N_("valid until")),),
    "cleanup_review": (F("outcome", "text", N_("Outcome")), F("reasons", "textarea", N_("Reasons"))),
    "evaluation_report": (F("trigger", "choice", N_("trigger"), options=EVALUATION_TRIGGERS),
                          F("public_input", "textarea", N_("public input")),
                          F("deputy_participation", "textarea", N_("participation of deputies and members")),
                          F("findings", "textarea", N_("findings")),
                          F("recommendation", "textarea", N_("recommendation"))),
}


def fields_for(kind: str, spec_fields: list[str]) -> tuple[Field, ...]:
    """The inputs of an artifact kind: the table's, plus any field the procedure requires that it lacks."""
    known = FIELDS.get(kind, ())
    names = {f.name for f in known}
    return known + tuple(Field(n, "textarea", n) for n in spec_fields if n not in names)


def parse(kind: str, spec_fields: list[str], form: FormData, *, rule: str, article: str) -> dict[str, Any]:
    """The submitted form as the artifact's fields (blank optional inputs left out)."""
    out: dict[str, Any] = {}
    for f in fields_for(kind, spec_fields):
        if f.type == "table":
            rows = table_rows(f, form)
            if rows or f.required:
                out[f.name] = rows
            continue
        if f.type == "people":  # one value per ticked box
            ticked = [str(v).strip() for v in form.getlist(f"f_{f.name}") if str(v).strip()]
            if ticked or f.required:
                out[f.name] = ticked
            continue
        raw = str(form.get(f"f_{f.name}") or "").strip()
        if not raw and not f.required:
            continue
        out[f.name] = _value(f, raw, rule, article)
    return out


def table_rows(f: Field, form: FormData) -> list[dict[str, str]]:
    """A table field's rows from their inputs (`f_<name>-<row>-<column>`), blank rows left out, in order."""
    rows: list[dict[str, str]] = []
    for i in range(200):
        row = {c: str(form.get(f"f_{f.name}-{i}-{c}") or "").strip() for c in f.columns}
        if not any(f"f_{f.name}-{i}-{c}" in form for c in f.columns):
            break
        if any(row.values()):
            rows.append({c: _number(v) if c in NUMBER_COLUMNS else v for c, v in row.items()})
    return rows


def _number(raw: str) -> Any:
    """A typed number as a number (the domain refuses what is not one, with its rule)."""
    try:
        return int(raw)
    except ValueError:
        try:
            return float(raw)
        except ValueError:
            return raw


def _value(f: Field, raw: str, rule: str, article: str) -> Any:
    if f.type == "lines":
        return [line.strip() for line in raw.splitlines() if line.strip()]
    if f.type == "bool":
        return raw.lower() in ("true", "1", "yes", "on")
    if f.type == "number":
        return _number(raw)
    if f.type == "int":
        try:
            return int(raw) if raw else None
        except ValueError:
            raise InvalidInput(f"{f.name} must be a whole number", rule=rule, article=article) from None
    return raw


def field_label(kind: str, name: str) -> str:
    """The label (untranslated message id) of an artifact field, or its name if the form does not know it."""
    return next((f.label for f in FIELDS.get(kind, ()) if f.name == name), name)


def rows_to_offer(f: Field, typed: dict[str, str]) -> int:
    """How many rows a table field's form shows: the rows typed before a refusal plus two, at least TABLE_ROWS."""
    filled = {k.split("-")[1] for k in typed if k.startswith(f"f_{f.name}-") and k.count("-") >= 2}
    return max(TABLE_ROWS, len(filled) + 2)
