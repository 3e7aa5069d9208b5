"""GPU node pools: a machine from the catalog, capacity, and how pods find and tolerate the nodes."""

from __future__ import annotations

from typing import Literal

from components import resolved as r
from components.catalog import gpus as gpu_catalog
from components.catalog.gpus import CatalogError

from ..schema import NodePool, StackSpec
from .problems import Problems, check_nodes

RESERVED_LABEL_PREFIXES = ("inferfleet.dev/", "kubernetes.io/", "k8s.io/", "nvidia.com/", "cloud.google.com/", "eks.amazonaws.com/")
CLOUD_CAPACITY = {
    "gke": ("on-demand", "spot", "reservation", "flex-start", "queued"),
    "eks": ("on-demand", "spot", "reservation", "capacity-block"),
}


def resolve_pool(name: str, spec: NodePool, stack: StackSpec, problems: Problems) -> r.GpuPool | None:
    path = f"nodePools.{name}"
    cloud = stack.cluster.provider
    catalog_cloud = "gke" if cloud == "gke" else "eks"  # an existing cluster uses only GPU facts
    before = problems.count()
    if name == "system":
        problems.add(path, "'system' names the pool for platform components; choose another name")
    check_nodes(f"{path}.nodes", spec.nodes.min, spec.nodes.max, problems)
    try:
        gpu = gpu_catalog.gpu(spec.gpu)
    except CatalogError as e:
        problems.add(f"{path}.gpu", str(e))
        return None
    machine = None
    if cloud == "existing":
        if spec.node is None:
            problems.add(f"{path}.node", "required for an existing cluster: the vCPUs and memory of one node, e.g. {vcpus: 48, memoryGib: 384}")
        else:
            machine = gpu_catalog.Machine(spec.machine_type or "existing", spec.gpus_per_node, spec.node.vcpus, spec.node.memory_gib, None)
    else:
        if spec.node is not None:
            problems.add(f"{path}.node", "only for cluster.provider: existing; the catalog knows the machines inferfleet creates")
        try:
            gpu_catalog.offering(spec.gpu, catalog_cloud)
        except CatalogError as e:
            problems.add(f"{path}.gpu", str(e))
            return None
        for field, machine_type in (("gpusPerNode", None), ("machineType", spec.machine_type)):
            try:
                machine = gpu_catalog.machine(spec.gpu, catalog_cloud, spec.gpus_per_node, machine_type)
            except CatalogError as e:
                problems.add(f"{path}.{field}", str(e))
                break
    mig = None
    if spec.mig is not None:
        try:
            mig = gpu_catalog.mig_profile(spec.gpu, spec.mig)
        except CatalogError as e:
            problems.add(f"{path}.mig", str(e))
    if spec.mig is not None and spec.sharing is not None:
        problems.add(f"{path}.sharing", "cannot be combined with mig on one pool; choose mig or sharing")
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
    if spec.node_selector is not None and cloud != "existing":
        problems.add(f"{path}.nodeSelector", "only for cluster.provider: existing; inferfleet labels the pools it creates")
    if spec.zones is not None and cloud != "existing":
        cluster_zones = stack.cluster.zones  # type: ignore[union-attr]
        extra = [z for z in spec.zones if z not in cluster_zones]
        if extra:
            problems.add(f"{path}.zones", f"{', '.join(extra)} not among cluster.zones; valid: {', '.join(cluster_zones)}")
    for key in spec.labels:
        if key.startswith(RESERVED_LABEL_PREFIXES):
            problems.add(f"{path}.labels", f"'{key}' uses a prefix inferfleet or the cloud manages; valid: any other prefix")
    if problems.count() > before:
        return None

    assert machine is not None
    sharing = r.GpuSharing(spec.sharing.strategy, spec.sharing.clients_per_gpu) if spec.sharing else None
    units_per_gpu = mig.per_gpu if mig else sharing.clients_per_gpu if sharing else 1
    unit_memory = mig.memory_gb * 0.95 if mig else gpu.usable_gib
    device_plugin: Literal["cloud", "operator"] = "cloud" if cloud == "gke" and (mig or sharing) else "operator"
    labels = {r.POOL_LABEL: name, **spec.labels}
    if cloud == "gke":
        # GKE runs its own device plugin unless told not to; one advertiser per node.
        if device_plugin == "operator":
            labels["gke-no-default-nvidia-gpu-device-plugin"] = "true"
        else:
            labels["nvidia.com/gpu.deploy.operands"] = "false"
    elif mig:
        labels["nvidia.com/mig.config"] = f"all-{mig.name}"
    elif sharing:
        labels["nvidia.com/device-plugin.config"] = name
    user_taints = tuple(r.Taint(t.key, t.value, t.effect) for t in spec.taints)
    gpu_taint = r.Taint(r.GPU_TAINT_KEY, "true", "NoSchedule")
    cloud_taints = (gpu_taint,) if cloud == "eks" else ()  # GKE taints GPU nodes itself
    selector = spec.node_selector if spec.node_selector is not None else {r.POOL_LABEL: name}
    zones = spec.zones or (() if cloud == "existing" else stack.cluster.zones)  # type: ignore[union-attr]
    offering = gpu.offerings.get(catalog_cloud)
    return r.GpuPool(
        name=name,
        gpu=gpu.name,
        accelerator=offering.accelerator if offering else gpu.name.lower(),
        machine_type=machine.name,
        gpus_per_node=spec.gpus_per_node,
        vcpus=machine.vcpus,
        memory_gib=machine.memory_gib,
        gpu_memory_gib=unit_memory,
        min_nodes=spec.nodes.min,
        max_nodes=spec.nodes.max,
        capacity=spec.capacity,
        reservation=spec.reservation,
        zones=tuple(zones),
        disk_size_gb=spec.disk_size_gb,
        mig_profile=mig.name if mig else None,
        units_per_gpu=units_per_gpu,
        sharing=sharing,
        node_labels=labels,
        taints=user_taints + cloud_taints,
        selector=selector,
        tolerations=user_taints + (r.Taint(r.GPU_TAINT_KEY, "", "NoSchedule"),),
        device_plugin=device_plugin,
        price=machine.price,
    )
