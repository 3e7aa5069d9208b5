"""Resolve the GPU layer from the pools: the one place that decides what a pod requests."""

from __future__ import annotations

from ..catalog.gpus import NVIDIA_GPU
from ..cloud.values import GpuPool
from .values import GpuResource, GpuValues


def resolve(pools: tuple[GpuPool, ...]) -> GpuValues:
    # The operator runs MIG with the `single` strategy and GKE partitions GPUs natively; both
    # advertise each MIG slice or shared GPU as one `nvidia.com/gpu` unit.
    return GpuValues({p.name: GpuResource(NVIDIA_GPU, p.units_per_node) for p in pools})
