"""Resolve a validated stack into the platform it describes, checking what spans several keys.

Pure Python, no Pulumi: pools get concrete machines and capacity, models get placement, vLLM
arguments and a memory fit, Kueue gets flavors whose quota is the pools' capacity. Every
problem found is collected and raised together as a `ConfigError`.
"""

from __future__ import annotations

import ipaddress
import math
from typing import Literal, Mapping

from components import resolved as r
from components.catalog import gpus as gpu_catalog
from components.catalog.gpus import CatalogError
from components.catalog.models import MODELS, PRECISION_BYTES
from components.sizing import DISK_HEADROOM_GB, Architecture, Fit, disk_gb_for_weights, fit
from components.versions import Pins, pins_with

from .errors import ConfigError, Problem
from .rules import environment_problems
from .schema import EksClusterSpec, GkeClusterSpec, ModelSpec, NodePool, StackSpec

DEFAULT_MAX_MODEL_LEN = 8192
DEFAULT_UTILIZATION = 0.92
SYSTEM_NAMESPACES = frozenset({"default", "kube-system", "kube-public", "kube-node-lease", "gpu-operator", "kueue-system"})
MANAGED_FLAGS = (
    "--port", "--served-model-name", "--tensor-parallel-size", "-tp", "--gpu-memory-utilization",
    "--max-num-seqs", "--max-model-len", "--enable-prefix-caching", "--no-enable-prefix-caching",
    "--quantization", "-q", "--kv-cache-dtype", "--model",
)
RESERVED_LABEL_PREFIXES = ("inferfleet.dev/", "kubernetes.io/", "k8s.io/", "nvidia.com/", "cloud.google.com/", "eks.amazonaws.com/")
CLOUD_CAPACITY = {
    "gke": ("on-demand", "spot", "reservation", "flex-start", "queued"),
    "eks": ("on-demand", "spot", "reservation", "capacity-block"),
}
SYSTEM_MACHINE = {"gke": "e2-standard-8", "eks": "m7i.2xlarge"}
VPC_PREFIX_MAX = 20
"""A new EKS VPC is split in eight per-zone blocks; below /20 a zone gets fewer than 512 addresses."""
CPU_SHARE = 0.85
"""Share of a node's vCPUs and memory given to model pods; the rest is kubelet and daemons."""
MEMORY_SHARE = 0.8


class _Problems:
    def __init__(self) -> None:
        self.items: list[Problem] = []

    def add(self, path: str, message: str) -> None:
        self.items.append(Problem(path, message))


def resolve(spec: StackSpec, *, project: str, stack: str) -> r.Platform:
    problems = _Problems()
    cloud = spec.cluster.provider
    production = spec.environment == "production"
    protect = production if spec.cluster.provider == "existing" or spec.cluster.protect is None else spec.cluster.protect
    pins = pins_with(spec.versions.model_dump(exclude_none=True))
    cluster = _cluster(spec, problems, project=project, stack=stack, pins=pins, protect=protect)

    pools: dict[str, r.GpuPool] = {}
    for name, pool in sorted(spec.node_pools.items()):
        resolved = _pool(name, pool, spec, problems)
        if resolved is not None:
            pools[name] = resolved

    models = []
    for name, model in sorted(spec.models.items()):
        resolved_model = _model(name, model, spec, pools, pins, problems)
        if resolved_model is not None:
            models.append(resolved_model)
    _check_capacity(spec, pools, models, problems)

    for problem in environment_problems(spec):
        problems.add(problem.path, problem.message)
    if spec.monitoring.grafana and spec.grafana_admin_password is None:
        problems.add(
            "monitoring.grafana",
            "Grafana needs an admin password; set it with: pulumi config set --secret inferfleet:grafanaAdminPassword <password>",
        )
    if problems.items:
        raise ConfigError(sorted(set(problems.items)))

    assert cluster is not None
    namespaces = tuple(
        r.Namespace(ns, tuple(m.name for m in models if m.namespace == ns), hf_token=spec.hf_token is not None)
        for ns in sorted({m.namespace for m in models})
    )
    return r.Platform(
        name=f"{project}-{stack}",
        production=production,
        protect=protect,
        cluster=cluster,
        pools=tuple(pools.values()),
        models=tuple(models),
        namespaces=namespaces,
        queueing=_queueing(tuple(pools.values())),
        monitoring=r.Monitoring(
            enabled=spec.monitoring.enabled,
            namespace=spec.monitoring.namespace,
            release="kube-prometheus-stack",
            grafana=spec.monitoring.grafana,
            retention=spec.monitoring.retention,
        ),
        pins=pins,
    )


def _cluster(spec: StackSpec, problems: _Problems, *, project: str, stack: str, pins: Pins, protect: bool) -> r.Cluster | None:
    c = spec.cluster
    default_name = f"{project}-{stack}"
    if spec.kubeconfig is not None and c.provider != "existing":
        problems.add("kubeconfig", f"only used with cluster.provider: existing, not {c.provider}; remove it")
    if c.provider == "existing":
        if spec.kubeconfig is None:
            problems.add(
                "kubeconfig",
                "required with cluster.provider: existing; set it with: "
                "pulumi config set --secret inferfleet:kubeconfig < ~/.kube/config",
            )
        return r.ExistingCluster(name=c.name, context=c.context, install_driver=c.install_driver)
    _check_zones("cluster.zones", c.zones, c.region, problems, example=f"{c.region}-a" if c.provider == "gke" else f"{c.region}a")
    _check_nodes("cluster.systemPool.nodes", c.system_pool.nodes.min, c.system_pool.nodes.max, problems)
    system = r.SystemPool(
        machine_type=c.system_pool.machine_type or SYSTEM_MACHINE[c.provider],
        min_nodes=c.system_pool.nodes.min,
        max_nodes=c.system_pool.nodes.max,
        disk_size_gb=c.system_pool.disk_size_gb,
    )
    if isinstance(c, GkeClusterSpec):
        net = c.network
        if (net.network is None) != (net.subnetwork is None):
            problems.add("cluster.network.subnetwork", "an existing network needs both network and subnetwork; set both or neither")
        return r.GkeCluster(
            name=c.name or default_name,
            project=c.project,
            region=c.region,
            location=c.region if c.regional else c.zones[0],
            zones=c.zones,
            release_channel=c.release_channel,
            kubernetes_version=pins.kubernetes,
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
    assert isinstance(c, EksClusterSpec)
    net_e = c.network
    if net_e.vpc_id is None:
        letters = [z[-1] for z in c.zones]
        if any(not ("a" <= letter <= "g") for letter in letters) or len(set(letters)) != len(letters):
            problems.add(
                "cluster.zones",
                "each zone gets subnets by its letter; valid: zones ending in distinct letters a-g, e.g. us-east-1a, us-east-1b",
            )
        if ipaddress.ip_network(net_e.vpc_cidr).prefixlen > VPC_PREFIX_MAX:
            problems.add(
                "cluster.network.vpcCidr",
                f"{net_e.vpc_cidr} leaves too few pod addresses per zone (the VPC CNI gives every pod a VPC address); "
                f"valid: a /{VPC_PREFIX_MAX} or larger block, e.g. 10.0.0.0/16",
            )
    if (net_e.vpc_id is None) != (not net_e.subnet_ids):
        problems.add("cluster.network.subnetIds", "an existing VPC needs vpcId and subnetIds together; set both or neither")
    elif net_e.subnet_ids and len(net_e.subnet_ids) < 2:
        problems.add("cluster.network.subnetIds", f"EKS needs subnets in at least two zones, got {len(net_e.subnet_ids)}")
    return r.EksCluster(
        name=c.name or default_name,
        region=c.region,
        zones=c.zones,
        kubernetes_version=pins.kubernetes,
        create_network=net_e.vpc_id is None,
        vpc_cidr=net_e.vpc_cidr,
        vpc_id=net_e.vpc_id,
        subnet_ids=net_e.subnet_ids,
        private_endpoint=c.endpoint.private,
        public_access_cidrs=c.endpoint.authorized_networks,
        admins=c.admins,
        ami_type="BOTTLEROCKET_x86_64_NVIDIA" if c.ami == "bottlerocket" else "AL2023_x86_64_NVIDIA",
        kms_key_arn=c.kms_key_arn,
        system_pool=system,
        deletion_protection=protect,
    )


def _check_zones(path: str, zones: tuple[str, ...], region: str, problems: _Problems, *, example: str) -> None:
    outside = [z for z in zones if not z.startswith(region + "-") and not (z.startswith(region) and z[len(region):].isalpha())]
    if outside:
        problems.add(path, f"{', '.join(outside)} not in region {region}; use zones of {region}, e.g. {example}")
    if len(set(zones)) != len(zones):
        problems.add(path, "lists a zone twice; list each zone once")


def _check_nodes(path: str, low: int, high: int, problems: _Problems) -> None:
    if low > high:
        problems.add(f"{path}.min", f"{low} is more than max {high}; min must be <= max")


def _pool(name: str, spec: NodePool, stack: StackSpec, problems: _Problems) -> r.GpuPool | None:
    path = f"nodePools.{name}"
    cloud = stack.cluster.provider
    catalog_cloud = "gke" if cloud == "gke" else "eks"  # an existing cluster uses only GPU facts
    before = len(problems.items)
    if name == "system":
        problems.add(path, "'system' names the pool for platform components; choose another name")
    _check_nodes(f"{path}.nodes", spec.nodes.min, spec.nodes.max, problems)
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
    if len(problems.items) > before:
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


def _architecture(name: str, spec: ModelSpec, problems: _Problems) -> tuple[Architecture, int, float, bool] | None:
    """(architecture at the chosen precision, context, download GB, gated) or None if unknown."""
    info = MODELS.get(spec.model)
    if spec.size is not None:
        s = spec.size
        arch = Architecture(s.layers, s.kv_heads, s.head_dim, s.weights_gb)
        return arch, s.context, s.weights_gb, bool(spec.gated)
    if info is None:
        known = ", ".join(MODELS)
        problems.add(
            f"models.{name}.model",
            f"'{spec.model}' is not in the model catalog; describe it with models.{name}.size "
            f"(weightsGb, layers, kvHeads, headDim) or use one of: {known}",
        )
        return None
    arch = Architecture(info.layers, info.kv_heads, info.head_dim, info.weights_gb[spec.precision])
    gated = info.gated if spec.gated is None else spec.gated
    return arch, info.context, info.weights_gb["bf16"], gated


def _model(
    name: str, spec: ModelSpec, stack: StackSpec, pools: Mapping[str, r.GpuPool], pins: Pins, problems: _Problems
) -> r.ModelService | None:
    path = f"models.{name}"
    before = len(problems.items)
    if spec.pool not in stack.node_pools:
        problems.add(f"{path}.pool", f"no node pool '{spec.pool}'; valid: {', '.join(sorted(stack.node_pools))}")
    if spec.namespace in SYSTEM_NAMESPACES | {stack.monitoring.namespace}:
        problems.add(f"{path}.namespace", f"'{spec.namespace}' is a system namespace; choose another, e.g. inference")
    if spec.replicas.min > spec.replicas.max:
        problems.add(f"{path}.replicas.min", f"{spec.replicas.min} is more than max {spec.replicas.max}; min must be <= max")
    for arg in spec.vllm.extra_args:
        flag = arg.split("=", 1)[0]
        if flag in MANAGED_FLAGS:
            problems.add(f"{path}.vllm.extraArgs", f"'{flag}' is set by inferfleet; use the model's own keys (gpus, maxModelLen, vllm.*)")
    described = _architecture(name, spec, problems)
    if described is not None:
        arch, context, download_gb, gated = described
        if gated and stack.hf_token is None:
            problems.add(
                f"{path}.model",
                f"{spec.model} is gated on Hugging Face and needs a token; "
                "set it with: pulumi config set --secret inferfleet:hfToken <token>",
            )
    pool = pools.get(spec.pool)
    if described is None or pool is None or len(problems.items) > before:
        return None

    if pool.mig_profile and spec.gpus != 1:
        problems.add(f"{path}.gpus", f"MIG slices cannot be combined for tensor parallelism; valid on pool {pool.name}: 1")
        return None
    if pool.sharing and spec.gpus != 1:
        problems.add(f"{path}.gpus", f"a shared GPU cannot be combined for tensor parallelism; valid on pool {pool.name}: 1")
        return None
    divisors = [d for d in range(1, pool.gpus_per_node + 1) if pool.gpus_per_node % d == 0]
    if spec.gpus not in divisors:
        problems.add(
            f"{path}.gpus",
            f"{spec.gpus} does not divide the {pool.gpus_per_node} GPUs of a {pool.machine_type} node in pool {pool.name}; "
            f"valid: {', '.join(map(str, divisors))}",
        )
        return None

    shared_by = pool.sharing.clients_per_gpu if pool.sharing else 1
    utilization = spec.vllm.gpu_memory_utilization or round(DEFAULT_UTILIZATION / shared_by, 2)
    if shared_by > 1 and utilization * shared_by > 0.95:
        problems.add(
            f"{path}.vllm.gpuMemoryUtilization",
            f"{utilization} x {shared_by} pods sharing a GPU is more than the GPU; valid: <= {math.floor(95 / shared_by) / 100}",
        )
        return None
    max_len = spec.max_model_len or min(DEFAULT_MAX_MODEL_LEN, context)
    if max_len > context:
        problems.add(f"{path}.maxModelLen", f"{max_len} is longer than the model's context of {context}; valid: <= {context}")
        return None
    kv_bytes = PRECISION_BYTES["fp8"] if spec.kv_cache_dtype == "fp8" else PRECISION_BYTES["bf16"]

    def fit_at(architecture: Architecture, tp: int) -> Fit:
        return fit(architecture, device_gib=pool.gpu_memory_gib, tp=tp, utilization=utilization, max_model_len=max_len, kv_bytes=kv_bytes)

    result = fit_at(arch, spec.gpus)
    if not result.fits:
        larger = [d for d in divisors if d > spec.gpus] if not (pool.mig_profile or pool.sharing) else []
        options = []
        if result.kv_budget_gib > 0 and result.kv_tokens >= 256:
            options.append(f"maxModelLen <= {(result.kv_tokens // 256) * 256}")
        more = next((d for d in larger if fit_at(arch, d).fits), None)
        if more is not None:
            options.append(f"gpus: {more}")
        info = MODELS.get(spec.model)
        if spec.precision == "bf16" and info is not None and spec.size is None:
            fp8 = Architecture(arch.layers, arch.kv_heads, arch.head_dim, info.weights_gb["fp8"])
            tp8 = next((d for d in [spec.gpus, *larger] if fit_at(fp8, d).fits), None)
            if tp8 is not None:
                options.append("precision: fp8" + (f" with gpus: {tp8}" if tp8 != spec.gpus else ""))
        if pool.sharing and spec.vllm.gpu_memory_utilization is None:
            fewer = next(
                (c for c in range(pool.sharing.clients_per_gpu - 1, 1, -1)
                 if fit(arch, device_gib=pool.gpu_memory_gib, tp=1, utilization=round(DEFAULT_UTILIZATION / c, 2),
                        max_model_len=max_len, kv_bytes=kv_bytes).fits),
                None,
            )
            if fewer is not None:
                options.append(f"nodePools.{pool.name}.sharing.clientsPerGpu <= {fewer}")
        valid = ", or ".join(options) or "a pool with larger GPUs or more GPUs per node"
        device = f"{pool.gpu}{' ' + pool.mig_profile if pool.mig_profile else ''}"
        if result.kv_budget_gib <= 0:
            problems.add(
                f"{path}.gpus",
                f"{spec.model} ({spec.precision}) needs {result.weights_gib_per_gpu} GiB of weights per GPU at gpus: {spec.gpus}, "
                f"but one {device} gives vLLM {round(pool.gpu_memory_gib * utilization, 1)} GiB; valid: {valid}",
            )
        else:
            problems.add(
                f"{path}.maxModelLen",
                f"{max_len} tokens need {round(max_len * result.kv_bytes_per_token / 2**30, 2)} GiB of KV cache per GPU "
                f"but only {result.kv_budget_gib} GiB remain after the weights on one {device}; valid: {valid}",
            )
        return None

    share = spec.gpus / pool.gpus_per_node / shared_by if not pool.mig_profile else spec.gpus / pool.units_per_node
    cpu = max(1, math.floor(pool.vcpus * CPU_SHARE * share))
    memory = max(4, math.floor(pool.memory_gib * MEMORY_SHARE * share))
    args = [
        spec.model,
        "--port=8000",
        f"--served-model-name={spec.model}",
        f"--tensor-parallel-size={spec.gpus}",
        f"--gpu-memory-utilization={utilization}",
        f"--max-num-seqs={spec.vllm.max_num_seqs}",
        f"--max-model-len={max_len}",
        "--enable-prefix-caching" if spec.vllm.prefix_caching else "--no-enable-prefix-caching",
    ]
    if spec.precision == "fp8":
        args.append("--quantization=fp8")
    if spec.kv_cache_dtype == "fp8":
        args.append("--kv-cache-dtype=fp8")
    args.extend(spec.vllm.extra_args)
    return r.ModelService(
        name=name,
        namespace=spec.namespace,
        model_id=spec.model,
        pool=pool.name,
        gpus=spec.gpus,
        replicas=spec.replicas.min,
        max_replicas=spec.replicas.max,
        args=tuple(args),
        image=pins.vllm_image,
        cpu=str(cpu),
        memory=f"{memory}Gi",
        ephemeral_storage=f"{disk_gb_for_weights(download_gb)}G",
        shm_size="2Gi" if spec.gpus > 1 else "1Gi",
        gated=gated,
        hf_token=stack.hf_token is not None,
        node_selector=pool.selector,
        tolerations=pool.tolerations,
        fit=result,
        download_gb=download_gb,
    )


def _check_capacity(stack: StackSpec, pools: Mapping[str, r.GpuPool], models: list[r.ModelService], problems: _Problems) -> None:
    """Minimum replicas must fit the pool's maximum; weights of co-located replicas must fit the disk."""
    for pool in pools.values():
        placed = [m for m in models if m.pool == pool.name]
        need = sum(m.replicas * m.gpus for m in placed)
        if need > pool.max_units:
            listing = ", ".join(f"{m.name} {m.replicas} x {m.gpus}" for m in placed)
            problems.add(
                f"nodePools.{pool.name}.nodes.max",
                f"the minimum replicas placed here ({listing}) need {need} GPUs but {pool.max_nodes} node(s) give "
                f"{pool.max_units}; valid: nodes.max >= {math.ceil(need / pool.units_per_node)}",
            )
        if placed:
            per_node = max(
                (pool.units_per_node // m.gpus) * disk_gb_for_weights(m.download_gb) for m in placed
            )
            if per_node + DISK_HEADROOM_GB > pool.disk_size_gb and stack.cluster.provider != "existing":
                problems.add(
                    f"nodePools.{pool.name}.diskSizeGb",
                    f"{pool.disk_size_gb} GB cannot hold {per_node} GB of model weights per node plus "
                    f"{DISK_HEADROOM_GB} GB for the system; valid: >= {per_node + DISK_HEADROOM_GB}",
                )


def _queueing(pools: tuple[r.GpuPool, ...]) -> r.Queueing:
    flavors = tuple(
        r.Flavor(
            name=p.name,
            node_labels=p.selector,
            tolerations=p.tolerations,
            gpus=p.max_units,
            cpu=p.max_nodes * p.vcpus,
            memory_gib=p.max_nodes * p.memory_gib,
        )
        for p in pools
    )
    return r.Queueing(cluster_queue="serving", local_queue="serving", flavors=flavors)
