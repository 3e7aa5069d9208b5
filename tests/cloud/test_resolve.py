"""One node-pool spec, two clouds: the same intent becomes each cloud's machine, taints and capacity."""

from __future__ import annotations

from typing import Any, Callable

import pytest

from components.catalog.gpus import GPUS
from components.cloud.values import POOL_LABEL
from stacks.plan.engine import Plan

from ..conftest import EKS, GKE, config

POOL = {
    "gpu": "L4",
    "gpusPerNode": 4,
    "nodes": {"min": 0, "max": 3},
    "capacity": "spot",
    "labels": {"team": "ml"},
    "taints": [{"key": "dedicated", "value": "inference", "effect": "NoSchedule"}],
}
USER_TAINT = {"key": "dedicated", "value": "inference", "effect": "NO_SCHEDULE"}
GPU_TAINT = {"key": "nvidia.com/gpu", "value": "true", "effect": "NO_SCHEDULE"}
GKE_GPU_TAINT = {"key": "nvidia.com/gpu", "value": "present", "effect": "NO_SCHEDULE"}


def find(p: Plan, type_: str, name: str) -> dict[str, Any]:
    return next(r.inputs for r in p.resources if r.type == type_ and r.name == f"inferfleet-test-{name}")


def gpus_on(instance_type: str) -> int:
    return next(m.gpus for g in GPUS.values() if "eks" in g.offerings for m in g.offerings["eks"].machines if m.name == instance_type)


def gke_view(p: Plan) -> dict[str, Any]:
    pool = find(p, "gcp:container/nodePool:NodePool", "cloud-gpu")
    node = pool["nodeConfig"]
    return {
        "machine": node["machineType"],
        "gpus": node["guestAccelerators"][0]["count"],
        "taints": node.get("taints", []),
        "labels": node["labels"],
        "spot": node.get("spot", False),
        "nodes": (pool["autoscaling"]["totalMinNodeCount"], pool["autoscaling"]["totalMaxNodeCount"]),
    }


def eks_view(p: Plan) -> dict[str, Any]:
    """The Karpenter NodePool (the EKS default), in the GKE view's terms."""
    spec = find(p, "kubernetes:karpenter.sh/v1:NodePool", "cloud-gpu-node-pool")["spec"]
    requirements = {r["key"]: r["values"] for r in spec["template"]["spec"]["requirements"]}
    effects = {"NoSchedule": "NO_SCHEDULE"}
    return {
        "machine": requirements["node.kubernetes.io/instance-type"][0],
        "gpus": gpus_on(requirements["node.kubernetes.io/instance-type"][0]),  # EKS has no GPU count: the instance type carries it
        "taints": [{**t, "effect": effects[t["effect"]]} for t in spec["template"]["spec"]["taints"]],
        "labels": spec["template"]["metadata"]["labels"],
        "spot": requirements["karpenter.sh/capacity-type"] == ["spot"],
        "nodes": (0, int(spec["limits"]["nodes"])),  # Karpenter keeps no minimum
    }


CLOUDS = [
    pytest.param(GKE, gke_view, "g2-standard-48", [USER_TAINT, GKE_GPU_TAINT], id="gke"),
    pytest.param(EKS, eks_view, "g6.12xlarge", [USER_TAINT, GPU_TAINT], id="eks"),
]


@pytest.mark.parametrize(("base", "view", "machine", "taints"), CLOUDS)
def test_one_pool_spec_on_both_clouds(plan_of, base: dict, view: Callable[[Plan], dict], machine: str, taints: list) -> None:
    p = plan_of(config(base, nodePools={"gpu": POOL}, models={"qwen": {"model": "Qwen/Qwen3-32B", "pool": "gpu", "gpus": 4}}))
    seen = view(p)
    assert seen["machine"] == machine
    assert seen["gpus"] == 4
    assert seen["taints"] == taints, "inferfleet sets the GPU taint on both, with each cloud's value"
    assert seen["labels"][POOL_LABEL] == "gpu" and seen["labels"]["team"] == "ml"
    assert seen["spot"] is True
    assert seen["nodes"] == (0, 3)

    # The same capacity reaches Kueue: 3 nodes x 4 GPUs, read from the pool the cloud made.
    queue = find(p, "kubernetes:kueue.x-k8s.io/v1beta2:ClusterQueue", "scheduling-cluster-queue")
    quota = {r["name"]: r["nominalQuota"] for r in queue["spec"]["resourceGroups"][0]["flavors"][0]["resources"]}
    assert quota["nvidia.com/gpu"] == 12
    # And the same placement reaches the model: the pool's selector, both taints tolerated.
    deployment = find(p, "kubernetes:apps/v1:Deployment", "serving-model-qwen-deployment")
    pod = deployment["spec"]["template"]["spec"]
    assert pod["nodeSelector"] == {POOL_LABEL: "gpu"}
    assert {"key": "dedicated", "operator": "Equal", "value": "inference", "effect": "NoSchedule"} in pod["tolerations"]
    assert {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"} in pod["tolerations"]
