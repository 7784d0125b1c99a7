"""The rules of Order 713 (重大行政决策程序暂行条例), one module per stage; `default_registry()` gathers the
checks every stage's module registers. Where each rule lives:

    initiation     S0   R1–R4        Arts. 3, 10–13
    participation  S1   R5, R6, R8   Arts. 14–15, 18
    hearing        S1   R7, SoD5     Arts. 16–17
    experts        S2   R9, SoD2     Arts. 19–20, 29(3)
    risk           S3   R10          Arts. 22–24
    legality       S4   R8, R11–R13, SoD1   Arts. 25–28
    collective     S5   R13–R16, SoD4       Arts. 25, 29–31
    publication    S6   R17          Art. 32
    execution      S7   R18, R19     Arts. 33–35
    evaluation     S8   R21, SoD3    Art. 36
    normative      normative documents: ND1, ND3, ND4
    accountability the accountability case: ACC1, ACC3, ACC4 (Arts. 38–41)

The rules of the commands themselves (who may act: roles and SoD8; what the lifecycle allows: R13, R15,
R18, R20) stay with the commands in `decision.py`.
"""

from __future__ import annotations

from decision_engine.domain.rules import (
    collective,
    evaluation,
    execution,
    experts,
    hearing,
    initiation,
    legality,
    normative,
    participation,
    publication,
    risk,
)
from decision_engine.domain.rules.registry import DecisionView, Registry

STAGES = (initiation, participation, hearing, experts, risk, legality, collective, publication, execution,
          evaluation, normative)


def default_registry() -> Registry:
    """A registry with every stage's checks, in the order of the procedure."""
    reg = Registry()
    for stage in STAGES:
        stage.register(reg)
    return reg


DEFAULT = default_registry()

__all__ = ["DEFAULT", "STAGES", "DecisionView", "Registry", "default_registry"]
