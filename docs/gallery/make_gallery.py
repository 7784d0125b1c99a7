"""Make the screenshot gallery (docs/gallery/): each role's main page and two official documents, in Debian
chromium (Playwright, `executable_path`), from the demo decision on a fresh SQLite store in a temporary
directory. Run from the repository root:

    PYTHONPATH=. .venv/bin/python docs/gallery/make_gallery.py

It rewrites the PNG files and docs/gallery/README.md; nothing else is touched."""

from __future__ import annotations

import socket
import sys
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path

import uvicorn
from argon2 import PasswordHasher
from playwright.sync_api import Page, sync_playwright

from api.app import create_app
from decision_engine import bootstrap
from decision_engine.config import Settings
from decision_engine.services import decisions, documents, identity, meetings
from decision_engine.services.clock import CHINA, ManualClock
from decision_engine.services.demo import BUREAU, cast, run_demo

HERE = Path(__file__).resolve().parent
CHROMIUM = Path("/usr/bin/chromium")
PASSWORD = "Gallery-Passw0rd!"
# (file, who logs in, path, caption in Chinese, caption in English, viewport width)
SHOTS: list[tuple[str, str | None, str, str, str, int]] = []


def _serve(app: object) -> tuple[str, uvicorn.Server, threading.Thread]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",  # type: ignore[arg-type]
                                           lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    if not server.started:
        raise SystemExit("uvicorn did not start")
    return f"http://127.0.0.1:{port}", server, thread


def _login(page: Page, base: str, person: str | None) -> None:
    page.goto(base + "/public")
    if page.locator("header form button[type=submit]").count():
        page.click("header form button[type=submit]")  # log out whoever was in
    if person is None:
        return
    page.goto(base + "/login")
    page.fill("#login-person", person)
    page.fill("#login-password", PASSWORD)
    page.click("main form button[type=submit]")


def main() -> int:
    if not CHROMIUM.exists():
        print(f"{CHROMIUM} is not installed (apt-get install chromium)", file=sys.stderr)
        return 2
    identity._hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)  # a demo store, fast logins
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        ctx = bootstrap.build(Settings(data_dir=data, database_url=f"sqlite:///{data / 'decide.db'}"),
                              clock=ManualClock(datetime(2025, 3, 3, 9, 0, tzinfo=CHINA)))
        c = cast(ctx, PASSWORD)
        did = run_demo(ctx, lambda _: None, people=c)
        auditor = identity.register_person(ctx, "审计员林", password=PASSWORD)
        identity.grant_role(ctx, auditor, "auditor", "某市审计局", reason="审计")
        # a second decision under way, so that the queues hold something
        live = decisions.open_decision(ctx, c.drafter, title="关于优化城区停车收费标准的决定",
                                       category="public_project", unit=BUREAU).decision_id
        decisions.record_artifact(ctx, c.head, live, "start_decision",
                                  {"lead_unit": BUREAU, "units": [BUREAU], "affected_units": ["某市财政局"]})
        notice = documents.render(ctx, did, "publication_notice")
        minutes = documents.render(ctx, did, "meeting_minutes")
        meeting = meetings.convene(ctx, c.office, meeting_type="executive", title="市政府第12次常务会议",
                                   held_on=ctx.today().isoformat(), head=c.head,
                                   members=[c.member_a, c.member_b]).meeting_id
        SHOTS.extend([
            ("01-public.png", None, "/public", "公众：已公布的决策", "The public: published decisions", 1280),
            ("02-public-phone.png", None, f"/public/decisions/{did}", "公众（手机）：决策公布页",
             "The public on a phone: a published decision", 390),
            ("03-drafter-work.png", c.drafter, "/work", "承办单位：我的待办事项", "Undertaking unit: my work", 1280),
            ("04-decision.png", c.drafter, f"/decisions/{live}", "承办单位：决策事项的程序步骤",
             "Undertaking unit: a decision as a procedure stepper", 1280),
            ("05-legal.png", c.reviewer, "/legal", "合法性审查机构：审查队列", "Legal office: review queue", 1280),
            ("06-meeting.png", c.head, f"/meetings/{meeting}", "行政首长：常务会议（组成人员按姓名选定）",
             "Head: the executive meeting (members chosen by name)", 1280),
            ("07-dashboard.png", c.head, "/dashboard", "决策机关：统计图表", "Decision organ: the dashboard", 1280),
            ("08-compliance.png", c.head, "/compliance?year=2025", "依法行政考核指标", "Compliance figures", 1280),
            ("09-audit.png", auditor, f"/audit/decisions/{did}", "审计人员：决策时间线与校验",
             "Auditor: timeline and verification", 1280),
            ("10-document-notice.png", c.head, f"/documents/{notice['id']}/file.html", "公文：决策公布公告",
             "Document: the publication notice", 1000),
            ("11-document-minutes.png", c.head, f"/documents/{minutes['id']}/file.html", "公文：会议纪要",
             "Document: the meeting minutes", 1000),
        ])
        base, server, thread = _serve(create_app(ctx, pages=True))
        try:
            with sync_playwright() as pw:
                chromium = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=[
                    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--no-first-run"])
                try:
                    who: object = object()
                    page = chromium.new_page(viewport={"width": 1280, "height": 900})
                    for file, person, path, _zh, _en, width in SHOTS:
                        if person != who:
                            _login(page, base, person)
                            who = person
                        page.set_viewport_size({"width": width, "height": 900 if width > 500 else 800})
                        page.goto(base + path)
                        page.screenshot(path=str(HERE / file), full_page=False)
                        print(file, path)
                finally:
                    chromium.close()
        finally:
            server.should_exit = True
            thread.join(timeout=10)
            ctx.store.dispose()
    lines = ["# 页面截图 · Screenshots of the pages", "",
             "由 `docs/gallery/make_gallery.py` 在 Debian chromium 中根据演示决策生成（每次运行重新生成）。",
             "Made by `docs/gallery/make_gallery.py` in Debian chromium from the demo decision (run it again to "
             "regenerate).", ""]
    for file, _person, _path, zh, en, _width in SHOTS:
        lines += [f"## {zh} · {en}", "", f"![{zh}]({file})", ""]
    (HERE / "README.md").write_text("\n".join(lines), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
