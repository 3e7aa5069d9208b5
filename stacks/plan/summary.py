"""The plan's summary: what will be created, per layer, pool and model, in a platform engineer's words."""

from __future__ import annotations

from collections import Counter

from components.catalog.gpus import DEPLOY_OPERANDS_LABEL
from components.catalog.prices import HOURS_PER_MONTH
from components.cloud.values import EksCluster, ExistingCluster, GkeCluster
from components.platform import LAYERS, PlatformValues

from . import cost
from .engine import Plan, Registered
from .render import is_manifest, manifests

HELM_CHART = "kubernetes:helm.sh/v4:Chart"


def layer_of(plan: Plan, resource: Registered) -> str:
    """The layer a resource belongs to: that of its nearest ancestor layer component."""
    by_urn = {r.urn: r for r in plan.resources}
    current: Registered | None = resource
    while current is not None:
        if current.type in LAYERS:
            return LAYERS[current.type]
        current = by_urn.get(current.parent) if current.parent else None
    return "platform"


def _usd(hourly: float) -> str:
    return f"${hourly:,.2f}/h (${hourly * HOURS_PER_MONTH:,.0f}/month)"


def created(plan: Plan) -> list[str]:
    """What `pulumi up` would create, in a platform engineer's words."""
    platform = plan.loaded.platform
    c = platform.cluster
    lines = []
    if isinstance(c, GkeCluster):
        regional = c.location == c.region
        lines.append(f"  cluster      GKE {'regional' if regional else 'zonal'} cluster {c.name} in {c.location} "
                     f"(project {c.project}), Kubernetes {c.kubernetes_version} or newer (min_master_version; the {c.release_channel} channel upgrades it)")
        lines.append(f"  network      new VPC {c.name}: nodes {c.node_cidr}, pods {c.pods_cidr}, Services {c.services_cidr}, "
                     "Cloud Router and Cloud NAT" if c.create_network else f"  network      existing {c.network}/{c.subnetwork}")
    elif isinstance(c, EksCluster):
        lines.append(f"  cluster      EKS cluster {c.name} in {c.region}, Kubernetes {c.kubernetes_version}")
        zones = len(c.zones)
        lines.append(f"  network      new VPC {c.vpc_cidr}: public and private subnets and a NAT gateway in each of {zones} zones"
                     if c.create_network else f"  network      existing VPC {c.vpc_id}, subnets {', '.join(c.subnet_ids)}")
    else:
        lines.append(f"  cluster      none: the existing cluster {c.name} (context {c.context or 'current'}) is used as it is")
    if isinstance(c, (GkeCluster, EksCluster)):
        s = c.system_pool
        lines.append(f"  system pool  {s.min_nodes}-{s.max_nodes} x {s.machine_type}, {s.disk_size_gb} GB disks, "
                     f"in {', '.join(sorted(c.zones))}")
    charts = sorted((r.inputs.get("name") or r.name, r.inputs["chart"], r.inputs["version"])
                    for r in plan.resources if r.type == HELM_CHART)
    lines.append("  charts       " + ", ".join(f"{release} ({chart.rsplit('/', 1)[-1]} {version})" for release, chart, version in charts))
    images = sorted({container["image"] for obj in manifests(plan) for container in _containers(obj)})
    lines.append("  images       " + (", ".join(images) or "(none besides the charts')"))
    return lines


def _containers(obj: dict) -> list[dict]:
    pod = ((obj.get("spec") or {}).get("template") or {}).get("spec") or {}
    return [*pod.get("initContainers", ()), *pod.get("containers", ())]


def summary(plan: Plan) -> str:
    platform = plan.loaded.platform
    custom = [r for r in plan.resources if r.custom and not r.type.startswith("pulumi:providers:")]
    per_layer = Counter(layer_of(plan, r) for r in custom)
    order = [*dict.fromkeys(LAYERS.values()), "platform"]
    lines = [
        f"inferfleet plan: stack {plan.stack} ({platform.cluster.provider}, "
        f"{'production' if platform.production else plan.loaded.spec.environment})",
        f"  {len(custom)} cloud and Kubernetes resources, of them {sum(1 for r in plan.resources if is_manifest(r))} "
        f"Kubernetes objects and {sum(1 for r in plan.resources if r.type == HELM_CHART)} Helm charts "
        f"({len(plan.resources)} Pulumi resources with providers and components)",
        "",
        "Creates:",
        *created(plan),
        "",
        "Resources per layer:",
        *(f"  {layer:<11} {per_layer[layer]}" for layer in order if per_layer[layer]),
        "",
        "GPU capacity:",
    ]
    for pool in platform.pools:
        shared_as = pool.mig_profile or (pool.sharing.strategy if pool.sharing else "")
        units = f", {pool.max_units} x {platform.gpu.resources[pool.name].name} as {shared_as}" if pool.units_per_gpu > 1 else ""
        bought = "" if platform.cluster.provider == "existing" else f"{pool.capacity} "
        # Who starts the nodes decides whether the minimum cost is real: Karpenter keeps no minimum.
        started = f" started by {pool.autoscaler}" if pool.autoscaler in ("karpenter", "cluster-autoscaler") else ""
        if pool.suspended:
            lines.append(
                f"  {pool.name:<12} SUSPENDED: 0 nodes and 0 Kueue quota until nodePools.{pool.name}.suspend is removed "
                f"(then {pool.min_nodes}-{pool.max_nodes} x {pool.machine_type} {bought}nodes{started})"
            )
            continue
        lines.append(
            f"  {pool.name:<12} {pool.gpus_per_node} x {pool.gpu} on {pool.machine_type}, {pool.min_nodes}-{pool.max_nodes} "
            f"{bought}nodes{started}: up to {pool.max_gpus} GPUs{units}, in {', '.join(sorted(pool.zones)) or 'any zone'}"
        )
    lines += ["", "Queues (Kueue ClusterQueues" + (f", cohort {platform.queueing.queues[0].cohort}" if platform.queueing.queues and platform.queueing.queues[0].cohort else "") + "):"]
    for q in platform.queueing.queues:
        shares = []
        for x in q.quotas:
            limits = "".join(
                f", {word} <= {quota.units}" for word, quota in (("borrows", x.borrowing), ("lends", x.lending)) if quota is not None
            )
            shares.append(f"{x.flavor} {x.nominal.units} units ({x.nominal.cpu_m // 1000} CPU, {x.nominal.memory_mi // 1024} GiB){limits}")
        lines.append(
            f"  {q.name:<12} {', '.join(shares) or 'no quota'}; namespaces {', '.join(q.namespaces) or 'none'}; "
            f"priority {q.priority or 'none'}"
        )
    for pool in platform.pools:
        left = pool.max_units - sum(x.nominal.units for q in platform.queueing.queues for x in q.quotas if x.flavor == pool.name)
        if left:
            lines.append(f"  (unassigned: {left} units of {pool.name})")
    lines += ["", "Models:"]
    for m in platform.serving.models:
        first, *rest = m.summary()
        lines += [f"  {m.name:<12} {first}", *(f"  {'':<12} {line}" for line in rest)]
    if not platform.serving.models:
        lines.append("  (none)")
    lines += ["", *_cost_lines(plan)]
    lines += gpu_notes(platform)
    lines += [f"warning: {w}" for w in (*platform.serving.warnings, *plan.warnings)]
    return "\n".join(lines)


def gpu_notes(platform: PlatformValues) -> list[str]:
    """What the plan cannot do itself: label an existing cluster's nodes, or watch GKE-served GPUs."""
    c = platform.cluster
    notes = []
    if isinstance(c, ExistingCluster):
        for pool in platform.pools:
            # The GPU Operator picks a node's MIG layout or sharing config by these labels.
            operator_labels = {k: v for k, v in pool.node_labels.items() if k.startswith("nvidia.com/")}
            if operator_labels:
                selector = ",".join(f"{k}={v}" for k, v in pool.selector.items())
                pairs = " ".join(f"{k}={v}" for k, v in operator_labels.items())
                notes.append(f"pool {pool.name}: label its nodes yourself: kubectl label nodes -l {selector} {pairs} --overwrite")
    if isinstance(c, GkeCluster) and not c.managed_dcgm:
        unwatched = [p.name for p in platform.pools if p.device_plugin == "cloud"]
        if unwatched:
            notes.append(
                f"pools {', '.join(unwatched)}: no GPU metrics in Prometheus (GKE's device plugin serves MIG and shared GPUs, "
                "so the operator's DCGM exporter does not run there); set cluster.managedDcgm: true for GKE's"
            )
    dark = [p.name for p in platform.pools if p.device_plugin == "operator" and p.node_labels.get(DEPLOY_OPERANDS_LABEL) == "false"]
    if dark:
        notes.append(
            f"pools {', '.join(dark)}: no GPU metrics in Prometheus (DRA pools beside device-plugin pools run no operator "
            "operands, DCGM exporter included); put every GPU pool on allocation: dra to keep them"
        )
    return ["", "GPU notes:", *(f"  {n}" for n in notes)] if notes else []


def _cost_lines(plan: Plan) -> list[str]:
    estimate = cost.cost(plan)
    sources = list(dict.fromkeys(i.source for i in estimate.items))
    mark = {source: f"[{n}]" for n, source in enumerate(sources, 1)}
    lines = ["Cost (USD, before discounts, taxes and traffic):"]
    width = max((len(i.what) for i in estimate.items), default=0)
    for i in estimate.items:
        lines.append(f"  {i.what:<{width}}  at minimum {_usd(i.low)}, at maximum {_usd(i.high)} {mark[i.source]}")
    for what in estimate.unpriced:
        lines.append(f"  not priced: {what}")
    if estimate.items:
        partial = " (without what is not priced)" if estimate.unpriced else ""
        label = "estimate" if estimate.estimated else "list price"
        lines.append(f"  total ({label}){partial}: at minimum {_usd(estimate.low)}, at maximum {_usd(estimate.high)}")
    for name, hourly in estimate.per_model:
        lines.append(f"  model {name}: its minimum replicas' share of GPU nodes {_usd(hourly)}")
    lines += [f"  {mark[source]} {source}" for source in sources]
    return lines
