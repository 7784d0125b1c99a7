"""The checkpoint sequencer as a Prefect flow: new events become leaves of the transparency log (RFC 9162)
in batches, then the tree head is signed (C2SP checkpoint). Both services are idempotent."""

from __future__ import annotations

from typing import Any

from prefect import flow

from decision_engine.services import transparency
from flows import runtime


@runtime.duty_task("sequence-events")
def sequence_events() -> int:
    """Give leaf indexes to the events not yet logged (transparency.sequence)."""
    return transparency.sequence(runtime.context())


@runtime.duty_task("sign-checkpoint")
def sign_checkpoint() -> dict[str, Any]:
    """Sign the tree head when it grew (transparency.checkpoint)."""
    head = transparency.checkpoint(runtime.context())
    return {k: head[k] for k in ("size", "root_hash", "created_at", "new")}


@flow(name="checkpoint-sequencer", description="透明日志：事件排序入树并签署检查点（R18，第三十三条）")
def checkpoint_sequencer() -> dict[str, Any]:
    """Sequence new events into the log and sign a checkpoint."""
    runtime.context(probe=True)
    added = sequence_events()
    head = sign_checkpoint()
    runtime.markdown("checkpoint", "\n".join([
        "# 透明日志检查点 · transparency log checkpoint", "",
        f"- 新入日志事件 leaves added: **{added}**",
        f"- 树大小 tree size: **{head['size']}**",
        f"- 根哈希 root: `{head['root_hash']}`",
        f"- {'新签署 newly signed' if head['new'] else '未变化 unchanged'} · {head['created_at']}",
        "", f"审计页面 audit: {runtime.base_url()}/audit"]), "透明日志本次检查点 · this run's checkpoint")
    return {"added": added, **head}
