"""Resolve the GPU layer from the pools: the one place that decides what a pod requests."""

from __future__ import annotations

from typing import Literal

from ..catalog import gpus as catalog
from ..catalog.gpus import NVIDIA_GPU
from ..cloud.values import Sharing
from ..cloud.values import Cluster, EksCluster, ExistingCluster, GkeCluster, GpuPool
from ..core.problems import Problems
from .values import DeviceClaim, GpuResource, GpuValues

GPU_CLASS = "gpu.nvidia.com"
MIG_CLASS = "mig.nvidia.com"
"""The DeviceClasses the DRA chart creates (templates/deviceclass-gpu.yaml, deviceclass-mig.yaml)."""
MIG_DEVICES = "mig.nvidia.com/devices"
"""The name Kueue counts claimed MIG slices as; MIG quota of a DRA pool is in this resource."""


def resolve(cluster: Cluster, pools: tuple[GpuPool, ...], problems: Problems) -> GpuValues:
    operator_pools = [p for p in pools if p.device_plugin == "operator"]
    _check(cluster, pools, operator_pools, problems)
    plugin_mig = [p for p in operator_pools if p.mig_profile and p.allocation == "device-plugin"]
    # The operator's device plugin takes one MIG strategy for the whole cluster (env MIG_STRATEGY,
    # gpu-operator@v26.7.0 controllers/object_controls.go:2787-2798). `single` advertises a slice as
    # nvidia.com/gpu but needs every slice on a node alike; `mixed` names each profile
    # nvidia.com/mig-<profile> (k8s-device-plugin@v0.20.0 internal/rm/rm.go:116-117,140-147).
    strategy: Literal["single", "mixed"] = "mixed" if len({p.mig_profile for p in plugin_mig}) > 1 else "single"
    layouts: dict[str, dict[str, int]] = {}
    for p in operator_pools:
        if p.mig_profile:  # DRA pools too: the MIG manager makes the slices the DRA driver hands out
            layouts[catalog.mig_config_name(p.gpu, p.mig_profile)] = {p.mig_profile: p.units_per_gpu}
    sharing: dict[str, Sharing] = {}
    for p in operator_pools:
        if p.sharing is not None:
            sharing[catalog.sharing_config_key(p.sharing.strategy, p.sharing.clients_per_gpu)] = p.sharing
    dra = [p for p in pools if p.allocation == "dra"]
    # Kueue 0.19 counts nvidia.com/gpu requests as gpu.nvidia.com devices once that DeviceClass
    # exists (kueue@v0.19.2 pkg/dra/extended_resources.go:40-67,151-157, on by default): mapping the
    # class to nvidia.com/gpu keeps device-plugin pods and claims in one quota.
    mappings = {GPU_CLASS: NVIDIA_GPU, **({MIG_CLASS: MIG_DEVICES} if any(p.mig_profile for p in dra) else {})} if dra else {}
    return GpuValues(
        {p.name: _resource(p, strategy) for p in pools},
        mig_strategy=strategy,
        mig_layouts=dict(sorted(layouts.items())),
        sharing_configs=dict(sorted(sharing.items())),
        device_plugin=any(p.allocation == "device-plugin" for p in operator_pools) or not operator_pools,
        device_class_mappings=mappings,
    )


def _resource(pool: GpuPool, strategy: str) -> GpuResource:
    if pool.allocation == "dra":
        device_class = MIG_CLASS if pool.mig_profile else GPU_CLASS
        claim = DeviceClaim(device_class, catalog.dra_selector(pool.gpu, pool.mig_profile))
        return GpuResource(MIG_DEVICES if pool.mig_profile else NVIDIA_GPU, pool.units_per_node, claim)
    # GKE partitions and shares GPUs itself and advertises every slice or share as nvidia.com/gpu;
    # the operator's time-slicing and MPS keep the name too (renameByDefault: false).
    if pool.device_plugin == "operator" and pool.mig_profile and strategy == "mixed":
        return GpuResource(f"nvidia.com/mig-{pool.mig_profile}", pool.units_per_node)
    return GpuResource(NVIDIA_GPU, pool.units_per_node)


def _check(cluster: Cluster, pools: tuple[GpuPool, ...], operator_pools: list[GpuPool], problems: Problems) -> None:
    """What the device plugin or DRA driver on each pool's nodes can do. Bottlerocket's own device
    plugin (MIG, MPS, time-slicing) is the cloud layer's to configure or reject (cloud.resolve)."""
    bottlerocket = isinstance(cluster, EksCluster) and cluster.ami_type.startswith("BOTTLEROCKET")
    mixed = {p.allocation for p in operator_pools} == {"device-plugin", "dra"}
    for p in pools:
        path = f"nodePools.{p.name}"
        if p.allocation == "dra":
            if isinstance(cluster, GkeCluster) and p.mig_profile:
                # GKE: DRA pools "can't use ... Multi-instance GPUs" (docs.cloud.google.com/kubernetes-engine/docs/how-to/set-up-dra,
                # Limitations); GKE's partitioning is its own device plugin's, which DRA pools turn off.
                problems.add(f"{path}.mig", "GKE has no MIG on DRA pools; drop mig here, or use allocation: device-plugin for GKE's MIG")
            if bottlerocket:
                problems.add(f"{path}.allocation", "Bottlerocket's NVIDIA variant runs its own device plugin on every GPU node; "
                             "use cluster.ami: al2023 for DRA pools")
            if p.sharing:
                problems.add(f"{path}.sharing", "time-slicing and MPS are the device plugin's; with allocation: dra a GPU is one "
                             "claim's; drop sharing or use allocation: device-plugin")
            if p.mig_profile and mixed:
                # Operands are off on DRA nodes in a mixed cluster (cloud.resolve._dra_labels), the MIG manager too.
                problems.add(f"{path}.mig", "DRA pools get no MIG manager while other pools use the device plugin; "
                             "put every GPU pool on allocation: dra, or drop mig here")
            if mixed and isinstance(cluster, ExistingCluster) and cluster.install_driver:
                problems.add(f"{path}.allocation", "the operator installs no driver on DRA pools while other pools use the device plugin; "
                             "put every GPU pool on allocation: dra, or install the driver on these nodes yourself (installDriver: false)")
