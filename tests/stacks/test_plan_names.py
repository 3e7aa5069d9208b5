"""Every name a plan sends passes the rule of the API server or cloud that receives it (components.core.names).

Derived names (Services, Helm releases, node pools, IAM roles, service accounts) are checked on
plans built to stretch them: the longest pool and model names the schema accepts, a stack name
Pulumi accepts but Kubernetes would not, and every cloud.
"""

from __future__ import annotations

from typing import Any, Iterator

import pytest

from components.core.names import RULES, check
from components.cloud.resolve import AUTONAME_SUFFIX
from stacks.plan import engine as plan
from stacks.plan import render as output

from ..conftest import EKS, EXISTING, GKE, PROJECT, config, write_stack

POOL = "p" + "-0" * 14 + "x"  # 30 characters: the longest Name
MODEL = "m" * 30
STACK = "Team.A_1"  # a valid Pulumi stack name, but not a valid Kubernetes name


def stretched(base: dict[str, Any]) -> dict[str, Any]:
    pool = {**base["nodePools"]["l4"], "labels": {"example.com/team": "ml"},
            "taints": [{"key": "example.com/dedicated", "value": "ml", "effect": "NoSchedule"}]}
    models = {MODEL: {"model": "Qwen/Qwen3-8B", "pool": POOL, "namespace": "n" * 30}}
    cluster = base["cluster"] if base["cluster"]["provider"] == "existing" else {**base["cluster"], "name": "inferfleet-team-a"}
    return config(base, cluster=cluster, nodePools={POOL: pool}, models=models)


def kubernetes_names(obj: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(rule, value) for each name the API server checks in one object."""
    meta = obj.get("metadata", {})
    kind = obj["kind"]
    yield ("service-name" if kind == "Service" else "namespace" if kind == "Namespace" else "object-name"), meta["name"]
    if meta.get("namespace"):
        yield "namespace", meta["namespace"]
    for key, value in (meta.get("labels") or {}).items():
        yield "label-key", key
        yield "label-value", value
    pod = ((obj.get("spec") or {}).get("template") or {}).get("spec") or {}
    for key, value in (pod.get("nodeSelector") or {}).items():
        yield "node-selector-key", key
        yield "node-selector-value", value
    for toleration in pod.get("tolerations") or ():
        yield "taint-key", toleration["key"]


def cloud_names(resource: plan.Registered) -> Iterator[tuple[str, str]]:
    inputs = resource.inputs
    if resource.type == "kubernetes:helm.sh/v4:Chart":
        yield "helm-release", inputs["name"]
    elif resource.type == "gcp:container/cluster:Cluster":
        yield "gke-cluster", inputs["name"]
    elif resource.type == "gcp:container/nodePool:NodePool":
        yield "gke-node-pool", inputs["name"]
    elif resource.type == "gcp:serviceaccount/account:Account":
        yield "gcp-service-account-id", inputs["accountId"]
    elif resource.type == "aws:eks/cluster:Cluster":
        yield "eks-cluster", inputs["name"]
    elif resource.type == "aws:iam/role:Role":
        # Auto-named: the resource name and Pulumi's random suffix (see cloud.resolve.AUTONAME_SUFFIX).
        yield "iam-role", inputs.get("name") or resource.name + "-" + "0" * (AUTONAME_SUFFIX - 1)


@pytest.mark.parametrize("base", [GKE, EKS, EXISTING], ids=["gke", "eks", "existing"])
def test_every_name_in_a_stretched_plan_passes_its_rule(tmp_path, base: dict[str, Any]) -> None:
    result = plan.run(write_stack(tmp_path, stretched(base), stack=STACK), PROJECT)
    names = [n for obj in output.manifests(result) for n in kubernetes_names(obj)]
    names += [n for r in result.resources for n in cloud_names(r)]
    kinds = {rule for rule, _ in names}
    assert {"service-name", "namespace", "object-name", "label-key", "helm-release"} <= kinds
    assert [(rule, value, check(rule, value)) for rule, value in names if check(rule, value)] == []
    assert set(RULES) >= kinds


def test_the_checks_above_catch_a_bad_name() -> None:
    """The walk reads the fields a bad name would be in."""
    service = {"kind": "Service", "metadata": {"name": "7b", "namespace": "Team", "labels": {"a b": "c"}}}
    assert [r for r, v in kubernetes_names(service) if check(r, v)] == ["service-name", "namespace", "label-key"]
