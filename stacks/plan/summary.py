"""The plan's summary: what will be created, per layer, pool and model, in a platform engineer's words."""

from __future__ import annotations

from collections import Counter

from components.catalog.prices import HOURS_PER_MONTH
from components.cloud.values import EksCluster, GkeCluster
from components.platform import LAYERS

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
        units = f", {pool.max_units} x nvidia.com/gpu as {shared_as}" if pool.units_per_gpu > 1 else ""
        bought = "" if platform.cluster.provider == "existing" else f"{pool.capacity} "
        lines.append(
            f"  {pool.name:<12} {pool.gpus_per_node} x {pool.gpu} on {pool.machine_type}, {pool.min_nodes}-{pool.max_nodes} "
            f"{bought}nodes: up to {pool.max_gpus} GPUs{units}, in {', '.join(sorted(pool.zones)) or 'any zone'}"
        )
    lines += ["", "Models:"]
    for m in platform.serving.models:
        lines.append(
            f"  {m.name:<12} {m.model_id} in {m.namespace}, {m.replicas}-{m.max_replicas} x {m.tensor_parallel} GPU on pool {m.pool}; "
            f"KV cache {m.fit.kv_budget_gib} GiB/GPU = {m.fit.kv_tokens} tokens ({m.fit.full_length_sequences} x {m.fit.max_model_len})"
        )
    if not platform.serving.models:
        lines.append("  (none)")
    lines += ["", *_cost_lines(plan)]
    lines += [f"warning: {w}" for w in plan.warnings]
    return "\n".join(lines)


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
