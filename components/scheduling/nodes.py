"""The pools' nodes as the scheduler sees them: labels, taints and the kubelet's allocatable, per cloud.

Pure Python over the cloud layer's values. The placement check (`admission`) compares a pod's
requests with these numbers; each constant names the source that sets it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Mapping

from ..catalog.gpus import NVIDIA_GPU
from ..catalog.sizing import ephemeral_bytes
from ..core.spec import Taint
from ..cloud.values import GpuPool

MIB = 2**20
GIB = 2**30


@dataclass(frozen=True)
class NodeResources:
    """Allocatable of one node; `ephemeral_bytes` is None where the disk is not known (existing clusters)."""

    cpu_m: int
    memory_bytes: int
    ephemeral_bytes: int | None
    gpu_units: int
    basis: str
    """How the numbers were derived, for error messages (e.g. `200 GB disk, GKE COS`)."""


@dataclass(frozen=True)
class NodeGroup:
    """The nodes of one pool as the scheduler sees them: labels, taints, allocatable and how many there can be."""

    name: str
    labels: Mapping[str, str]
    taints: tuple[Taint, ...]
    allocatable: NodeResources
    max_nodes: int
    gpu_resource: str
    provider: Literal["gke", "eks", "existing"] = "existing"
    disk_size_gb: int | None = None
    """The boot disk inferfleet gives each node, where it holds the ephemeral storage; None where inferfleet does
    not create the nodes or puts that storage on the machine's local NVMe."""

    def disk_for(self, ephemeral: float) -> int | None:
        """The smallest boot disk (GB) whose nodes allocate `ephemeral` bytes, if inferfleet sizes the disk."""
        if self.disk_size_gb is None or self.provider == "existing":
            return None
        return next((d for d in range(self.disk_size_gb, 65537) if (ephemeral_bytes(self.provider, d) or 0) >= ephemeral), None)


def _cpu_reserved_m(vcpus: int) -> float:
    """6% of the first core, 1% of the second, 0.5% of cores 3-4, 0.25% of the rest.

    GKE: kubernetes/autoscaler@729ba955 cluster-autoscaler/cloudprovider/gce/reserved.go `cpuReservedMillicores`;
    EKS AL2023: awslabs/amazon-eks-ami@v20260724 nodeadm/internal/kubelet/config.go:410-440 (same brackets).
    """
    brackets = ((1, 0.06), (1, 0.01), (2, 0.005), (max(0, vcpus - 4), 0.0025))
    left, reserved = vcpus, 0.0
    for cores, rate in brackets:
        take = min(left, cores)
        reserved += take * 1000 * rate
        left -= take
    return reserved


def _gke_memory_reserved_mib(capacity_mib: float) -> float:
    """kube-reserved memory: kubernetes/autoscaler@729ba955 .../gce/reserved.go `memoryReservedMiB` brackets."""
    if capacity_mib <= 1000:
        return 255
    brackets = ((4000, 0.25), (4000, 0.20), (8000, 0.10), (112000, 0.06), (float("inf"), 0.02))
    left, reserved = capacity_mib, 0.0
    for size, rate in brackets:
        take = min(left, size)
        reserved += take * rate
        left -= take
    return reserved


EVICTION_MEMORY_MIB = 100
"""evictionHard memory.available on both clouds (GKE node sizing page; nodeadm config.go:110-114)."""


def _disk(pool: GpuPool) -> str:
    local = pool.local_disks
    return f"{local.count} x {local.bytes_each / 1e9:g} GB local NVMe" if local else f"{pool.disk_size_gb} GB disk"


def _gke(pool: GpuPool) -> NodeResources:
    mem_mib = pool.memory_gib * 1024
    # The kernel keeps memory before the kubelet sees it: reserved.go `CalculateKernelReserved`.
    kernel = mem_mib / 64 + 16 + (64 if mem_mib > 3 * 1024 else 0)
    capacity = mem_mib - kernel
    memory = capacity - _gke_memory_reserved_mib(capacity) - EVICTION_MEMORY_MIB
    return NodeResources(
        cpu_m=int(pool.vcpus * 1000 - _cpu_reserved_m(pool.vcpus)),
        memory_bytes=int(memory * MIB),
        ephemeral_bytes=ephemeral_bytes("gke", pool.disk_size_gb, pool.local_disks),
        gpu_units=pool.units_per_node,
        basis=f"{_disk(pool)}, GKE COS",
    )


EKS_MAX_PODS = {"g5.xlarge": 58, "g6.xlarge": 58, "g6e.xlarge": 58, "g6.12xlarge": 234, "p4d.24xlarge": 737, "p4de.24xlarge": 737, "p5.48xlarge": 100}
"""nodeadm's maxPods = ENIs x (IPv4 per ENI - 1) + 2 (amazon-eks-ami@v20260724 nodeadm eni_max_pods.go:61-77);
only the types whose ENI limits were checked. p4de.24xlarge has p4d.24xlarge's network (unverified)."""
EKS_DEFAULT_MAX_PODS = 110
"""nodeadm's maxPods for a type it does not know (eni_max_pods.go:28); used for the unchecked types."""


def _eks(pool: GpuPool) -> NodeResources:
    max_pods = EKS_MAX_PODS.get(pool.machine_type, EKS_DEFAULT_MAX_PODS)
    # kubeReserved memory 11 MiB per pod + 255 MiB, ephemeral 1 GiB (nodeadm config.go:283-287, 442-444);
    # evictionHard nodefs.available 10%. Bottlerocket's reservations are not modelled (unverified).
    memory = pool.memory_gib * 1024 - (11 * max_pods + 255) - EVICTION_MEMORY_MIB
    return NodeResources(
        cpu_m=int(pool.vcpus * 1000 - _cpu_reserved_m(pool.vcpus)),
        memory_bytes=int(memory * MIB),
        ephemeral_bytes=ephemeral_bytes("eks", pool.disk_size_gb, pool.local_disks),
        gpu_units=pool.units_per_node,
        basis=f"{_disk(pool)}, EKS AL2023, maxPods {max_pods}",
    )


def _existing(pool: GpuPool) -> NodeResources:
    # Only the declared shape is known: no reservations are assumed and the disk is not checked.
    return NodeResources(
        cpu_m=pool.vcpus * 1000,
        memory_bytes=pool.memory_gib * GIB,
        ephemeral_bytes=None,
        gpu_units=pool.units_per_node,
        basis="declared node shape, reservations unknown",
    )


GKE_GPU_TAINT = Taint(key=NVIDIA_GPU, value="present", effect="NoSchedule")
"""GKE taints every GPU node itself (shared/reference/clouds.md section 2); EKS pools carry inferfleet's own in `taints`."""


def node_taints(pool: GpuPool, provider: Literal["gke", "eks", "existing"]) -> tuple[Taint, ...]:
    """Every taint a node of the pool carries: inferfleet's, and the cloud's own (once, if inferfleet also sets it)."""
    return pool.taints + ((GKE_GPU_TAINT,) if provider == "gke" and GKE_GPU_TAINT not in pool.taints else ())


def node_group(pool: GpuPool, provider: Literal["gke", "eks", "existing"], gpu_resource: str) -> NodeGroup:
    allocatable = {"gke": _gke, "eks": _eks, "existing": _existing}[provider](pool)
    # inferfleet labels the nodes it creates; of an existing cluster's it knows only the labels that select them.
    labels = dict(pool.node_labels) if pool.created else dict(pool.selector)
    return NodeGroup(
        pool.name, labels, node_taints(pool, provider), allocatable, pool.max_nodes, gpu_resource,
        # On local NVMe the boot disk holds no ephemeral storage, so no boot disk size is a fix.
        provider, pool.disk_size_gb if pool.created and pool.local_disks is None else None,
    )
