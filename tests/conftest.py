"""Shared fixtures: minimal valid stacks per cloud, and running the offline plan on a config."""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any, Callable

import pytest
import yaml

from stacks.plan import engine as plan_module
from stacks.plan.engine import Plan

PROJECT = Path(__file__).resolve().parent.parent
SHARED = PROJECT.parent / "shared"

# The tests validate against the pinned schemas of the shared folder beside the repo (as CI has it);
# a developer without it runs `make schemas` and the tests use the download cache.
if SHARED.is_dir():
    os.environ.setdefault("INFERFLEET_SCHEMAS", str(SHARED))

GKE: dict[str, Any] = {
    "cluster": {"provider": "gke", "project": "acme-inference", "region": "us-central1", "zones": ["us-central1-a", "us-central1-b"]},
    "nodePools": {"l4": {"gpu": "L4", "nodes": {"min": 0, "max": 2}}},
    "models": {"qwen": {"model": "Qwen/Qwen3-8B", "pool": "l4"}},
}
EKS: dict[str, Any] = {
    "cluster": {"provider": "eks", "region": "us-east-1", "zones": ["us-east-1a", "us-east-1b"]},
    "nodePools": {"l4": {"gpu": "L4", "nodes": {"min": 0, "max": 2}}},
    "models": {"qwen": {"model": "Qwen/Qwen3-8B", "pool": "l4"}},
}
EXISTING: dict[str, Any] = {
    "cluster": {"provider": "existing"},
    "kubeconfig": {"secure": "v1:ciphertext"},
    "nodePools": {"l4": {"gpu": "L4", "nodes": {"min": 1, "max": 2}, "node": {"vcpus": 16, "memoryGib": 64}}},
    "models": {"qwen": {"model": "Qwen/Qwen3-8B", "pool": "l4"}},
}


def config(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """A deep copy of `base` with top-level keys replaced (None removes a key)."""
    out = copy.deepcopy(base)
    for key, value in changes.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = value
    return out


def write_stack(directory: Path, values: dict[str, Any], stack: str = "test") -> Path:
    path = directory / f"Pulumi.{stack}.yaml"
    path.write_text(yaml.safe_dump({"config": {f"inferfleet:{k}": v for k, v in values.items()}}, sort_keys=False))
    return path


@pytest.fixture
def plan_of(tmp_path: Path) -> Callable[..., Plan]:
    """Plan a config dict (the `inferfleet:` keys) as if it were a stack file in the repo."""

    def run(values: dict[str, Any], stack: str = "test", preflight: bool = False) -> Plan:
        return plan_module.run(write_stack(tmp_path, values, stack), PROJECT, preflight=preflight)

    return run


def resolved(values: dict[str, Any], *, secret: tuple[str, ...] = ("hfToken", "kubeconfig", "grafanaAdminPassword"), stack: str = "test"):
    """The resolved platform of a config dict (secret keys given are treated as Pulumi secrets)."""
    from stacks.load import RawConfig, mask_secure, parse
    from stacks.resolve import resolve

    plain = {key: mask_secure(value)[0] for key, value in values.items()}
    return resolve(parse(RawConfig(plain, frozenset(secret))), project="inferfleet", stack=stack)


@pytest.fixture
def ignored(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """The `ignore_changes` each registration sends, by resource name (the plan does not record them)."""
    seen: dict[str, list[str]] = {}
    register = plan_module.PlanMonitor.RegisterResource

    def recording(self: plan_module.PlanMonitor, request: Any) -> Any:
        seen[request.name] = list(request.ignoreChanges)
        return register(self, request)

    monkeypatch.setattr(plan_module.PlanMonitor, "RegisterResource", recording)
    return seen
