"""Resolve the cloud layer: the cluster inferfleet creates (or an existing one) and its GPU pools.

Pure Python: pools get a machine from the catalog, capacity, zones, labels and taints; the
cluster gets its network, endpoint and system pool. Problems are collected, not raised.
"""

from __future__ import annotations

import ipaddress
import math
from dataclasses import dataclass, replace
from typing import Literal

from ..catalog import gpus as gpu_catalog
from ..catalog.gpus import NVIDIA_GPU, CatalogError, Gpu, Machine, MigProfile
from ..core import names
from ..core.problems import Problems, check_nodes
from ..core.spec import Taint
from ..core.versions import DEFAULT_PINS
from . import values as v
from .spec import ClusterSpec, EksClusterSpec, ExistingClusterSpec, GkeClusterSpec, NodePool, Sharing


@dataclass(frozen=True)
class CloudValues:
    """The cloud layer resolved: what the cloud components take and the layers above read."""

    cluster: v.Cluster
    pools: tuple[v.GpuPool, ...]


def resolve(
    cluster: ClusterSpec,
    node_pools: dict[str, NodePool],
    problems: Problems,
    *,
    default_name: str,
    kubernetes_version: str,
    protect: bool,
    autoscaler_image: str = DEFAULT_PINS.cluster_autoscaler_image,
) -> CloudValues:
    """The cluster and every pool (by name, in name order); a pool with problems is left out."""
    resolved_cluster = resolve_cluster(cluster, problems, default_name=default_name, kubernetes_version=kubernetes_version, protect=protect)
    if isinstance(cluster, EksClusterSpec) and cluster.node_autoscaler == "cluster-autoscaler":
        _check_autoscaler_image(autoscaler_image, kubernetes_version, problems)
    pools = []
    for name, pool in sorted(node_pools.items()):
        resolved = resolve_pool(name, pool, cluster, problems)
        if resolved is not None:
            pools.append(resolved)
    return CloudValues(resolved_cluster, _dra_labels(tuple(pools)))


def _dra_labels(pools: tuple[v.GpuPool, ...]) -> tuple[v.GpuPool, ...]:
    """Keep the GPU Operator off DRA nodes while other pools use its device plugin.

    Its validator waits for the device plugin's resources on every node it runs on
    (gpu-operator@v26.7.0 cmd/nvidia-validator/main.go:1447-1467) and drops that wait only when the
    device plugin is off cluster-wide (controllers/object_controls.go:2464-2468): then (every
    operator pool on DRA) the GPU layer turns the device plugin off instead, keeping the MIG manager.
    """
    plugin_pools = [p for p in pools if p.allocation == "device-plugin" and p.device_plugin == "operator"]
    if not plugin_pools or not any(p.allocation == "dra" for p in pools):
        return pools
    return tuple(
        replace(p, node_labels={**p.node_labels, gpu_catalog.DEPLOY_OPERANDS_LABEL: "false"}) if p.allocation == "dra" else p
        for p in pools
    )


SYSTEM_MACHINE = {"gke": "e2-standard-8", "eks": "m7i.2xlarge"}
VPC_PREFIX_MAX = 20
"""A new EKS VPC is split in eight per-zone blocks; below /20 a zone gets fewer than 512 addresses."""


def resolve_cluster(c: ClusterSpec, problems: Problems, *, default_name: str, kubernetes_version: str, protect: bool) -> v.Cluster:
    """The cluster; problems found are added, and the values are still returned so pools can be checked."""
    if isinstance(c, ExistingClusterSpec):
        return v.ExistingCluster(name=c.name, context=c.context, install_driver=c.install_driver)
    _check_zones("cluster.zones", c.zones, c.region, problems, separator="-" if c.provider == "gke" else "")
    check_nodes("cluster.systemPool.nodes", c.system_pool.nodes.min, c.system_pool.nodes.max, problems)
    system = v.SystemPool(
        machine_type=c.system_pool.machine_type or SYSTEM_MACHINE[c.provider],
        min_nodes=c.system_pool.nodes.min,
        max_nodes=c.system_pool.nodes.max,
        disk_size_gb=c.system_pool.disk_size_gb,
    )
    name = c.name or default_name
    _check_derived_names(c, name, default_name, problems)
    if isinstance(c, GkeClusterSpec):
        return _gke(c, problems, name=name, system=system, kubernetes_version=kubernetes_version, protect=protect)
    return _eks(c, problems, name=name, system=system, kubernetes_version=kubernetes_version, protect=protect)


def _gke(c: GkeClusterSpec, problems: Problems, *, name: str, system: v.SystemPool, kubernetes_version: str, protect: bool) -> v.GkeCluster:
    net = c.network
    # The system pool starts at least one node in each zone (initial_node_count is per zone), never above its max.
    started = len(c.zones) * max(1, math.ceil(system.min_nodes / len(c.zones)))
    if started > system.max_nodes >= system.min_nodes:
        problems.add(
            "cluster.systemPool.nodes.max",
            f"GKE starts {started} system nodes, one or more in each of the {len(c.zones)} zones; valid: max >= {started}",
        )
    if c.preflight.in_plan:
        problems.add(
            "cluster.preflight.inPlan",
            "the GKE preflight asks pulumi-gcp data sources, which only a real pulumi preview or up can answer; remove inPlan",
        )
    if (net.network is None) != (net.subnetwork is None):
        problems.add("cluster.network.subnetwork", "an existing network needs both network and subnetwork; set both or neither")
    if c.endpoint.private:
        # GKE: a private endpoint accepts only private ranges ("is not a reserved network, which is required for
        # private endpoints", GoogleCloudPlatform/cluster-toolkit#3364). `is_private` is broader than RFC 1918.
        for cidr in c.endpoint.authorized_networks:
            if not any(ipaddress.ip_network(cidr).subnet_of(block) for block in RFC1918):  # type: ignore[arg-type]
                problems.add(
                    "cluster.endpoint.authorizedNetworks",
                    f"{cidr} is not a private (RFC 1918) range; a private GKE endpoint accepts only ranges within "
                    "10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16",
                )
    return v.GkeCluster(
        name=name,
        project=c.project,
        region=c.region,
        # A zonal cluster lives in the first zone in name order, not list order: reordering `zones`
        # must not move (replace) the cluster. Zones are kept sorted so no list order reaches the cloud.
        location=c.region if c.regional else min(c.zones),
        zones=tuple(sorted(c.zones)),
        release_channel=c.release_channel,
        kubernetes_version=kubernetes_version,
        create_network=net.network is None,
        network=net.network,
        subnetwork=net.subnetwork,
        node_cidr=net.node_cidr,
        pods_cidr=net.pods_cidr,
        services_cidr=net.services_cidr,
        private_endpoint=c.endpoint.private,
        authorized_networks=c.endpoint.authorized_networks,
        managed_dcgm=c.managed_dcgm,
        system_pool=system,
        deletion_protection=protect,
    )


RFC1918 = tuple(ipaddress.ip_network(block) for block in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"))
OPEN_CIDRS = ("0.0.0.0/0", "::/0")


def _eks_public_endpoint(c: EksClusterSpec, problems: Problems) -> bool:
    """Whether the public endpoint stays on: Pulumi outside the VPC needs it, limited to the runner's CIDRs."""
    endpoint = c.endpoint
    if not endpoint.private:
        if endpoint.runner_in_network:
            problems.add("cluster.endpoint.runnerInNetwork", "only with private: true; set private: true or remove runnerInNetwork")
        return True
    if endpoint.runner_in_network:
        if endpoint.authorized_networks:
            problems.add(
                "cluster.endpoint.authorizedNetworks",
                "restricts the public endpoint, which runnerInNetwork: true turns off; remove authorizedNetworks",
            )
        return False
    # The program creates the VPC, then talks to the cluster it made: from outside that VPC only a
    # public endpoint answers (review 2026-12-01-cloud-audit.md finding 2).
    if not endpoint.authorized_networks or any(cidr in OPEN_CIDRS for cidr in endpoint.authorized_networks):
        problems.add(
            "cluster.endpoint.authorizedNetworks",
            "a private EKS endpoint is out of reach of a Pulumi run outside the VPC; list the runner's public CIDRs "
            "(not 0.0.0.0/0) for a restricted public endpoint, or set runnerInNetwork: true",
        )
    return True


def _eks(c: EksClusterSpec, problems: Problems, *, name: str, system: v.SystemPool, kubernetes_version: str, protect: bool) -> v.EksCluster:
    net = c.network
    if net.vpc_id is None:
        letters = [z[-1] for z in c.zones]
        if any(not ("a" <= letter <= "g") for letter in letters) or len(set(letters)) != len(letters):
            problems.add(
                "cluster.zones",
                "each zone gets subnets by its letter; valid: zones ending in distinct letters a-g, e.g. us-east-1a, us-east-1b",
            )
        if ipaddress.ip_network(net.vpc_cidr).prefixlen > VPC_PREFIX_MAX:
            problems.add(
                "cluster.network.vpcCidr",
                f"{net.vpc_cidr} leaves too few pod addresses per zone (the VPC CNI gives every pod a VPC address); "
                f"valid: a /{VPC_PREFIX_MAX} or larger block, e.g. 10.0.0.0/16",
            )
    if (net.vpc_id is None) != (not net.subnet_ids):
        problems.add("cluster.network.subnetIds", "an existing VPC needs vpcId and subnetIds together; set both or neither")
    elif net.subnet_ids and len(net.subnet_ids) < 2:
        problems.add("cluster.network.subnetIds", f"EKS needs subnets in at least two zones, got {len(net.subnet_ids)}")
    return v.EksCluster(
        name=name,
        region=c.region,
        zones=c.zones,
        kubernetes_version=kubernetes_version,
        create_network=net.vpc_id is None,
        vpc_cidr=net.vpc_cidr,
        vpc_id=net.vpc_id,
        subnet_ids=net.subnet_ids,
        public_endpoint=_eks_public_endpoint(c, problems),
        public_access_cidrs=c.endpoint.authorized_networks,
        admins=c.admins,
        ami_type="BOTTLEROCKET_x86_64_NVIDIA" if c.ami == "bottlerocket" else "AL2023_x86_64_NVIDIA",
        node_autoscaler=c.node_autoscaler,
        ami=c.ami,
        ami_version=c.ami_version,
        support_type=c.support_type,
        log_retention_days=c.log_retention_days,
        kms_key_arn=c.kms_key_arn,
        system_pool=system,
        deletion_protection=protect,
    )


EKS_ROLE_SUFFIX = "-cloud-ebs-csi"
"""The longest suffix of an EKS IAM role's resource name after the platform's name (cloud/eks.py, platform.py)."""
AUTONAME_SUFFIX = 8
"""Pulumi names a resource without an explicit name `<resource name>-<7 random hex>`
(pulumi/pulumi-terraform-bridge@v3.136.0 pkg/tfbridge/info/autonaming.go:94-98, AutoName: Randlen 7 after
the separator); pulumi-aws autonames aws_iam_role with a maximum of 64 (pulumi/pulumi-aws
provider/resources.go `"name": tfbridge.AutoName("name", 64, "-")`, read through code search, not at
the pinned v7.51.1: that repository is too large to fetch here), and an over-long name fails `pulumi up`
(pulumi/pulumi@v3.259.0 sdk/go/common/resource/resource_id.go:102-105)."""


def _check_derived_names(c: GkeClusterSpec | EksClusterSpec, name: str, default_name: str, problems: Problems) -> None:
    """Names inferfleet derives from the project and stack names must pass the cloud's own rules."""
    rule = names.RULES["gke-cluster" if c.provider == "gke" else "eks-cluster"]
    problem = None if c.name else names.check_rule(rule, name)
    if problem:
        problems.add(
            "cluster.name",
            f"not set, so derived from the project and stack names as {names.show_value(name)}, which is not "
            f"{rule.what}: {problem}; set cluster.name",
        )
    if c.provider == "eks":
        role = f"{default_name}{EKS_ROLE_SUFFIX}"
        problem = names.check("iam-role", role + "-" + "0" * (AUTONAME_SUFFIX - 1))
        if problem:
            longest = names.IAM_ROLE.max_length - AUTONAME_SUFFIX - len(EKS_ROLE_SUFFIX)
            problems.add(
                "cluster",
                f"the IAM role names derived from the project and stack names, such as {names.show_value(role)} and "
                f"Pulumi's {AUTONAME_SUFFIX}-character suffix, are not IAM role names: {problem}; "
                f"valid: <project>-<stack> of at most {longest} characters (it is {len(default_name)})",
            )


def _check_autoscaler_image(image: str, kubernetes_version: str, problems: Problems) -> None:
    # "We recommend using the latest Cluster Autoscaler release that corresponds to the minor version of
    # Kubernetes" (kubernetes/autoscaler@cluster-autoscaler-1.35.0 cluster-autoscaler/README.md:111-112).
    minor = ".".join(image.removeprefix("v").split(".")[:2])
    if minor != kubernetes_version:
        problems.add(
            "versions.clusterAutoscalerImage",
            f"{image} is cluster-autoscaler {minor}, but the cluster runs Kubernetes {kubernetes_version}; "
            f"valid: a v{kubernetes_version}.<patch> tag",
        )


def _check_zones(path: str, zones: tuple[str, ...], region: str, problems: Problems, *, separator: str) -> None:
    # A GCP zone is its region, '-' and a letter (us-central1-a); an AWS zone its region and a letter (us-east-1a).
    outside = [z for z in zones if z[:-1] != region + separator]
    if outside:
        problems.add(path, f"{', '.join(outside)} not in region {region}; use zones of {region}, e.g. {region}{separator}a")
    if len(set(zones)) != len(zones):
        problems.add(path, "lists a zone twice; list each zone once")


RESERVED_LABEL_PREFIXES = ("inferfleet.dev/", "kubernetes.io/", "k8s.io/", "nvidia.com/", "cloud.google.com/", "eks.amazonaws.com/")
CLOUD_CAPACITY = {
    "gke": ("on-demand", "spot", "reservation", "flex-start", "queued"),
    "eks": ("on-demand", "spot", "reservation", "capacity-block"),
}
GPU_TAINT_VALUE = {"gke": "present", "eks": "true"}
"""The GPU taint inferfleet sets on the nodes it creates. GKE adds `nvidia.com/gpu=present:NoSchedule` only
to a GPU pool added beside a non-GPU pool (review finding 10), so it is set explicitly, with GKE's value, as
cluster-toolkit modules/compute/gke-node-pool/main.tf `gpu_taint` does; EKS sets none (pitfall 38)."""
ONE_ZONE = {"reservation": "a reservation", "capacity-block": "a Capacity Block"}
"""Capacities bound to one zone, and what the error calls them."""
MIG_USABLE = 0.95
"""Share of a MIG slice's nominal memory CUDA can use (1g.10gb gives about 9.5 GiB)."""


def resolve_pool(name: str, spec: NodePool, cluster: ClusterSpec, problems: Problems) -> v.GpuPool | None:
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
    machine = _machine(path, spec, cluster, problems)
    mig = _mig(path, spec, problems)
    _check_rules(path, spec, cluster, problems)
    if problems.count() > before or machine is None:
        return None
    return _pool(name, spec, cluster, gpu, machine, mig)


def _machine(path: str, spec: NodePool, cluster: ClusterSpec, problems: Problems) -> Machine | None:
    """The pool's machine: the catalog's for the clusters inferfleet creates, as declared for others."""
    cloud = cluster.provider
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


def _check_rules(path: str, spec: NodePool, cluster: ClusterSpec, problems: Problems) -> None:
    """How nodes are bought, where they run and how they are labelled."""
    cloud = cluster.provider
    if spec.reservation is not None and spec.capacity not in ("reservation", "capacity-block"):
        problems.add(
            f"{path}.reservation",
            f"not used with capacity: {spec.capacity}; a reservation needs capacity: reservation or capacity-block",
        )
    if spec.capacity in ("reservation", "capacity-block") and spec.reservation is None:
        problems.add(f"{path}.reservation", f"required with capacity: {spec.capacity}; name the reservation")
    if cloud in CLOUD_CAPACITY and spec.capacity not in CLOUD_CAPACITY[cloud]:
        problems.add(f"{path}.capacity", f"'{spec.capacity}' is not offered on {cloud.upper()}; valid: {', '.join(CLOUD_CAPACITY[cloud])}")
    # A GCE reservation and an EC2 capacity reservation or Capacity Block are each bound to one zone
    # (review 2026-12-01-cloud-audit.md finding 4); nodes in any other zone find no capacity.
    if spec.capacity in ONE_ZONE and spec.reservation is not None and len(spec.zones or ()) != 1:
        problems.add(f"{path}.zones", f"{ONE_ZONE[spec.capacity]} lives in one zone; list exactly that zone")
    if spec.capacity in ("queued", "flex-start") and spec.nodes.min > 0:
        # Every static or repaired node is a new DWS request (cluster-toolkit modules/compute/gke-node-pool, "DWS Flex Start").
        problems.add(f"{path}.nodes.min", f"{spec.capacity} pools get nodes on request and start from 0; set min: 0")
    elif isinstance(cluster, GkeClusterSpec) and spec.nodes.min <= spec.nodes.max and spec.nodes.min % len(spec.zones or cluster.zones):
        # GKE starts initial_node_count in each zone (pulumi-gcp 10.2.0 container/node_pool.py initial_node_count:
        # "the number of nodes per zone"), so only a min that divides evenly starts exactly min nodes.
        zones = len(spec.zones or cluster.zones)
        problems.add(
            f"{path}.nodes.min",
            f"GKE starts the same number of nodes in each of the pool's {zones} zones; valid: 0 or a multiple of {zones}",
        )
    if spec.suspend and not isinstance(cluster, EksClusterSpec):
        problems.add(
            f"{path}.suspend",
            "only on EKS, where inferfleet scales a node group or Karpenter NodePool to zero for an upgrade; "
            "GKE surge-upgrades its pools itself and an existing cluster's pools are not inferfleet's; remove it",
        )
    if isinstance(cluster, EksClusterSpec) and cluster.node_autoscaler == "karpenter" and spec.nodes.min > 0:
        # A static NodePool (`replicas`) is alpha behind the staticCapacity gate (karpenter chart 1.14.1 values.yaml:243-245).
        problems.add(
            f"{path}.nodes.min",
            "Karpenter starts nodes for pending pods and keeps no minimum; set min: 0 or cluster.nodeAutoscaler: cluster-autoscaler",
        )
    if isinstance(cluster, EksClusterSpec) and cluster.ami == "bottlerocket":
        # Bottlerocket runs its own NVIDIA device plugin, configured by its settings API, and ignores the
        # GPU Operator's MIG and sharing labels; only time-slicing is written as settings (v1.25.0,
        # bottlerocket-os/bottlerocket@v1.26.0 CHANGELOG.md:29-42). MIG and MPS settings are unverified.
        if spec.mig is not None:
            problems.add(f"{path}.mig", "Bottlerocket's own device plugin serves these nodes and inferfleet does not configure its MIG; use cluster.ami: al2023 or drop mig")
        if spec.sharing is not None and spec.sharing.strategy == "mps":
            problems.add(
                f"{path}.sharing.strategy",
                "Bottlerocket's own device plugin serves these nodes and inferfleet configures only its time-slicing; use time-slicing or cluster.ami: al2023",
            )
    if not isinstance(cluster, ExistingClusterSpec):
        if spec.node_selector is not None:
            problems.add(f"{path}.nodeSelector", "only for cluster.provider: existing; inferfleet labels the pools it creates")
        extra = [z for z in spec.zones or () if z not in cluster.zones]
        if extra:
            problems.add(f"{path}.zones", f"{', '.join(extra)} not among cluster.zones; valid: {', '.join(cluster.zones)}")
    for key in spec.labels:
        if key.startswith(RESERVED_LABEL_PREFIXES):
            problems.add(f"{path}.labels", f"'{key}' uses a prefix inferfleet or the cloud manages; valid: any other prefix")


def _pool(name: str, spec: NodePool, cluster: ClusterSpec, gpu: Gpu, machine: Machine, mig: MigProfile | None) -> v.GpuPool:
    cloud = cluster.provider
    sharing = spec.sharing
    # On GKE, MIG and sharing are GKE's own (gpu_partition_size, gpu_sharing_config), so GKE's
    # device plugin serves those nodes; everywhere else the GPU Operator's does.
    # Bottlerocket's NVIDIA AMI ships a device plugin of its own, so the operator's is off there.
    bottlerocket = isinstance(cluster, EksClusterSpec) and cluster.ami == "bottlerocket"
    device_plugin: Literal["cloud", "operator"] = "cloud" if (cloud == "gke" and (mig or sharing)) or bottlerocket else "operator"
    user_taints = spec.taints
    cloud_taints = (Taint(key=NVIDIA_GPU, value=GPU_TAINT_VALUE[cloud], effect="NoSchedule"),) if cloud in GPU_TAINT_VALUE else ()
    zones = spec.zones or (() if isinstance(cluster, ExistingClusterSpec) else cluster.zones)
    offering = gpu.offerings.get("gke" if cloud == "gke" else "eks")
    return v.GpuPool(
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
        zones=tuple(sorted(zones)),  # list order must not reach the cloud (see _gke)
        disk_size_gb=spec.disk_size_gb,
        mig_profile=mig.name if mig else None,
        units_per_gpu=mig.per_gpu if mig else sharing.clients_per_gpu if sharing else 1,
        sharing=sharing,
        node_labels=_node_labels(name, spec, cloud, gpu, mig, sharing, device_plugin),
        taints=user_taints + cloud_taints,
        selector=spec.node_selector if spec.node_selector is not None else {v.POOL_LABEL: name},
        tolerations=user_taints + (Taint(key=NVIDIA_GPU, effect="NoSchedule"),),
        device_plugin=device_plugin,
        price=machine.price,
        created=not isinstance(cluster, ExistingClusterSpec),
        allocation=spec.allocation,
        instance_types=_instance_types(spec, cluster, machine),
        autoscaler=_autoscaler(cluster),
        # inferfleet puts ephemeral storage on the machine's NVMe only on the nodes it creates.
        local_disks=None if isinstance(cluster, ExistingClusterSpec) else gpu_catalog.local_disks(machine.name),
        suspended=spec.suspend,
    )


def _instance_types(spec: NodePool, cluster: ClusterSpec, machine: Machine) -> tuple[str, ...]:
    """The machine, and for Spot on EKS the catalog's other machines with the same GPUs: more Spot pools to draw from (review 18)."""
    if cluster.provider != "eks" or spec.capacity != "spot" or spec.machine_type is not None:
        return (machine.name,)
    same = [m.name for m in gpu_catalog.offering(spec.gpu, "eks").machines if m.gpus == spec.gpus_per_node and m.name != machine.name]
    return (machine.name, *same)


def _autoscaler(cluster: ClusterSpec) -> v.Autoscaler:
    if isinstance(cluster, EksClusterSpec):
        return cluster.node_autoscaler
    return "gke" if isinstance(cluster, GkeClusterSpec) else "declared"


def _node_labels(
    name: str, spec: NodePool, cloud: str, gpu: Gpu, mig: MigProfile | None, sharing: Sharing | None, device_plugin: str
) -> dict[str, str]:
    labels = {v.POOL_LABEL: name, **spec.labels}
    if cloud == "gke":
        # One advertiser of nvidia.com/gpu per node: turn off whichever of GKE's and the operator's is not used.
        if device_plugin == "operator":
            labels["gke-no-default-nvidia-gpu-device-plugin"] = "true"
        else:
            labels[gpu_catalog.DEPLOY_OPERANDS_LABEL] = "false"
    elif mig:
        # The GPU layer's mig-parted config holds a layout of this name (gpu.operator.mig_parted_config).
        labels[gpu_catalog.MIG_CONFIG_LABEL] = gpu_catalog.mig_config_name(gpu.name, mig.name)
    elif sharing:
        # The GPU layer's device-plugin config holds one key per sharing setting (gpu.operator.sharing_config).
        labels[gpu_catalog.DEVICE_PLUGIN_CONFIG_LABEL] = gpu_catalog.sharing_config_key(sharing.strategy, sharing.clients_per_gpu)
    return labels
