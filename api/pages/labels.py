"""Words the pages show for the record's identifiers (roles, statuses, values, events, rules), as messages.

These are vocabulary, not rules: what a rule says comes from the domain's refusal (rule, article, message).
"""

from __future__ import annotations

from api.pages.i18n import N_

ROLES = {
    "undertaking_unit": N_("undertaking unit"), "legality_reviewer": N_("legality reviewer"),
    "legal_adviser": N_("legal adviser"), "expert": N_("expert"), "risk_assessor": N_("risk assessor"),
    "hearing_organizer": N_("hearing organizer"), "hearing_participant": N_("hearing participant"),
    "meeting_member": N_("meeting member"), "admin_head": N_("administrative head"),
    "decision_organ": N_("decision organ"), "secretariat": N_("secretariat"),
    "execution_unit": N_("execution unit"), "post_evaluator": N_("post-decision evaluator"),
    "party_committee": N_("Party committee"), "auditor": N_("auditor"), "system_admin": N_("system administrator"),
    "security_admin": N_("security administrator"), "audit_admin": N_("audit administrator"),
    "system": N_("system"), "none": N_("no role"),
}
STATUSES = {
    "draft": N_("drafting"), "in_procedure": N_("in procedure"), "ready_for_decision": N_("ready for decision"),
    "decided": N_("decided"), "published": N_("published"), "in_execution": N_("in execution"),
    "evaluated": N_("evaluated"), "suspended": N_("suspended"), "withdrawn": N_("withdrawn"),
    "closed": N_("closed"),
}
GATE_STATUSES = {
    "not_applicable": N_("not applicable"), "open": N_("open"), "submitted": N_("submitted"),
    "returned": N_("returned"), "cleared": N_("cleared"), "exempted": N_("exempted"),
}
MEETING_STATUSES = {"convened": N_("convened"), "in_session": N_("in session"), "concluded": N_("concluded"),
                    "minutes_drafted": N_("minutes drafted"), "minutes_confirmed": N_("minutes confirmed")}
COMMENT_STATUSES = {"received": N_("received"), "clustered": N_("grouped with the same opinions"),
                    "disposed": N_("handled"), "hidden": N_("not shown"), "late": N_("received after the deadline")}
STAGE_STATES = {"done": N_("done"), "current": N_("current stage"), "waiting": N_("not yet"),
                "not_applicable": N_("not applicable")}
CATEGORIES = {
    "policy": N_("major public policy or measure"), "plan": N_("important plan"),
    "resource_policy": N_("natural or cultural resource policy"), "public_project": N_("major public project"),
    "other_major": N_("other major matter"), "macro_control": N_("macro-control (excluded)"),
    "gov_legislation": N_("government legislation (excluded)"),
    "emergency_response": N_("emergency response (excluded)"), "normative": N_("normative document"),
}
PROPOSAL_SOURCES = {  # R3, Art. 10
    "leader": N_("a leader of the decision organ"), "department": N_("a department of the organ"),
    "lower_government": N_("the lower-level government"), "deputy": N_("a people's congress deputy"),
    "cppcc_member": N_("a CPPCC member"), "citizen": N_("a citizen, legal person or other organisation"),
}
ORGAN_LEVELS = {  # R1, Arts. 2, 42
    "province": N_("provincial government"), "city": N_("city government"), "county": N_("county government"),
    "department": N_("department of a government (by reference)"),
    "township": N_("township government (by reference)"),
}
VALUES = {
    "adopted": N_("adopted"), "partly": N_("partly adopted"), "not_adopted": N_("not adopted"),
    "lawful": N_("lawful"), "lawful_if_amended": N_("lawful if amended"), "unlawful": N_("unlawful"),
    "exploratory_risk_stated": N_("exploratory reform, legal risk stated"),
    "controllable": N_("controllable"), "not_controllable": N_("not controllable"),
    "low": N_("low"), "medium": N_("medium"), "high": N_("high"),
    "press_conference": N_("press conference"), "interview": N_("interview"),
    "executive": N_("executive meeting"), "plenary": N_("plenary meeting"),
    "support": N_("support"), "oppose": N_("oppose"), "abstain": N_("abstain"),
    "adopt": N_("adopt"), "adopt_with_amendments": N_("adopt with amendments"), "defer": N_("defer"),
    "send_back": N_("send back for revision"), "reject": N_("reject"),
    "progress": N_("progress report"), "problem": N_("problem report"),
    "problems_found": N_("problems found"), "major_change_of_circumstances": N_("major change of circumstances"),
    "force_majeure": N_("force majeure"), "effect_not_met": N_("expected effect clearly not met"),
    "many_public_opinions": N_("many public opinions"), "organ_decision": N_("the organ considers it necessary"),
    "scheduled": N_("scheduled"), "true": N_("yes"), "false": N_("no"),
    "on_time": N_("on time"), "late": N_("late"), "pending": N_("pending"),
    "continue": N_("continue execution"), "adjust": N_("adjust"), "stop": N_("stop execution"),
    "open": N_("open"), "closed": N_("closed"), "no_liability": N_("no liability"),
    "corrected": N_("ordered to correct"), "sanctioned": N_("sanctioned according to law"),
    "disqualified": N_("disqualified"), "referred": N_("referred to the competent organ"),
    **PROPOSAL_SOURCES,  # R3, Art. 10: who proposed the matter
}
EVENTS = {
    "DecisionOpened": N_("decision opened"), "DeterminationRecorded": N_("determination recorded"),
    "ArtifactRecorded": N_("artifact recorded"), "DraftVersionAdded": N_("draft version added"),
    "GateCleared": N_("gate cleared"), "GateReturned": N_("gate returned"), "GateReopened": N_("gate reopened"),
    "GateExempted": N_("gate exempted"), "DecisionFinalized": N_("decision finalized"),
    "DecisionSuspended": N_("decision suspended"), "DecisionResumed": N_("decision resumed"),
    "DecisionWithdrawn": N_("decision withdrawn"), "DecisionClosed": N_("case closed"),
    "AttemptRefused": N_("attempt refused"), "ProcedureMigrated": N_("procedure migrated"),
    "DocumentRendered": N_("document rendered"), "PersonRegistered": N_("person registered"),
    "RoleGranted": N_("role granted"), "RoleEnded": N_("role ended"), "TokenIssued": N_("token issued"),
    "TokenRevoked": N_("token revoked"), "RecordPresented": N_("hearing record presented"),
    "RecordConfirmed": N_("hearing record confirmed"), "SupplementRequested": N_("supplement requested"),
    "DecisionTerminated": N_("execution terminated"), "AdjustmentOpened": N_("major adjustment opened"),
    "AdjustsDecision": N_("adjustment of an earlier decision"),
    "AccountLocked": N_("account locked"), "AccountUnlocked": N_("account unlocked"),
    "AgendaItemDecided": N_("agenda item decided"), "AgendaItemPlaced": N_("placed on the agenda"),
    "AttendanceRecorded": N_("attendance recorded"), "CaseClosed": N_("accountability case closed"),
    "CaseOpened": N_("accountability case opened"), "CommentHidden": N_("comment not shown"),
    "CommentReceived": N_("comment received"), "CommentWindowClosed": N_("comment period closed"),
    "ExpertAddedToPool": N_("expert added to the pool"), "ExpertLeftPool": N_("expert left the pool"),
    "MeetingConvened": N_("meeting convened"), "MinutesConfirmed": N_("minutes confirmed"),
    "MinutesCorrected": N_("minutes corrected"), "MinutesGenerated": N_("minutes drawn up"),
    "NotificationDelivered": N_("notification delivered"), "NotificationDeliveryFailed": N_("notification not delivered"),
    "NotificationKeptInInbox": N_("notification kept in the inbox"), "NotificationRead": N_("notification read"),
    "NotificationRecorded": N_("notification recorded"), "OpinionRecorded": N_("opinion recorded"),
    "OpinionsClustered": N_("comments grouped into distinct opinions"), "OpinionsDisposed": N_("opinions handled"),
    "OrganRegistered": N_("organ registered"),
}
RECORD_FIELDS = {  # what an auditor's comparison of two moments names (services/timetravel._SCALARS)
    "status": N_("status"), "stage": N_("stage"), "draft_version": N_("draft version"),
    "decided_on": N_("decided on"), "decided_version": N_("draft version decided"),
    "published_on": N_("published on"), "suspension": N_("suspension"), "closed": N_("closed for the archive"),
    "unit": N_("lead undertaking unit"), "units": N_("undertaking units"), "due_by": N_("decision due by"),
    "execution_units": N_("execution units"), "refused_attempts": N_("refused attempts"),
}
DEADLINES = {
    "comment_period_min": N_("comment period (minimum)"), "legality_review_min": N_("legality review time (minimum)"),
    "publication_max": N_("publication (at the latest)"), "due_by": N_("decision due by"),
}
TIMING = {"publication": N_("publication within the limit (R17)"),
          "legality_review": N_("legality opinion by the requested date (R11)"),
          "due_by": N_("decision by its due date (R22)")}
ACTS = {"record": N_("record"), "determine": N_("determine"), "clear": N_("clear"), "finalize": N_("finalize"),
        "may_record": N_("may record")}
RULES = {
    "R1": N_("scope"), "R2": N_("catalogue"), "R3": N_("start and drafting"), "R4": N_("coordination"),
    "R5": N_("public participation"), "R6": N_("comment period"), "R7": N_("hearing"),
    "R8": N_("handling of opinions"), "R9": N_("expert review"), "R10": N_("risk assessment"),
    "R11": N_("legality submission"), "R12": N_("legality opinion"), "R13": N_("no discussion without a lawful review"),
    "R14": N_("meeting packet"), "R15": N_("collective decision"), "R16": N_("report to the Party committee"),
    "R17": N_("publication"), "R18": N_("append-only record"), "R19": N_("execution"), "R20": N_("change control"),
    "R21": N_("post-decision evaluation"), "R22": N_("undue delay"),
    "SoD1": N_("the undertaking unit never clears its own legality review"),
    "SoD2": N_("an expert with a direct interest is barred"),
    "SoD3": N_("the evaluator is not the pre-decision unit"), "SoD4": N_("only the head decides, speaking last"),
    "SoD5": N_("hearing participants sign the record"), "SoD6": N_("only the head suspends"),
    "SoD8": N_("nobody clears a gate on their own artifact"),
}

# Fields the services write into an artifact beside what the form asked (the opinion summary's counts, the
# packet's contents, the meeting's record…): what a reader sees as their labels.
STORED_FIELDS = {
    "clusters_total": N_("distinct opinions"), "comments_hidden": N_("comments not shown"),
    "comments_late": N_("comments received late"), "comments_on_time": N_("comments received on time"),
    "dispositions": N_("how the opinions were handled"), "changed_in_version": N_("changed in draft version"),
    "count": N_("number"), "deadline_provisional": N_("deadline provisional"),
    "draft_sha256": N_("draft fingerprint (SHA-256)"), "draft_version": N_("draft version"),
    "explanation_generated": N_("explanation generated from the record"), "packet": N_("meeting packet"),
    "gate": N_("step"), "kind": N_("material"), "departs_from_majority": N_("departs from the majority"),
    "held_on": N_("held on"), "option_chosen": N_("option chosen"), "packet_sha256": N_("packet fingerprint (SHA-256)"),
    "risk_judgment": N_("the organ's judgment of the risk"), "send_back_reason": N_("reason for sending back"),
    "published_at": N_("published on"), "record_sha256": N_("record fingerprint (SHA-256)"),
    "dissent_included": N_("dissenting opinions included"), "dissent_note": N_("note on dissent"),
    "expert_ids": N_("experts"), "outside_pool_reason": N_("reason for choosing outside the pool"),
    "expert_name": N_("expert"), "evaluator_unit": N_("evaluating unit"), "kpis": N_("indicators"),
    "replied_at": N_("replied on"), "reply": N_("reply"), "options": N_("options"),
    "explanation": N_("explanation"), "sides": N_("sides heard"), "names": N_("names"),
    "materials": N_("materials"), "affiliations": N_("affiliations"), "interests": N_("interests"),
    "dissenting": N_("dissenting"), "absent": N_("absent"), "recused": N_("recused"), "tally": N_("tally"),
    "support": N_("support"), "oppose": N_("oppose"), "abstain": N_("abstain"),
    "adopted": N_("adopted"), "partly": N_("partly adopted"), "not_adopted": N_("not adopted"),
    "opinion": N_("Opinion"), "disposition": N_("Handling"), "reason": N_("Reason"), "person": N_("Member"),
    "position": N_("Position"), "text": N_("What was said"), "name": N_("name"), "unit": N_("unit"),
    "title": N_("title"), "version": N_("version"), "date": N_("date"), "summary": N_("summary"),
    "leader": N_("other responsible leader"), "direct": N_("person directly responsible"),
    "undertaking": N_("staff of the undertaking unit"), "execution": N_("staff of the execution unit"),
    "kpi": N_("indicator"), "target": N_("target"), "actual": N_("actual value"), "met": N_("met"),
    "presentation": N_("the undertaking unit's presentation"), "statements": N_("the participants' statements"),
    "means": N_("how the interpretation is made public"),
}
