"""Whole plans of stacks with MIG and shared pools: they plan clean, and a profile change stays local."""

from __future__ import annotations

from typing import Any

import pytest

from stacks.plan import chart_values, render, summary, validate
from stacks.plan.engine import Plan

from ..conftest import EKS, EXISTING, GKE, config

TINY = {"model": "acme/tiny-1b", "size": {"weightsGb": 1.2, "layers": 16, "kvHeads": 8, "headDim": 64}}
A100 = {"gpu": "A100-80GB", "gpusPerNode": 8, "nodes": {"max": 2}, "diskSizeGb": 1000}

EKS_MIG_MIXED = config(
    EKS,
    nodePools={"a": {**A100, "mig": "1g.10gb"}, "b": {**A100, "mig": "3g.40gb"}},
    models={"tiny": {**TINY, "pool": "a"}, "qwen": {"model": "Qwen/Qwen3-8B", "pool": "b"}},
)
GKE_MIG = config(
    GKE,
    nodePools={"l4": GKE["nodePools"]["l4"], "a": {"gpu": "A100-80GB", "nodes": {"max": 2}, "mig": "1g.10gb"}},
    models={"tiny": {**TINY, "pool": "a"}, **GKE["models"]},
)
EKS_TIME_SLICED = config(
    EKS,
    nodePools={"l4": {"gpu": "L4", "nodes": {"max": 2}, "sharing": {"strategy": "time-slicing", "clientsPerGpu": 4}}},
    models={"tiny": {**TINY, "pool": "l4"}},
)


def check_clean(p: Plan) -> None:
    report = validate.validate_all(render.manifests(p), p.loaded.platform.pins)
    assert report.errors == []
    assert chart_values.check_plan(p, validate.schemas_root() / "charts")[1] == []


@pytest.mark.parametrize("stack", [EKS_MIG_MIXED, GKE_MIG, EKS_TIME_SLICED], ids=["eks-mig-mixed", "gke-mig", "eks-time-sliced"])
def test_gpu_stacks_plan_clean(plan_of, stack: dict[str, Any]) -> None:
    check_clean(plan_of(stack))


def by_name(p: Plan, kind: str) -> dict[str, dict[str, Any]]:
    return {obj["metadata"]["name"]: obj for obj in render.manifests(p) if obj["kind"] == kind}


def test_the_mixed_eks_plan_requests_each_pool_s_profile(plan_of) -> None:
    p = plan_of(EKS_MIG_MIXED)
    limits = {name: d["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"] for name, d in by_name(p, "Deployment").items()}
    assert {name: sorted(k for k in lim if k.startswith("nvidia.com/")) for name, lim in limits.items()} == {
        "tiny": ["nvidia.com/mig-1g.10gb"], "qwen": ["nvidia.com/mig-3g.40gb"]
    }
    [queue] = by_name(p, "ClusterQueue").values()
    [group] = queue["spec"]["resourceGroups"]
    assert group["coveredResources"] == ["cpu", "memory", "nvidia.com/mig-1g.10gb", "nvidia.com/mig-3g.40gb"]
    assert all([r["name"] for r in f["resources"]] == group["coveredResources"] for f in group["flavors"])


def test_changing_one_pool_s_mig_profile_changes_only_what_follows_from_it(plan_of) -> None:
    before = plan_of(EKS_MIG_MIXED)
    changed = config(EKS_MIG_MIXED, nodePools={**EKS_MIG_MIXED["nodePools"], "a": {**A100, "mig": "2g.20gb"}})
    after = plan_of(changed)
    old = {r.urn: r.inputs for r in before.resources}
    new = {r.urn: r.inputs for r in after.resources}
    assert old.keys() == new.keys()
    prefix = "inferfleet-test-"
    differing = sorted(r.name.removeprefix(prefix) for r in after.resources if old[r.urn] != new[r.urn])
    assert differing == [
        "cloud-a-node-pool",  # pool a's Karpenter NodePool: its mig.config label
        "gpu-mig-parted",  # the mig-parted config: a's layout
        "scheduling-cluster-queue",  # a's quota is counted in the new profile
        "serving-model-tiny-deployment",  # a's model requests the new profile
    ]
    nodes = {r.name.removeprefix(prefix): r.inputs for r in after.resources}
    assert nodes["cloud-a-node-pool"]["spec"]["template"]["metadata"]["labels"]["nvidia.com/mig.config"] == "a100-80gb-all-2g.20gb"


def test_the_summary_says_which_gke_pools_have_no_gpu_metrics(plan_of) -> None:
    text = summary.summary(plan_of(GKE_MIG))
    assert "  pools a: no GPU metrics in Prometheus (GKE's device plugin serves MIG and shared GPUs, " in text
    managed = config(GKE_MIG, cluster={**GKE_MIG["cluster"], "managedDcgm": True})
    assert "GPU notes:" not in summary.summary(plan_of(managed))


def test_the_summary_gives_an_existing_cluster_the_exact_labels(plan_of) -> None:
    a100 = {**A100, "mig": "1g.10gb", "nodes": {"min": 1, "max": 1}, "node": {"vcpus": 96, "memoryGib": 1152},
            "nodeSelector": {"node.kubernetes.io/instance-type": "p4de.24xlarge"}}
    text = summary.summary(plan_of(config(EXISTING, nodePools={"a": a100}, models={})))
    assert ("  pool a: label its nodes yourself: kubectl label nodes -l node.kubernetes.io/instance-type=p4de.24xlarge "
            "nvidia.com/mig.config=a100-80gb-all-1g.10gb --overwrite") in text


def test_the_summary_counts_each_pool_in_its_own_resource(plan_of) -> None:
    text = summary.summary(plan_of(EKS_MIG_MIXED))
    assert "up to 16 GPUs, 112 x nvidia.com/mig-1g.10gb as 1g.10gb, in " in text  # the price moved to the cost lines
    assert "up to 16 GPUs, 32 x nvidia.com/mig-3g.40gb as 3g.40gb, in " in text
