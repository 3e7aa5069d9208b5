"""Pool rules of issue 7: zonal reservations, GKE node counts, the explicit GPU taint, Bottlerocket GPUs.

Each case is a stack that breaks one rule (and the exact line it gets) or one that keeps it.
"""

from __future__ import annotations

import base64
import copy
from typing import Any

import pytest

from components.core.problems import ConfigError
from stacks.plan.engine import Plan

from ..conftest import EKS, GKE, config, resolved

NODE_POOL = "gcp:container/nodePool:NodePool"
TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
GKE_GPU_TAINT = {"key": "nvidia.com/gpu", "value": "present", "effect": "NO_SCHEDULE"}
BOTTLEROCKET = {**EKS["cluster"], "ami": "bottlerocket"}


def with_pool(base: dict[str, Any], cluster: dict[str, Any] | None = None, **pool: Any) -> dict[str, Any]:
    spec = {"gpu": "L4", "nodes": {"min": 0, "max": 2}, **pool}
    return config(base, cluster=copy.deepcopy(cluster or base["cluster"]), nodePools={"gpu": spec}, models={})


def problems(values: dict[str, Any]) -> list[str]:
    try:
        resolved(values)
    except ConfigError as e:
        return [p.line() for p in e.problems]
    return []


ZONES = "inferfleet:nodePools.gpu.zones"
MIN = "inferfleet:nodePools.gpu.nodes.min"
CASES = [
    # 3. Reservations are zonal.
    ("GKE reservation over two zones", with_pool(GKE, capacity="reservation", reservation="r1"),
     [f"{ZONES}: a reservation lives in one zone; list exactly that zone"]),
    ("GKE reservation in one zone", with_pool(GKE, capacity="reservation", reservation="r1", zones=["us-central1-a"]), []),
    ("EC2 capacity reservation over the cluster's zones",
     with_pool(EKS, capacity="reservation", reservation="cr-0123456789abcdef0"),
     [f"{ZONES}: a reservation lives in one zone; list exactly that zone"]),
    ("EC2 capacity reservation in one zone",
     with_pool(EKS, capacity="reservation", reservation="cr-0123456789abcdef0", zones=["us-east-1b"]), []),
    # 4. GKE node counts are per zone.
    ("GKE min 1 over two zones", with_pool(GKE, nodes={"min": 1, "max": 2}),
     [f"{MIN}: GKE starts the same number of nodes in each of the pool's 2 zones; valid: 0 or a multiple of 2"]),
    ("GKE min 3 over the pool's three zones",
     with_pool(GKE, cluster={**GKE["cluster"], "zones": ["us-central1-a", "us-central1-b", "us-central1-c"]},
               nodes={"min": 2, "max": 3}),
     [f"{MIN}: GKE starts the same number of nodes in each of the pool's 3 zones; valid: 0 or a multiple of 3"]),
    ("GKE min 1 in a one-zone pool", with_pool(GKE, nodes={"min": 1, "max": 1}, zones=["us-central1-b"]), []),
    ("GKE min 2 over two zones", with_pool(GKE, nodes={"min": 2, "max": 2}), []),
    ("EKS min 1 over two zones: no per-zone start", with_pool(EKS, nodes={"min": 1, "max": 2}), []),
    ("flex-start with static nodes", with_pool(GKE, capacity="flex-start", nodes={"min": 2, "max": 2}),
     [f"{MIN}: flex-start pools get nodes on request and start from 0; set min: 0"]),
    ("queued with static nodes", with_pool(GKE, capacity="queued", nodes={"min": 2, "max": 2}),
     [f"{MIN}: queued pools get nodes on request and start from 0; set min: 0"]),
    # 8. Bottlerocket's own device plugin.
    ("Bottlerocket with MIG", with_pool(EKS, BOTTLEROCKET, gpu="A100-80GB", gpusPerNode=8, mig="1g.10gb"),
     ["inferfleet:nodePools.gpu.mig: Bottlerocket's own device plugin serves these nodes and inferfleet does not "
      "configure its MIG; use cluster.ami: al2023 or drop mig"]),
    ("Bottlerocket with MPS", with_pool(EKS, BOTTLEROCKET, sharing={"strategy": "mps", "clientsPerGpu": 2}),
     ["inferfleet:nodePools.gpu.sharing.strategy: Bottlerocket's own device plugin serves these nodes and inferfleet "
      "configures only its time-slicing; use time-slicing or cluster.ami: al2023"]),
    ("Bottlerocket with time-slicing", with_pool(EKS, BOTTLEROCKET, sharing={"strategy": "time-slicing", "clientsPerGpu": 2}), []),
    ("AL2023 with MIG", with_pool(EKS, gpu="A100-80GB", gpusPerNode=8, mig="1g.10gb"), []),
]


@pytest.mark.parametrize(("values", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_pool_rule(values: dict[str, Any], expected: list[str]) -> None:
    assert problems(values) == expected


def gke_pool(p: Plan) -> dict[str, Any]:
    return next(r.inputs for r in p.resources if r.type == NODE_POOL and r.name == "inferfleet-test-cloud-gpu")


@pytest.mark.parametrize(
    ("pool", "initial", "auto_repair", "flex_start"),
    [
        pytest.param({"nodes": {"min": 0, "max": 2}}, 0, True, None, id="min 0"),
        pytest.param({"nodes": {"min": 2, "max": 4}}, 1, True, None, id="min 2 over 2 zones: 1 each"),
        pytest.param({"nodes": {"min": 1, "max": 1}, "zones": ["us-central1-a"]}, 1, True, None, id="min 1 in 1 zone"),
        pytest.param({"capacity": "flex-start"}, 0, False, True, id="flex-start"),
        pytest.param({"capacity": "queued"}, 0, False, True, id="queued"),
    ],
)
def test_gke_starts_exactly_min_nodes(plan_of, pool: dict[str, Any], initial: int, auto_repair: bool, flex_start: bool | None) -> None:
    spec = gke_pool(plan_of(with_pool(GKE, **pool)))
    assert spec["initialNodeCount"] == initial
    assert spec["initialNodeCount"] * len(spec["nodeLocations"]) == spec["autoscaling"]["totalMinNodeCount"]
    assert spec["management"]["autoRepair"] is auto_repair
    assert spec["nodeConfig"].get("flexStart") is flex_start


@pytest.mark.parametrize(
    "pool",
    [
        pytest.param({}, id="plain"),
        pytest.param({"gpu": "A100-80GB", "mig": "1g.10gb"}, id="mig"),
        pytest.param({"sharing": {"strategy": "time-slicing", "clientsPerGpu": 2}}, id="shared"),
        pytest.param({"capacity": "spot", "taints": [{"key": "team", "value": "ml", "effect": "NoSchedule"}]}, id="user taint"),
    ],
)
def test_every_gke_gpu_pool_carries_the_gpu_taint(plan_of, pool: dict[str, Any]) -> None:
    assert GKE_GPU_TAINT in gke_pool(plan_of(with_pool(GKE, **pool)))["nodeConfig"]["taints"]


def launch_template(p: Plan) -> dict[str, Any]:
    return next(r.inputs for r in p.resources if r.type == TEMPLATE and r.name == "inferfleet-test-cloud-gpu")


def test_bottlerocket_time_slicing_is_written_as_bottlerocket_settings(plan_of) -> None:
    p = plan_of(with_pool(EKS, BOTTLEROCKET, sharing={"strategy": "time-slicing", "clientsPerGpu": 3}))
    settings = base64.b64decode(launch_template(p)["userData"]).decode()
    assert 'device-sharing-strategy = "time-slicing"' in settings
    assert "replicas = 3" in settings
    assert "rename-by-default = false" in settings, "else the plugin advertises nvidia.com/gpu.shared, which no pod asks for"
    # Bottlerocket's plugin serves the node, so the operator writes no sharing config for it.
    assert not any(r.type == "kubernetes:core/v1:ConfigMap" and "sharing" in r.name for r in p.resources)


def test_bottlerocket_without_sharing_writes_no_settings(plan_of) -> None:
    assert "userData" not in launch_template(plan_of(with_pool(EKS, BOTTLEROCKET)))
