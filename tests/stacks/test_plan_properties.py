"""No traceback, ever, for input: arbitrary config trees and stack-file bytes make the plan exit 0 or 2.

Config trees start from a valid stack of each cloud and change a few keys at random, so most cases
get past the reader and the schema into the resolvers and the program. Every case is run through
the CLI in-process (any exception fails the case) and through the Pulumi runtime path, and must
finish within a time bound. Bounded: a fixed number of examples, no example database.
"""

from __future__ import annotations

import copy
import json
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings, strategies as st

from components.core.problems import ConfigError
from stacks.plan.cli import main
from stacks.plan.engine import run_config

from ..conftest import EKS, EXISTING, GKE

BOUND_SECONDS = 30.0
"""Per case: a plan takes about a second, more on a loaded shared runner; a billion-laughs file once ran past 60 s."""

BOUNDED = settings(max_examples=60, deadline=None, database=None,
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

KEYS = ["cluster", "nodePools", "models", "monitoring", "versions", "environment", "hfToken", "hf_token", "provider",
        "zones", "region", "nodes", "min", "max", "gpu", "gpusPerNode", "sharing", "clientsPerGpu", "labels", "taints",
        "replicas", "size", "weightsGb", "maxModelLen", "vllm", "gpuMemoryUtilization", "extraArgs", "namespace", "l4",
        "qwen", "name", "mig", "capacity", "node", "nodeSelector", "kubernetes", "pool", "model"]
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=0, max_value=20), st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=12),
    st.sampled_from(["L4", "H100-80GB", "A100-80GB", "1g.10gb", "spot", "on-demand", "queued", "time-slicing", "mps",
                     "us-central1-a", "us-central1-b", "us-east-1a", "us-east-1b", "gke", "eks", "existing", "fp8",
                     "Qwen/Qwen3-8B", "production", "NoSchedule", "1.34", "v0.33.0", "team", "-1", "1e300", ".inf", "\u0430"]),
)
TREES = st.recursive(
    SCALARS,
    lambda children: st.one_of(st.lists(children, max_size=3),
                               st.dictionaries(st.one_of(st.sampled_from(KEYS), st.text(max_size=6)), children, max_size=3)),
    max_leaves=12,
)


PLAUSIBLE = st.one_of(st.integers(min_value=0, max_value=8), st.booleans(), st.sampled_from(
    ["L4", "H100-80GB", "A100-80GB", "1g.10gb", "spot", "on-demand", "time-slicing", "us-central1-b", "us-east-1b",
     "Qwen/Qwen3-8B", "team-a", "fp8", "v0.33.0"]))
VALUES = st.one_of(PLAUSIBLE, PLAUSIBLE, PLAUSIBLE, TREES)
"""Mostly values of a plausible type, so a share of the cases gets through the schema into the resolvers."""


def paths(tree: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every path to a mapping in a stack: the places an edit can change or add a key."""
    if not isinstance(tree, dict):
        return []
    return [prefix, *(p for k, v in tree.items() for p in paths(v, (*prefix, k)))]


def edits_of(base: dict[str, Any]) -> st.SearchStrategy[list[tuple[tuple[str, ...], Any]]]:
    """One to three edits, each at a real key of the base stack (or a new key beside real ones)."""
    existing = [(*p, k) for p in paths(base) for k in _keys(base, p)]
    where = st.one_of(st.sampled_from(existing), st.tuples(st.sampled_from(paths(base)), st.sampled_from(KEYS)).map(
        lambda pk: (*pk[0], pk[1])))
    known = st.sampled_from(KNOWN).flatmap(lambda pair: st.tuples(st.just(pair[0]), pair[1]))
    return st.lists(st.one_of(known, known, st.tuples(where, VALUES)), min_size=1, max_size=3)


GPUS = st.sampled_from(["L4", "A10G", "L40S", "A100-40GB", "A100-80GB", "H100-80GB", "H200-141GB", "B200", "T4"])
FLOATS = st.one_of(st.floats(min_value=0, max_value=100), st.floats(allow_nan=True, allow_infinity=True))
KNOWN: list[tuple[tuple[str, ...], st.SearchStrategy[Any]]] = [
    (("nodePools", "l4", "gpu"), GPUS),
    (("nodePools", "l4", "gpusPerNode"), st.integers(min_value=0, max_value=9)),
    (("nodePools", "l4", "nodes"), st.fixed_dictionaries({"min": st.integers(-1, 4), "max": st.integers(0, 6)})),
    (("nodePools", "l4", "capacity"), st.sampled_from(["on-demand", "spot", "reservation", "capacity-block", "flex-start", "queued"])),
    (("nodePools", "l4", "mig"), st.sampled_from(["1g.10gb", "3g.40gb", "7g.80gb", "1g.5gb"])),
    (("nodePools", "l4", "sharing"), st.fixed_dictionaries(
        {"strategy": st.sampled_from(["time-slicing", "mps"]), "clientsPerGpu": st.integers(0, 50)})),
    (("nodePools", "l4", "labels"), st.dictionaries(st.text(max_size=8), st.text(max_size=8), max_size=2)),
    (("nodePools", "l4", "taints"), st.lists(st.fixed_dictionaries(
        {"key": st.text(max_size=8), "effect": st.sampled_from(["NoSchedule", "NoExecute", "Never"])}), max_size=2)),
    (("nodePools", "l4", "diskSizeGb"), st.integers(min_value=0, max_value=2**40)),
    (("models", "qwen", "model"), st.sampled_from(["Qwen/Qwen3-8B", "Qwen/Qwen3-32B", "meta-llama/Llama-3.1-8B-Instruct",
                                                   "Qwen/Qwen2.5-72B-Instruct", "acme/custom"])),
    (("models", "qwen", "gpus"), st.integers(min_value=0, max_value=9)),
    (("models", "qwen", "replicas"), st.fixed_dictionaries({"min": st.integers(-1, 10), "max": st.integers(0, 10)})),
    (("models", "qwen", "maxModelLen"), st.integers(min_value=0, max_value=2**25)),
    (("models", "qwen", "precision"), st.sampled_from(["bf16", "fp8", "int4"])),
    (("models", "qwen", "vllm"), st.fixed_dictionaries({}, optional={"gpuMemoryUtilization": FLOATS, "maxNumSeqs": st.integers(0, 5000)})),
    (("models", "qwen", "size"), st.fixed_dictionaries({"weightsGb": FLOATS, "layers": st.integers(0, 2000),
                                                        "kvHeads": st.integers(0, 64), "headDim": st.integers(0, 512)})),
    (("monitoring",), st.fixed_dictionaries({}, optional={"enabled": st.booleans(), "grafana": st.booleans()})),
    (("environment",), st.sampled_from(["development", "staging", "production", "prod"])),
]
"""Keys the schema knows, with values mostly of the right type: the cases that reach the resolvers."""


def _keys(base: dict[str, Any], path: tuple[str, ...]) -> list[str]:
    node: Any = base
    for key in path:
        node = node[key]
    return list(node)


CASES = st.sampled_from([GKE, EKS, EXISTING]).flatmap(lambda base: st.tuples(st.just(base), edits_of(base)))


def edited(base: dict[str, Any], edits: list[tuple[tuple[str, ...], Any]]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for path, value in edits:
        node: Any = out
        for key in path[:-1]:
            if not isinstance(node, dict):
                break
            node = node.setdefault(key, {})
        if isinstance(node, dict):
            node[path[-1]] = value
    return out


def plan_exits_0_or_2(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    started = time.perf_counter()
    status = main(["plan", str(path), "--no-validate"])
    elapsed = time.perf_counter() - started
    err = capsys.readouterr().err
    assert status in (0, 2), err
    assert "Traceback" not in err
    assert elapsed < BOUND_SECONDS
    if status == 2:
        assert err and all(line.isprintable() for line in err.splitlines()), err


@BOUNDED
@given(CASES)
def test_arbitrary_config_trees_exit_0_or_2(tmp_path_factory, capsys, case) -> None:
    values = edited(*case)
    path = tmp_path_factory.mktemp("stack") / "Pulumi.prop.yaml"
    path.write_text(yaml.safe_dump({"config": {f"inferfleet:{k}": v for k, v in values.items()}}, allow_unicode=True))
    plan_exits_0_or_2(path, capsys)


@BOUNDED
@given(CASES)
def test_arbitrary_config_from_the_pulumi_runtime_plans_or_raises_config_error(case) -> None:
    """`pulumi up` hands config as text (objects as JSON, which may hold NaN or Infinity)."""
    values = edited(*case)
    secret = ["inferfleet:kubeconfig"] if "kubeconfig" in values else []
    config = {f"inferfleet:{k}": v if isinstance(v, str) else json.dumps(v) for k, v in values.items()}
    started = time.perf_counter()
    try:
        run_config("inferfleet", "prop", config, secret)
    except ConfigError as e:
        assert e.problems and all("\n" not in p.line() for p in e.problems)
    assert time.perf_counter() - started < BOUND_SECONDS


VALID = yaml.safe_dump({"config": {f"inferfleet:{k}": v for k, v in GKE.items()}}).encode()


@BOUNDED
@given(st.one_of(
    st.binary(max_size=600),
    st.tuples(st.integers(min_value=0, max_value=len(VALID)), st.binary(min_size=1, max_size=8))
    .map(lambda cut: VALID[: cut[0]] + cut[1] + VALID[cut[0]:]),
))
def test_arbitrary_stack_file_bytes_exit_0_or_2(tmp_path_factory, capsys, data: bytes) -> None:
    path = tmp_path_factory.mktemp("stack") / "Pulumi.prop.yaml"
    path.write_bytes(data)
    plan_exits_0_or_2(path, capsys)


def test_the_generated_cases_reach_past_the_schema() -> None:
    """Edits land on real keys, so a share of the cases plans; a generator that only made typos would test little."""
    planned = []

    @settings(max_examples=40, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
    @given(CASES)
    def count(case) -> None:
        values = edited(*case)
        config = {f"inferfleet:{k}": v if isinstance(v, str) else json.dumps(v) for k, v in values.items()}
        try:
            run_config("inferfleet", "prop", config, ["inferfleet:kubeconfig"] if "kubeconfig" in values else [])
            planned.append(True)
        except ConfigError:
            planned.append(False)

    count()
    assert any(planned) and not all(planned), f"{sum(planned)} of {len(planned)} planned"
