"""Property tests for the stack-file reader: any input gives data or one StackFileError, never a crash."""

from __future__ import annotations

import json
import math
from typing import Any

from hypothesis import HealthCheck, given, settings, strategies as st

from stacks.stackfile import StackFileError, parse_document

# Bounded: the suite stays fast; no database, so nothing is written into the work tree.
BOUNDED = settings(max_examples=200, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])

# Pieces of YAML that reach the reader's branches: anchors and aliases, tags, merge keys, flow and
# block collections, special scalars, BOMs, foreign bytes, tabs and documents.
TOKENS = [
    "config:", "environment:", "secretsprovider:", "inferfleet:", "confg:", "\n", "\r\n", "  ", "    ", "- ", ": ",
    "? ", "&a ", "&b ", "*a", "*b", "<<: ", "<<", "[", "]", "{", "}", ", ", "'", '"', "#", "---", "...", "\t", "~",
    "!!python/object:os.system ", "!!int ", "!!float ", "!!str ", "!!map ", "!!binary ", "!Ref ", "! ",
    ".inf", "-.Inf", ".nan", "1e400", "0x1F", "0777", "0b1", "08", "1_000", "8080", "true", "yes", "null", "2024-01-01",
    "1:30", "9" * 5000, "x", "caf\u00e9", "\u0430", "\ufeff", "\x00", "\x85", "\u2028", "|", ">", "%YAML 1.1", "%TAG ! tag:x,2000:",
]


def is_plain(value: Any) -> bool:
    """JSON-like data only: what the schema and `json.dumps` expect."""
    if isinstance(value, dict):
        return all(isinstance(k, str) and is_plain(v) for k, v in value.items())
    if isinstance(value, list):
        return all(is_plain(v) for v in value)
    if isinstance(value, float):
        return math.isfinite(value)
    return value is None or isinstance(value, (str, int, bool))


def check(data: bytes) -> None:
    try:
        document = parse_document(data, "Pulumi.prop.yaml", max_bytes=20_000)
    except StackFileError as e:
        message = str(e)
        assert message.startswith("Pulumi.prop.yaml") and "\n" not in message and message.isascii(), message
        return
    assert isinstance(document, dict) and is_plain(document), document


@BOUNDED
@given(st.binary(max_size=2_000))
def test_arbitrary_bytes_give_data_or_one_error(data: bytes) -> None:
    check(data)


@BOUNDED
@given(st.lists(st.sampled_from(TOKENS), max_size=80).map("".join),
       st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]))
def test_yaml_like_text_gives_data_or_one_error(text: str, encoding: str) -> None:
    check(text.encode(encoding, errors="replace"))


# JSON writes a character beyond U+FFFF as a surrogate pair of escapes, which YAML does not read as
# one character (nor a lone surrogate, which is no character); everything else JSON writes is YAML.
TEXT = st.characters(max_codepoint=0xFFFF, exclude_categories=["Cs"])
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=False, allow_infinity=False), st.text(TEXT, max_size=20),
)
TREES = st.recursive(
    SCALARS,
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(st.text(TEXT, max_size=10), children, max_size=4)),
    max_leaves=25,
)


@BOUNDED
@given(st.dictionaries(st.text(TEXT, max_size=12), TREES, max_size=5))
def test_a_json_written_config_reads_back_unchanged(config: dict[str, Any]) -> None:
    """JSON is YAML: a config written as JSON must read back as the same data."""
    document = {"config": config}
    assert parse_document(json.dumps(document).encode(), "Pulumi.prop.yaml") == document
