"""No Chinese font, no document (issue 18 §2): where fontconfig knows no CJK font, rendering a 公文 is refused
with a clear message (503, GB/T 9704) and nothing is stored — never a PDF of empty boxes (tofu) that would be
served again. Run in a child process whose fontconfig sees no font at all, so the real WeasyPrint and the real
fontconfig decide, on a real SQLite store."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from decision_engine.adapters import gongwen

ROOT = Path(__file__).resolve().parents[2]

CHILD = """
import json, sys
from pathlib import Path
from decision_engine.domain.errors import Unavailable
from decision_engine.services import documents
from decision_engine.services.demo import run_demo
from tests.conftest import make_ctx
tmp = Path(sys.argv[1])
ctx = make_ctx(tmp, f"sqlite:///{tmp / 'decide.db'}")
did = run_demo(ctx, lambda _: None)
try:
    documents.render(ctx, did, "publication_notice")
    outcome = {"refused": False}
except Unavailable as e:
    outcome = {"refused": True, "status": e.status, "rule": e.rule, "message": str(e)}
outcome["stored"] = len(documents.list_documents(ctx, did))
print(json.dumps(outcome, ensure_ascii=False))
"""


def _child(tmp_path: Path, fonts_conf: Path | None) -> dict[str, object]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    if fonts_conf is not None:
        env["FONTCONFIG_FILE"] = str(fonts_conf)
    done = subprocess.run([sys.executable, "-c", CHILD, str(tmp_path)], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


@pytest.mark.skipif(not gongwen.cjk_families(), reason="this machine has no CJK font (make test installs one)")
def test_a_document_is_rendered_and_stored_when_a_chinese_font_is_installed(tmp_path: Path) -> None:
    outcome = _child(tmp_path, None)
    assert outcome == {"refused": False, "stored": 1}


def test_without_a_chinese_font_rendering_is_refused_and_nothing_is_stored(tmp_path: Path) -> None:
    conf = tmp_path / "fonts.conf"
    conf.write_text(f'<?xml version="1.0"?><fontconfig><dir>{tmp_path / "no-fonts"}</dir>'
                    f'<cachedir>{tmp_path / "fc-cache"}</cachedir></fontconfig>')
    outcome = _child(tmp_path, conf)
    assert outcome["refused"] is True and outcome["status"] == 503 and outcome["rule"] == "GB/T 9704"
    assert "未找到中文（CJK）字体" in str(outcome["message"]) and "fonts-noto-cjk" in str(outcome["message"])
    assert outcome["stored"] == 0
