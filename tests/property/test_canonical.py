"""The fast path of `canonical` writes exactly the bytes of the RFC 8785 reference (the `rfc8785` package)
for every JSON value, including escapes, non-BMP text, astral keys, floats and out-of-range integers."""

from __future__ import annotations

from typing import Any

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from decision_engine.audit.canonical import canonical

text = st.text(alphabet=st.characters(codec="utf-8"), max_size=12) | st.sampled_from(
    ["", "\u2028", "\x7f", "\x00\x1f", "\ue000", "\U0001F600", "中文", '"\\/'])
scalars = (st.none() | st.booleans() | st.integers(min_value=-(2**60), max_value=2**60)
           | st.floats(allow_nan=False, allow_infinity=False) | text)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=5)
                      | st.dictionaries(text, inner, max_size=5), max_leaves=30)


def reference(obj: Any) -> bytes | type[Exception]:
    try:
        return rfc8785.dumps(obj)
    except Exception as err:  # the reference refuses some values (big integers); so must we
        return type(err)


@settings(max_examples=3000, deadline=None)
@given(values)
def test_canonical_equals_the_rfc8785_reference(obj: Any) -> None:
    want = reference(obj)
    if isinstance(want, bytes):
        assert canonical(obj) == want
    else:
        with pytest.raises(want):
            canonical(obj)


def test_astral_keys_sort_in_utf16_order_as_rfc8785_requires() -> None:
    obj = {"\ue000": 1, "\U00010000": 2, "a": 3}
    assert canonical(obj) == rfc8785.dumps(obj) == '{"a":3,"𐀀":2,"\ue000":1}'.encode()


def test_an_event_envelope_takes_the_fast_path_and_matches() -> None:
    env = {"stream": "decision:MAD-1", "seq": 7, "type": "ArtifactRecorded", "at": "2025-03-03T09:00:00+08:00",
           "actor": {"person": "P-1", "role": "undertaking_unit", "unit": "某市交通运输局"},
           "payload": {"fields": {"opinions": [{"opinion": "票价\n涨幅过大", "disposition": "partly"}]},
                       "size": 120, "draft_version": 2, "nested": [[], {}, [None, True, False]]}}
    assert canonical(env) == rfc8785.dumps(env)
