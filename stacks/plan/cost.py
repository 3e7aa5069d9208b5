"""What a planned stack costs per hour and per month, at its minimum and maximum size.

At minimum, a pool runs the nodes its `nodes.min` says or the nodes its models' minimum replicas
need, whichever is more; the cluster's fee, system nodes, boot disks and NAT run regardless.
Counts come from the plan (clusters, NAT gateways) and the resolved values (nodes, disks).
Every rate has a source; a rate not read from a price list is marked as an estimate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from components.catalog import prices
from components.cloud.values import EksCluster, GkeCluster, GpuPool

from .engine import Plan

CLUSTER_TYPES = ("gcp:container/cluster:Cluster", "aws:eks/cluster:Cluster")
CLOUD_NAT = "gcp:compute/routerNat:RouterNat"
NAT_GATEWAY = "aws:ec2/natGateway:NatGateway"


@dataclass(frozen=True)
class Item:
    what: str
    low: float
    """USD per hour at minimum size."""
    high: float
    """USD per hour at maximum size."""
    source: str
    estimated: bool


@dataclass(frozen=True)
class Cost:
    items: tuple[Item, ...]
    unpriced: tuple[str, ...]
    """What runs but has no known price (named, so a total is never silently partial)."""
    per_model: tuple[tuple[str, float], ...]
    """(model, USD per hour of its minimum replicas' share of their pool's nodes)."""

    @property
    def low(self) -> float:
        return sum(i.low for i in self.items)

    @property
    def high(self) -> float:
        return sum(i.high for i in self.items)

    @property
    def estimated(self) -> bool:
        return any(i.estimated for i in self.items)


def minimum_nodes(plan: Plan, pool: GpuPool) -> int:
    """Nodes a pool runs at least: its own minimum, or what its models' minimum replicas need."""
    if pool.suspended:
        return 0
    units = sum(m.replicas * m.tensor_parallel for m in plan.loaded.platform.serving.models if m.pool == pool.name)
    return max(pool.min_nodes, math.ceil(units / pool.units_per_node))


def node_rate(pool: GpuPool, cloud: str) -> tuple[float, str, bool] | None:
    """(USD per node-hour, source, estimated) for a pool's nodes as bought, or None if unknown."""
    if pool.price is None:
        return None
    if pool.capacity == "spot":
        share, why = prices.SPOT_SHARE[cloud]
        return pool.price.usd_per_hour * share, f"Spot {why}; on-demand: {pool.price.source}", True
    if pool.capacity == "capacity-block":
        return pool.price.usd_per_hour, f"estimate: on-demand rate; Capacity Blocks are priced per block ({pool.price.source})", True
    return pool.price.usd_per_hour, pool.price.source, pool.price.estimated


def cost(plan: Plan) -> Cost:
    platform = plan.loaded.platform
    cluster = platform.cluster
    if not isinstance(cluster, (GkeCluster, EksCluster)):
        return Cost((), ("an existing cluster's nodes and fees are billed outside this stack",), ())
    cloud = cluster.provider
    items: list[Item] = []
    unpriced: list[str] = []
    clusters = sum(1 for r in plan.resources if r.type in CLUSTER_TYPES)
    fee = prices.CONTROL_PLANE[cloud]
    items.append(Item(f"{clusters} control plane ({cloud.upper()} cluster fee)", fee.usd_per_hour * clusters,
                      fee.usd_per_hour * clusters, fee.source, fee.estimated))

    system = cluster.system_pool
    system_price = prices.SYSTEM_MACHINES.get(system.machine_type)
    if system_price:
        items.append(Item(f"system pool: {system.min_nodes}-{system.max_nodes} x {system.machine_type}",
                          system_price.usd_per_hour * system.min_nodes, system_price.usd_per_hour * system.max_nodes,
                          system_price.source, system_price.estimated))
    else:
        unpriced.append(f"system pool machine {system.machine_type}")

    disk_low = system.min_nodes * system.disk_size_gb
    disk_high = system.max_nodes * system.disk_size_gb
    nodes_low, nodes_high = system.min_nodes, system.max_nodes
    per_model = []
    for pool in platform.pools:
        low = minimum_nodes(plan, pool)
        high = 0 if pool.suspended else pool.max_nodes
        disk_low += low * pool.disk_size_gb
        disk_high += high * pool.disk_size_gb
        nodes_low += low
        nodes_high += high
        rate = node_rate(pool, cloud)
        if rate is None:
            unpriced.append(f"pool {pool.name} ({pool.machine_type})")
            continue
        usd, source, estimated = rate
        why = f", {low} running for the models' minimum replicas" if low > pool.min_nodes else ""
        why += ", suspended: no nodes" if pool.suspended else ""
        items.append(Item(f"pool {pool.name}: {pool.min_nodes}-{pool.max_nodes} x {pool.machine_type} {pool.capacity}{why}",
                          usd * low, usd * high, source, estimated))
        per_unit = usd / pool.units_per_node
        per_model += [(m.name, m.replicas * m.tensor_parallel * per_unit)
                      for m in platform.serving.models if m.pool == pool.name]

    disk = prices.DISK_GB_MONTH[cloud]
    items.append(Item(f"boot disks: {disk_low}-{disk_high} GB", disk.usd_per_hour * disk_low / prices.HOURS_PER_MONTH,
                      disk.usd_per_hour * disk_high / prices.HOURS_PER_MONTH, disk.source, disk.estimated))

    cloud_nats = sum(1 for r in plan.resources if r.type == CLOUD_NAT)
    if cloud_nats:
        vm = prices.CLOUD_NAT_PER_VM
        items.append(Item(f"{cloud_nats} Cloud NAT gateway", cloud_nats * min(vm.usd_per_hour * nodes_low, prices.CLOUD_NAT_MAX),
                          cloud_nats * min(vm.usd_per_hour * nodes_high, prices.CLOUD_NAT_MAX), vm.source, vm.estimated))
    nat_gateways = sum(1 for r in plan.resources if r.type == NAT_GATEWAY)
    if nat_gateways:
        nat = prices.NAT_GATEWAY
        items.append(Item(f"{nat_gateways} NAT gateways", nat.usd_per_hour * nat_gateways, nat.usd_per_hour * nat_gateways,
                          nat.source, nat.estimated))
    return Cost(tuple(items), tuple(unpriced), tuple(per_model))
