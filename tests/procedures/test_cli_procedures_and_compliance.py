"""`decide procedure list|diff` and `decide compliance` (issue 10 §3–4): the doors onto the procedures the
engine carries and onto the yearly compliance metrics, computed from the record alone."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from decision_engine.cli import app
from decision_engine.services import accountability as acc
from decision_engine.services import compliance, identity
from decision_engine.services.demo import BUREAU

runner = CliRunner()


def test_procedure_list_names_every_procedure_and_profile_with_its_pinned_hash() -> None:
    out = runner.invoke(app, ["procedure", "list"])
    assert out.exit_code == 0, out.output
    ids = [line.split()[0] for line in out.output.splitlines()]
    assert ids[:2] == ["order713", "normative_document"]
    assert {"guofa_2010_33", "province_a_15wd", "city_b_10wd"} <= set(ids)
    assert "国发〔2010〕33号" in out.output and "sha256:" in out.output


def test_procedure_diff_shows_the_guofa_profile_makes_expert_review_and_risk_assessment_unconditional() -> None:
    out = runner.invoke(app, ["procedure", "diff", "order713", "guofa_2010_33"])
    assert out.exit_code == 0, out.output
    diff = json.loads(out.output)
    assert diff["gates"]["risk_assessment"]["condition"] == {"from": "flag:risk_relevant", "to": "always"}
    assert diff["gates"]["expert_review"]["condition"]["to"] == "always"
    provincial = json.loads(runner.invoke(app, ["procedure", "diff", "order713", "province_a_15wd"]).output)
    assert provincial["durations"]  # the legality review period differs


def test_procedure_diff_of_an_unknown_profile_is_refused_with_a_clear_message() -> None:
    out = runner.invoke(app, ["procedure", "diff", "order713", "atlantis"])
    assert out.exit_code == 2 and "unknown procedure" in out.output


def test_compliance_counts_accountability_cases_and_the_cli_prints_the_same_as_csv(
        walk: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    walk.decided()
    audit = identity.register_person(walk.ctx, "审计员")
    identity.grant_role(walk.ctx, audit, "auditor", "某市审计局", reason="任职")
    acc.open_case(walk.ctx, audit, walk.did, summary="未按期公布", persons=[
        {"person": walk.c.head, "capacity": "head"}], grounds=[{"article": "Art. 39", "text": "未履行公布程序"}])
    report = compliance.metrics(walk.ctx, 2025)
    assert report["units"][BUREAU]["accountability_cases"] == 1 and report["total"]["accountability_cases"] == 1
    monkeypatch.setenv("DECIDE_DATA_DIR", str(walk.ctx.settings.data_dir))
    monkeypatch.setenv("DECIDE_DATABASE_URL", walk.ctx.settings.database_url)
    out = runner.invoke(app, ["compliance", "2025", "--csv"])
    assert out.exit_code == 0, out.output
    rows = {r["unit"]: r for r in csv.DictReader(io.StringIO(out.output))}
    assert rows[BUREAU]["accountability_cases"] == "1" and rows[BUREAU]["finalized"] == "1"
    assert rows["合计"]["decisions"] == "1"
    as_json = json.loads(runner.invoke(app, ["compliance", "2025", "--unit", BUREAU]).output)
    assert as_json["units"][BUREAU]["legality_review_rate"] == 1.0
