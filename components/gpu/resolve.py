"""Resolve the GPU layer from the pools: the one place that decides what a pod requests."""

from __future__ import annotations

from typing import Literal

from ..catalog import gpus as catalog
from ..catalog.gpus import NVIDIA_GPU
from ..cloud.spec import Sharing
from ..cloud.values import Cluster, EksCluster, GpuPool
from ..core.problems import Problems
from .values import GpuResource, GpuValues


def resolve(cluster: Cluster, pools: tuple[GpuPool, ...], problems: Problems) -> GpuValues:
    operator_pools = [p for p in pools if p.device_plugin == "operator"]
    _check(cluster, operator_pools, problems)
    mig_pools = [p for p in operator_pools if p.mig_profile]
    # The operator's device plugin takes one MIG strategy for the whole cluster (env MIG_STRATEGY,
    # gpu-operator@v26.7.0 controllers/object_controls.go:2787-2798). `single` advertises a slice as
    # nvidia.com/gpu but needs every slice on a node alike; `mixed` names each profile
    # nvidia.com/mig-<profile> (k8s-device-plugin@v0.20.0 internal/rm/rm.go:116-117,140-147).
    strategy: Literal["single", "mixed"] = "mixed" if len({p.mig_profile for p in mig_pools}) > 1 else "single"
    layouts: dict[str, dict[str, int]] = {}
    for p in mig_pools:
        assert p.mig_profile is not None
        layouts[catalog.mig_config_name(p.gpu, p.mig_profile)] = {p.mig_profile: p.units_per_gpu}
    sharing: dict[str, Sharing] = {}
    for p in operator_pools:
        if p.sharing is not None:
            sharing[catalog.sharing_config_key(p.sharing.strategy, p.sharing.clients_per_gpu)] = p.sharing
    return GpuValues(
        {p.name: GpuResource(_resource(p, strategy), p.units_per_node) for p in pools},
        mig_strategy=strategy,
        mig_layouts=dict(sorted(layouts.items())),
        sharing_configs=dict(sorted(sharing.items())),
    )


def _resource(pool: GpuPool, strategy: str) -> str:
    # GKE partitions and shares GPUs itself and advertises every slice or share as nvidia.com/gpu;
    # the operator's time-slicing and MPS keep the name too (renameByDefault: false).
    if pool.device_plugin == "operator" and pool.mig_profile and strategy == "mixed":
        return f"nvidia.com/mig-{pool.mig_profile}"
    return NVIDIA_GPU


def _check(cluster: Cluster, operator_pools: list[GpuPool], problems: Problems) -> None:
    """What the device plugin on each pool's nodes can do."""
    if isinstance(cluster, EksCluster) and cluster.ami_type.startswith("BOTTLEROCKET"):
        for p in operator_pools:
            # Bottlerocket's own device plugin is configured by its settings, not the operator's
            # configs; its MIG and MPS support is newer than any release we can check
            # (bottlerocket@v1.26.0 has only time-slicing, sources/shared-defaults/nvidia-k8s-device-plugin.toml:20-24).
            if p.mig_profile:
                problems.add(f"nodePools.{p.name}.mig", "Bottlerocket's device plugin does not take the GPU Operator's MIG layouts; use cluster.ami: al2023 or drop mig")
            if p.sharing:
                problems.add(
                    f"nodePools.{p.name}.sharing",
                    "Bottlerocket's device plugin does not take the GPU Operator's sharing configs; use cluster.ami: al2023 or drop sharing",
                )
