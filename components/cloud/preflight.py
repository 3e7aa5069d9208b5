"""What the capacity preflights share: findings, node groups as the checks see them, wording.

The checks themselves are per cloud: `eks_preflight` (boto3) and `gke_preflight` (pulumi-gcp
data sources). Both run before any resource is registered and turn a failed call into a
problem (`core.problems.Problem`, the same vocabulary as config errors), never a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from ..core.problems import Problem
from . import values as r

__all__ = ["Problem", "Group", "groups"]

PREFLIGHT_PATH = "cluster.preflight"
SYSTEM_PATH = "cluster.systemPool"


@dataclass(frozen=True)
class Group:
    """A node group as the checks see it: the system pool or a GPU pool."""

    path: str
    label: str
    machine_type: str
    zones: tuple[str, ...]
    max_nodes: int
    capacity: str


def groups(cluster: r.EksCluster | r.GkeCluster, pools: Sequence[r.GpuPool]) -> list[Group]:
    system = cluster.system_pool
    return [
        Group(SYSTEM_PATH, "system pool", system.machine_type, cluster.zones, system.max_nodes, "on-demand"),
        *(Group(f"nodePools.{p.name}", f"pool {p.name}", p.machine_type, p.zones, p.max_nodes, p.capacity) for p in pools),
    ]


def zones_key(group: Group) -> str:
    """The stack key that lists a group's zones (the system pool uses the cluster's)."""
    return "cluster.zones" if group.path == SYSTEM_PATH else f"{group.path}.zones"


def names(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
