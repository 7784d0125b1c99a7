"""Salted commitments let a personal field be withheld while the record still verifies (issue 7 §6)."""

from __future__ import annotations

import pytest

from decision_engine.audit import redaction
from decision_engine.audit.canonical import canonical, chain_hash


def test_a_commitment_opens_with_its_value_and_salt_only() -> None:
    salt = redaction.new_salt()
    c = redaction.commit("张三 13800000000", salt)
    assert c.startswith("c1:") and len(c) == 3 + 64
    assert redaction.verify(c, "张三 13800000000", salt)
    assert not redaction.verify(c, "张三 13800000001", salt)
    assert not redaction.verify(c, "张三 13800000000", redaction.new_salt())
    assert not redaction.verify("c0:" + c[3:], "张三 13800000000", salt)


def test_the_same_value_under_different_salts_gives_unlinkable_commitments() -> None:
    assert redaction.commit("13800000000", redaction.new_salt()) != \
        redaction.commit("13800000000", redaction.new_salt())


def test_a_short_salt_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 16 bytes"):
        redaction.commit("x", b"short")
    assert not redaction.verify("c1:" + "0" * 64, "x", b"short")


def test_redacted_fields_carry_commitments_and_the_openings_stay_protected() -> None:
    fields = {"opinion": "票价涨幅过大", "name": "李四", "phone": "13900000000", "channel": "网站"}
    public, openings = redaction.redact(fields, ("name", "phone", "address"))
    assert "name" not in public and "phone" not in public
    assert public["opinion"] == "票价涨幅过大" and public["channel"] == "网站"
    assert {o.field for o in openings} == {"name", "phone"}
    for o in openings:
        assert redaction.verify(str(public[f"{o.field}_commitment"]), o.value, o.salt)
    # The event carries only the public fields: its bytes, and so its chain hash and log leaf, do not
    # change when the protected openings are withheld from a view or erased.
    body = canonical({"type": "CommentReceived", "payload": public})
    assert b"13900000000" not in body and "李四".encode() not in body
    assert chain_hash("0" * 64, body) == chain_hash("0" * 64, canonical({"type": "CommentReceived",
                                                                         "payload": dict(public)}))


def test_only_string_values_are_committed() -> None:
    with pytest.raises(TypeError, match="must be a string"):
        redaction.redact({"age": 42}, ("age",))
