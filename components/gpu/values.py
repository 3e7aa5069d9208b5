"""The GPU layer's values: the resource a pod on each pool requests, and what `GpuStack` takes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Mapping

from ..cloud.values import Sharing
from ..cloud.values import Cluster, EksCluster, ExistingCluster, GpuPool
from ..core.versions import HelmChart, Pins


@dataclass(frozen=True)
class DeviceClaim:
    """A DRA request for the pool's devices: what a model's ResourceClaimTemplate asks for."""

    device_class: str
    """gpu.nvidia.com for whole GPUs, mig.nvidia.com for MIG slices (the DRA chart's DeviceClasses)."""
    selector: str
    """CEL on the driver's device attributes: the pool's GPU product, and its MIG profile."""


@dataclass(frozen=True)
class GpuResource:
    """What a pod asks for to get one schedulable GPU unit on a pool (a GPU, MIG slice or shared GPU)."""

    name: str
    """The extended resource the node's device plugin advertises: nvidia.com/gpu, or
    nvidia.com/mig-<profile> for a MIG slice under the operator's `mixed` strategy. With a `claim`,
    the name Kueue counts the claim's devices as (its deviceClassMappings), never a pod limit."""
    per_node: int
    """Units of `name` one node advertises."""
    claim: DeviceClaim | None = None
    """DRA pools: pods reference a ResourceClaimTemplate of this claim instead of requesting `name`."""


@dataclass(frozen=True)
class GpuValues:
    """The GPU layer resolved: the serving and scheduling layers read `resources`, never a literal."""

    resources: Mapping[str, GpuResource]
    """By pool name."""
    mig_strategy: Literal["single", "mixed"] = "single"
    """How the operator's device plugin advertises MIG slices, one choice for the whole cluster."""
    mig_layouts: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    """The mig-parted layouts the operator's MIG pools use, by layout name: slices per GPU by profile."""
    sharing_configs: Mapping[str, Sharing] = field(default_factory=dict)
    """The device-plugin sharing settings the operator's shared pools use, by config key."""
    device_plugin: bool = True
    """The operator runs its device plugin; off when every pool it serves allocates through DRA."""
    device_class_mappings: Mapping[str, str] = field(default_factory=dict)
    """DRA pools: the resource name Kueue counts each DeviceClass's devices as, by device class."""


@dataclass(frozen=True)
class GpuStackArgs:
    """What `GpuStack` takes."""

    cluster: Cluster
    pools: tuple[GpuPool, ...]
    gpu: GpuValues
    chart: HelmChart
    """The pinned GPU Operator chart."""
    dra_chart: HelmChart
    """The pinned NVIDIA DRA driver chart, installed when a pool allocates through DRA."""
    pins: Pins = field(default_factory=Pins)
    """The image pins, for GKE's driver installer on DRA pools."""

    @property
    def cloud(self) -> Literal["gke", "eks", "existing"]:
        return self.cluster.provider

    @property
    def bottlerocket(self) -> bool:
        """EKS nodes run Bottlerocket, whose NVIDIA variant brings its own device plugin."""
        return isinstance(self.cluster, EksCluster) and self.cluster.ami_type.startswith("BOTTLEROCKET")

    @property
    def install_driver(self) -> bool:
        """Existing clusters only: the operator installs the NVIDIA driver."""
        return isinstance(self.cluster, ExistingCluster) and self.cluster.install_driver
