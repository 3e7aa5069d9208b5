"""The cost lines count what a stack runs at its minimum, price Spot as Spot, and say what is an estimate."""

from __future__ import annotations

import pytest

from components.catalog import prices
from stacks.plan import cost

from ..conftest import EKS, EXISTING, GKE, config


def items(p) -> dict[str, cost.Item]:
    return {i.what.split(":")[0]: i for i in cost.cost(p).items}


def test_minimum_replicas_keep_nodes_running_in_a_pool_that_scales_to_zero(plan_of) -> None:
    stack = config(GKE, models={"qwen": {"model": "Qwen/Qwen3-8B", "pool": "l4", "replicas": {"min": 2, "max": 2}}})
    p = plan_of(stack)
    pool = p.loaded.platform.pools[0]
    assert pool.min_nodes == 0 and cost.minimum_nodes(p, pool) == 2
    assert items(p)["pool l4"].low == pytest.approx(2 * 0.85)
    no_replicas = plan_of(config(GKE, models={"qwen": {"model": "Qwen/Qwen3-8B", "pool": "l4", "replicas": {"min": 0}}}))
    assert items(no_replicas)["pool l4"].low == 0


def test_spot_is_priced_as_spot_and_marked_an_estimate(plan_of) -> None:
    on_demand = items(plan_of(GKE))["pool l4"]
    spot = items(plan_of(config(GKE, nodePools={"l4": {**GKE["nodePools"]["l4"], "capacity": "spot"}})))["pool l4"]
    assert not on_demand.estimated and spot.estimated
    assert spot.high == pytest.approx(on_demand.high * prices.SPOT_SHARE["gke"][0])
    assert spot.source.startswith("Spot estimate:")


def test_the_minimum_counts_control_plane_system_nodes_disks_and_nat(plan_of) -> None:
    gke, eks = items(plan_of(GKE)), items(plan_of(EKS))
    assert set(gke) == {"1 control plane (GKE cluster fee)", "system pool", "pool l4", "boot disks", "1 Cloud NAT gateway"}
    assert set(eks) == {"1 control plane (EKS cluster fee)", "system pool", "pool l4", "boot disks", "2 NAT gateways"}
    assert eks["2 NAT gateways"].low == pytest.approx(2 * prices.NAT_GATEWAY.usd_per_hour)
    assert gke["system pool"].low == pytest.approx(prices.SYSTEM_MACHINES["e2-standard-8"].usd_per_hour)
    # system 1 x 100 GB and the model's one L4 node of 200 GB
    assert gke["boot disks"].low == pytest.approx(300 * prices.DISK_GB_MONTH["gke"].usd_per_hour / prices.HOURS_PER_MONTH)
    assert all(i.low > 0 for i in gke.values())


def test_an_unknown_system_machine_is_named_not_priced_at_zero(plan_of) -> None:
    p = plan_of(config(GKE, cluster={**GKE["cluster"], "systemPool": {"machineType": "n2-standard-8"}}))
    assert cost.cost(p).unpriced == ("system pool machine n2-standard-8",)


def test_an_existing_cluster_is_not_priced(plan_of) -> None:
    result = cost.cost(plan_of(EXISTING))
    assert result.items == () and result.unpriced == ("an existing cluster's nodes and fees are billed outside this stack",)
