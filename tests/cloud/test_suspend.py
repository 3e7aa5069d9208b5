"""`nodePools.<p>.suspend`: an EKS pool runs no nodes (e.g. while its Capacity Block node group is upgraded).

The node group is scaled to 0 (cluster-autoscaler path) or its Karpenter NodePool is removed, Kueue's
quota on the pool becomes 0, the cost counts no nodes and the summary says so.
"""

from __future__ import annotations

from typing import Any

import pytest

from components.core.problems import ConfigError
from stacks.plan import cost, summary
from stacks.plan.engine import Plan

from ..conftest import EKS, EXISTING, GKE, config, resolved

NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
NODE_POOL = "kubernetes:karpenter.sh/v1:NodePool"
NODE_CLASS = "kubernetes:karpenter.k8s.aws/v1:EC2NodeClass"
RESERVATION = "cr-0123456789abcdef0"
MNG = {**EKS["cluster"], "nodeAutoscaler": "cluster-autoscaler"}


def block(suspend: bool, cluster: dict[str, Any] = EKS["cluster"], models: dict[str, Any] | None = None) -> dict[str, Any]:
    """A Capacity Block pool of p5 nodes, suspended or not, beside the base L4 pool."""
    h100 = {"gpu": "H100-80GB", "gpusPerNode": 8, "nodes": {"min": 0, "max": 2}, "capacity": "capacity-block",
            "reservation": RESERVATION, "zones": ["us-east-1a"], "diskSizeGb": 300, "suspend": suspend}
    return config(EKS, cluster=cluster, nodePools={**EKS["nodePools"], "h100": h100}, models=models if models is not None else EKS["models"])


def named(p: Plan, type_: str, name: str) -> list[Any]:
    return [r for r in p.resources if r.type == type_ and r.name == f"inferfleet-test-cloud-{name}"]




@pytest.mark.parametrize(
    ("suspend", "scaling", "ignores"),
    [
        (False, {"desiredSize": 0, "minSize": 0, "maxSize": 2}, ["scalingConfig.desiredSize"]),
        # EKS takes no maxSize below 1; the desired size is inferfleet's 0, so Pulumi must not ignore it.
        (True, {"desiredSize": 0, "minSize": 0, "maxSize": 1}, []),
    ],
)
def test_a_suspended_node_group_is_scaled_to_zero(plan_of, ignored: dict[str, list[str]], suspend: bool, scaling: dict, ignores: list) -> None:
    p = plan_of(block(suspend, MNG))
    [group] = named(p, NODE_GROUP, "h100")
    assert group.inputs["scalingConfig"] == scaling
    assert ignored["inferfleet-test-cloud-h100"] == ignores
    assert ignored["inferfleet-test-cloud-l4"] == ["scalingConfig.desiredSize"], "the other pools stay the autoscaler's"


@pytest.mark.parametrize("suspend", [False, True])
def test_a_suspended_karpenter_pool_has_no_node_pool(plan_of, suspend: bool) -> None:
    p = plan_of(block(suspend))
    # Deleting the NodePool makes Karpenter drain and terminate its nodes; the EC2NodeClass stays for the resume.
    assert len(named(p, NODE_POOL, "h100-node-pool")) == (0 if suspend else 1)
    assert len(named(p, NODE_CLASS, "h100-node-class")) == 1
    assert len(named(p, NODE_POOL, "l4-node-pool")) == 1


@pytest.mark.parametrize("suspend", [False, True])
def test_kueue_admits_nothing_on_a_suspended_pool(suspend: bool) -> None:
    queues = resolved(block(suspend)).queueing.queues
    quotas = {(q.name, x.flavor): x.nominal for q in queues for x in q.quotas}
    h100 = quotas[("serving", "h100")]
    assert (h100.units, h100.cpu_m, h100.memory_mi) == ((0, 0, 0) if suspend else (16, 384000, 4194304))
    assert quotas[("serving", "l4")].units == 2


def test_the_cost_and_summary_say_the_pool_runs_no_nodes(plan_of) -> None:
    running, suspended = plan_of(block(False)), plan_of(block(True))
    pool_cost = {s: next(i for i in cost.cost(p).items if i.what.startswith("pool h100")) for s, p in (("on", running), ("off", suspended))}
    assert pool_cost["on"].high > 0 and (pool_cost["off"].low, pool_cost["off"].high) == (0, 0)
    assert pool_cost["off"].what.endswith(", suspended: no nodes")
    text = summary.summary(suspended)
    assert ("  h100         SUSPENDED: 0 nodes and 0 Kueue quota until nodePools.h100.suspend is removed "
            "(then 0-2 x p5.48xlarge capacity-block nodes started by karpenter)") in text.splitlines()
    assert "SUSPENDED" not in summary.summary(running)


def test_a_model_that_needs_the_suspended_pool_is_a_config_error() -> None:
    models = {"q": {"model": "Qwen/Qwen3-8B", "pool": "h100"}}
    with pytest.raises(ConfigError) as error:
        resolved(block(True, models=models))
    assert [p.line() for p in error.value.problems] == [
        "inferfleet:models.q.replicas.min: the minimum replicas on queue serving (q 1 x 1) need 1 units of h100, which is "
        "suspended and runs no nodes; valid: replicas.min: 0 (or another pool) while nodePools.h100.suspend is true"
    ]
    resolved(block(True, models={"q": {**models["q"], "replicas": {"min": 0, "max": 1}}}))
    resolved(block(False, models=models))


@pytest.mark.parametrize("base", [GKE, EXISTING], ids=["gke", "existing"])
def test_suspend_is_an_eks_key(base: dict[str, Any]) -> None:
    pool = {**next(iter(base["nodePools"].values())), "suspend": True}
    with pytest.raises(ConfigError) as error:
        resolved(config(base, nodePools={"gpu": pool}, models={}))
    assert [p.line() for p in error.value.problems] == [
        "inferfleet:nodePools.gpu.suspend: only on EKS, where inferfleet scales a node group or Karpenter NodePool to zero "
        "for an upgrade; GKE surge-upgrades its pools itself and an existing cluster's pools are not inferfleet's; remove it"
    ]


@pytest.mark.parametrize("suspend", [False, True])
def test_the_placement_proof_leaves_out_workloads_waiting_on_a_suspended_pool(plan_of, suspend: bool) -> None:
    from stacks.plan import behaviour

    models = {"q": {"model": "Qwen/Qwen3-8B", "pool": "h100", "replicas": {"min": 0, "max": 1}}}
    report = behaviour.check(plan_of(block(suspend, models=models)))
    # Running, the model is proven admitted and placed; suspended, Kueue's 0 quota keeps it waiting on purpose.
    assert (report.workloads, report.errors) == ((0, []) if suspend else (1, []))
