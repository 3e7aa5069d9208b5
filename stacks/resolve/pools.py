"""GPU node pools: a machine from the catalog, capacity, and how pods find and tolerate the nodes."""

from __future__ import annotations

from typing import Literal

from components import resolved as r
from components.catalog import gpus as gpu_catalog
from components.catalog.gpus import CatalogError, Gpu, Machine, MigProfile

from ..schema import ExistingClusterSpec, NodePool, StackSpec
from .problems import Problems, check_nodes

RESERVED_LABEL_PREFIXES = ("inferfleet.dev/", "kubernetes.io/", "k8s.io/", "nvidia.com/", "cloud.google.com/", "eks.amazonaws.com/")
CLOUD_CAPACITY = {
    "gke": ("on-demand", "spot", "reservation", "flex-start", "queued"),
    "eks": ("on-demand", "spot", "reservation", "capacity-block"),
}
MIG_USABLE = 0.95
"""Share of a MIG slice's nominal memory CUDA can use (1g.10gb gives about 9.5 GiB)."""


def resolve_pool(name: str, spec: NodePool, stack: StackSpec, problems: Problems) -> r.GpuPool | None:
    path = f"nodePools.{name}"
    before = problems.count()
    if name == "system":
        problems.add(path, "'system' names the pool for platform components; choose another name")
    check_nodes(f"{path}.nodes", spec.nodes.min, spec.nodes.max, problems)
    try:
        gpu = gpu_catalog.gpu(spec.gpu)
    except CatalogError as e:
        problems.add(f"{path}.gpu", str(e))
        return None
    machine = _machine(path, spec, stack, problems)
    mig = _mig(path, spec, problems)
    _check_rules(path, spec, stack, problems)
    if problems.count() > before or machine is None:
        return None
    return _pool(name, spec, stack, gpu, machine, mig)


def _machine(path: str, spec: NodePool, stack: StackSpec, problems: Problems) -> Machine | None:
    """The pool's machine: the catalog's for the clusters inferfleet creates, as declared for others."""
    cloud = stack.cluster.provider
    if cloud == "existing":
        if spec.node is None:
            problems.add(f"{path}.node", "required for an existing cluster: the vCPUs and memory of one node, e.g. {vcpus: 48, memoryGib: 384}")
            return None
        return Machine(spec.machine_type or "existing", spec.gpus_per_node, spec.node.vcpus, spec.node.memory_gib, None)
    if spec.node is not None:
        problems.add(f"{path}.node", "only for cluster.provider: existing; the catalog knows the machines inferfleet creates")
    # Each question narrows the last, and each answer belongs to its own key.
    questions = (
        ("gpu", lambda: gpu_catalog.offering(spec.gpu, cloud)),
        ("gpusPerNode", lambda: gpu_catalog.machine(spec.gpu, cloud, spec.gpus_per_node)),
        ("machineType", lambda: gpu_catalog.machine(spec.gpu, cloud, spec.gpus_per_node, spec.machine_type)),
    )
    for field, ask in questions:
        try:
            answer = ask()
        except CatalogError as e:
            problems.add(f"{path}.{field}", str(e))
            return None
    assert isinstance(answer, Machine)
    return answer


def _mig(path: str, spec: NodePool, problems: Problems) -> MigProfile | None:
    if spec.mig is None:
        return None
    if spec.sharing is not None:
        problems.add(f"{path}.sharing", "cannot be combined with mig on one pool; choose mig or sharing")
    try:
        return gpu_catalog.mig_profile(spec.gpu, spec.mig)
    except CatalogError as e:
        problems.add(f"{path}.mig", str(e))
        return None


def _check_rules(path: str, spec: NodePool, stack: StackSpec, problems: Problems) -> None:
    """How nodes are bought, where they run and how they are labelled."""
    cloud = stack.cluster.provider
    if spec.reservation is not None and spec.capacity not in ("reservation", "capacity-block"):
        problems.add(
            f"{path}.reservation",
            f"not used with capacity: {spec.capacity}; a reservation needs capacity: reservation or capacity-block",
        )
    if spec.capacity in ("reservation", "capacity-block") and spec.reservation is None:
        problems.add(f"{path}.reservation", f"required with capacity: {spec.capacity}; name the reservation")
    if cloud in CLOUD_CAPACITY and spec.capacity not in CLOUD_CAPACITY[cloud]:
        problems.add(f"{path}.capacity", f"'{spec.capacity}' is not offered on {cloud.upper()}; valid: {', '.join(CLOUD_CAPACITY[cloud])}")
    if spec.capacity == "capacity-block" and len(spec.zones or ()) != 1:
        problems.add(f"{path}.zones", "a Capacity Block lives in one zone; list exactly that zone")
    if spec.capacity == "queued" and spec.nodes.min > 0:
        problems.add(f"{path}.nodes.min", "queued-provisioning pools start from 0 nodes; set min: 0")
    if not isinstance(stack.cluster, ExistingClusterSpec):
        if spec.node_selector is not None:
            problems.add(f"{path}.nodeSelector", "only for cluster.provider: existing; inferfleet labels the pools it creates")
        extra = [z for z in spec.zones or () if z not in stack.cluster.zones]
        if extra:
            problems.add(f"{path}.zones", f"{', '.join(extra)} not among cluster.zones; valid: {', '.join(stack.cluster.zones)}")
    for key in spec.labels:
        if key.startswith(RESERVED_LABEL_PREFIXES):
            problems.add(f"{path}.labels", f"'{key}' uses a prefix inferfleet or the cloud manages; valid: any other prefix")


def _pool(name: str, spec: NodePool, stack: StackSpec, gpu: Gpu, machine: Machine, mig: MigProfile | None) -> r.GpuPool:
    cloud = stack.cluster.provider
    sharing = r.GpuSharing(spec.sharing.strategy, spec.sharing.clients_per_gpu) if spec.sharing else None
    # On GKE, MIG and sharing are GKE's own (gpu_partition_size, gpu_sharing_config), so GKE's
    # device plugin serves those nodes; everywhere else the GPU Operator's does.
    device_plugin: Literal["cloud", "operator"] = "cloud" if cloud == "gke" and (mig or sharing) else "operator"
    user_taints = tuple(r.Taint(t.key, t.value, t.effect) for t in spec.taints)
    # GKE taints GPU nodes itself; EKS does not, so inferfleet does (pitfall 38).
    cloud_taints = (r.Taint(r.GPU_TAINT_KEY, "true", "NoSchedule"),) if cloud == "eks" else ()
    zones = spec.zones or (() if isinstance(stack.cluster, ExistingClusterSpec) else stack.cluster.zones)
    offering = gpu.offerings.get("gke" if cloud == "gke" else "eks")
    return r.GpuPool(
        name=name,
        gpu=gpu.name,
        accelerator=offering.accelerator if offering else gpu.name.lower(),
        machine_type=machine.name,
        gpus_per_node=spec.gpus_per_node,
        vcpus=machine.vcpus,
        memory_gib=machine.memory_gib,
        gpu_memory_gib=mig.memory_gb * MIG_USABLE if mig else gpu.usable_gib,
        min_nodes=spec.nodes.min,
        max_nodes=spec.nodes.max,
        capacity=spec.capacity,
        reservation=spec.reservation,
        zones=tuple(zones),
        disk_size_gb=spec.disk_size_gb,
        mig_profile=mig.name if mig else None,
        units_per_gpu=mig.per_gpu if mig else sharing.clients_per_gpu if sharing else 1,
        sharing=sharing,
        node_labels=_node_labels(name, spec, cloud, mig, sharing, device_plugin),
        taints=user_taints + cloud_taints,
        selector=spec.node_selector if spec.node_selector is not None else {r.POOL_LABEL: name},
        tolerations=user_taints + (r.Taint(r.GPU_TAINT_KEY, "", "NoSchedule"),),
        device_plugin=device_plugin,
        price=machine.price,
    )


def _node_labels(
    name: str, spec: NodePool, cloud: str, mig: MigProfile | None, sharing: r.GpuSharing | None, device_plugin: str
) -> dict[str, str]:
    labels = {r.POOL_LABEL: name, **spec.labels}
    if cloud == "gke":
        # One advertiser of nvidia.com/gpu per node: turn off whichever of GKE's and the operator's is not used.
        if device_plugin == "operator":
            labels["gke-no-default-nvidia-gpu-device-plugin"] = "true"
        else:
            labels["nvidia.com/gpu.deploy.operands"] = "false"
    elif mig:
        labels["nvidia.com/mig.config"] = f"all-{mig.name}"
    elif sharing:
        labels["nvidia.com/device-plugin.config"] = name
    return labels
