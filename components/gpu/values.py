"""The GPU layer's values: the resource a pod on each pool requests, and what `GpuStack` takes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Mapping

from ..cloud.values import GpuPool
from ..core.versions import HelmChart


@dataclass(frozen=True)
class GpuResource:
    """What a pod asks for to get one schedulable GPU unit on a pool (a GPU, MIG slice or shared GPU)."""

    name: str
    """The extended resource the node's device plugin advertises, e.g. nvidia.com/gpu."""
    per_node: int
    """Units of `name` one node advertises."""


@dataclass(frozen=True)
class GpuValues:
    """The GPU layer resolved: the serving and scheduling layers read `resources`, never a literal."""

    resources: Mapping[str, GpuResource]
    """By pool name."""


@dataclass(frozen=True)
class GpuStackArgs:
    """What `GpuStack` takes."""

    cloud: Literal["gke", "eks", "existing"]
    pools: tuple[GpuPool, ...]
    chart: HelmChart
    """The pinned GPU Operator chart."""
    bottlerocket: bool = False
    """EKS nodes run Bottlerocket, whose NVIDIA variant brings its own device plugin."""
    install_driver: bool = False
    """Existing clusters only: the operator installs the NVIDIA driver."""
