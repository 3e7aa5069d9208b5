"""Resolve the scheduling layer: one flavor per pool, whose quota is the pool's capacity."""

from __future__ import annotations

from typing import Literal

from .nodes import node_taints
from ..cloud.values import GpuPool
from ..gpu.values import GpuValues
from .values import Flavor, Queueing

SERVING_QUEUE = "serving"


def resolve(pools: tuple[GpuPool, ...], gpu: GpuValues, provider: Literal["gke", "eks", "existing"]) -> Queueing:
    flavors = tuple(
        Flavor(
            name=p.name,
            node_labels=p.selector,
            node_taints=node_taints(p, provider),
            tolerations=p.tolerations,
            gpu_resource=gpu.resources[p.name].name,
            gpus=p.max_nodes * gpu.resources[p.name].per_node,
            cpu=p.max_nodes * p.vcpus,
            memory_gib=p.max_nodes * p.memory_gib,
            queued=p.capacity == "queued",
        )
        for p in pools
    )
    return Queueing(cluster_queue=SERVING_QUEUE, local_queue=SERVING_QUEUE, flavors=flavors)
