"""S6 publication (决策公布): R17 the statutory channels, the date and, for a specialised matter, the
adoption explanation and interpretation (Art. 32)."""

from __future__ import annotations

from datetime import date
from typing import Any

from decision_engine.domain.calendar import StatutoryCalendar
from decision_engine.domain.errors import InvalidInput, Missing, RuleViolation
from decision_engine.domain.law import ref
from decision_engine.domain.procedure import ArtifactKind, GateSpec
from decision_engine.domain.rules.registry import DecisionView, Registry
from decision_engine.domain.values import Actor, iso_date

# R17, Art. 32: 政府公报、政府网站、本行政区域内发行的报纸
PUBLICATION_CHANNELS = {"gazette": "政府公报", "website": "政府网站", "newspaper": "报纸"}


def publication_channel(entry: Any) -> str | None:
    """Which statutory channel (gazette, website, newspaper) a publication entry names (R17, Art. 32)."""
    name = str(entry.get("channel") or entry.get("name") or "") if isinstance(entry, dict) else str(entry)
    if name.strip().lower() in PUBLICATION_CHANNELS:
        return name.strip().lower()
    if "公报" in name:
        return "gazette"
    if "网站" in name:
        return "website"
    if "报" in name:
        return "newspaper"
    return None


def art_publication(d: DecisionView, k: ArtifactKind, actor: Actor, f: dict[str, Any],
                    cal: StatutoryCalendar, today: date) -> None:
    """R17, Art. 32: gazette, website, newspaper."""
    if not isinstance(f["channels"], list) or not f["channels"]:
        raise InvalidInput("publication_record.channels must list the channels used", rule="R17",
                           article="Art. 32")
    published = iso_date(f["published_at"], "published_at", "R17", "Art. 32", kind=k.id)
    if d.state["decided_on"] and published < iso_date(d.state["decided_on"], "decided_on", "R17", "Art. 32"):
        raise RuleViolation(f"published_at {published.isoformat()} is before the decision was made "
                            f"({d.state['decided_on']})", rule="R17", article="Art. 32")


# R17, Art. 32: 通过新闻发布会、接受访谈等方式进行宣传解读 (等: another means may be named in words)
INTERPRETATION_MEANS = {"press_conference": "新闻发布会", "interview": "接受访谈"}


def art_interpretation(d: DecisionView, k: ArtifactKind, actor: Actor, f: dict[str, Any],
                       cal: StatutoryCalendar, today: date) -> None:
    """R17, Art. 32: the interpretation is made public, by press conference, interview or a like means; the
    record says by which (`means`: press_conference, interview, or another means in words). It is made at
    publication: the gate is after the decision (the phase check refuses it before)."""
    means = f.get("means")
    items = [means] if isinstance(means, str) else means if isinstance(means, list) else []
    if not items or not all(isinstance(m, str) and m.strip() for m in items):
        raise RuleViolation("对社会公众普遍关心或者专业性、技术性较强的重大行政决策，应当通过新闻发布会、接受访谈等方式进行宣传解读："
                            "请写明解读方式 (interpretation.means: press_conference, interview, or another means)",
                            **ref("R17.interpretation"))


def check_publication(d: DecisionView, g: GateSpec) -> list[Missing]:
    """R17, Art. 32: every statutory channel; specialised matters also need the adoption explanation and
    interpretation."""
    out: list[Missing] = []
    records = d.artifacts_of(g.id, "publication_record")
    covered = {publication_channel(c) for a in records for c in a["fields"]["channels"]}
    for channel, name_zh in PUBLICATION_CHANNELS.items():
        if records and channel not in covered:
            out.append(Missing("R17", "Art. 32", g.id, f"publication in the {name_zh} ({channel})",
                               "publication_record"))
    if d.flag("specialised") and not d.flag("high_concern"):
        for kind in ("adoption_explanation", "interpretation"):
            if not d.artifacts_of(g.id, kind):
                k = d.spec.artifact_kind(kind)
                out.append(Missing("R17", "Art. 32", g.id, f"artifact '{kind}' ({k.name_zh}) for a "
                                   "specialised matter", kind))
    return out


def register(reg: Registry) -> None:
    """S6's checks: the publication record and the channels (R17)."""
    # pragma: no mutate block (the table is built once at import, rules.DEFAULT: structural, not a rule)
    reg.artifact("publication_record", art_publication)  # R17, Art. 32
    reg.artifact("interpretation", art_interpretation)  # R17, Art. 32
    reg.gate("publication", check_publication)  # R17, Art. 32
