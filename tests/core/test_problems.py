"""How problems read: one line each, with the config path, and never a raw regex."""

from __future__ import annotations

import pytest

from components.core.problems import ConfigError, Problem, Problems

from ..conftest import GKE, config, resolved


def lines(values: dict) -> list[str]:
    with pytest.raises(ConfigError) as raised:
        resolved(values)
    return [p.line() for p in raised.value.problems]


@pytest.mark.parametrize(
    ("values", "line"),
    [
        (
            config(GKE, models={"qwen": {"model": "not a repo id", "pool": "l4"}}),
            "inferfleet:models.qwen.model: 'not a repo id' has the wrong form; valid: a Hugging Face repo id, org/name, e.g. Qwen/Qwen3-8B",
        ),
        (
            config(GKE, monitoring={"retention": "two weeks"}),
            "inferfleet:monitoring.retention: 'two weeks' has the wrong form; valid: how long Prometheus keeps data: "
            "a number and a unit (s, m, h, d, w, y), e.g. 15d",
        ),
        (
            config(GKE, versions={"vllmDigest": "sha256:abc"}),
            "inferfleet:versions.vllmDigest: 'sha256:abc' is not an image digest; valid: sha256: followed by 64 lowercase hex digits",
        ),
    ],
    ids=["model id", "retention", "digest"],
)
def test_a_pattern_mismatch_says_the_form_in_words(values: dict, line: str) -> None:
    assert lines(values) == [line]
    assert "^" not in line and "\\" not in line


def test_problems_are_collected_then_raised_once_sorted_and_unique() -> None:
    problems = Problems()
    problems.add("b", "second")
    problems.extend([Problem("a", "first"), Problem("b", "second")])
    with pytest.raises(ConfigError) as raised:
        problems.raise_if_any()
    assert raised.value.report() == "inferfleet:a: first\ninferfleet:b: second"
    Problems().raise_if_any()
