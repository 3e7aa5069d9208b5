"""The plan's summary: what will be created, per layer, pool and model, in a platform engineer's words."""

from __future__ import annotations

from collections import Counter

from components.catalog.gpus import DEPLOY_OPERANDS_LABEL
from components.cloud.values import ExistingCluster, GkeCluster
from components.platform import LAYERS, PlatformValues

from .engine import Plan, Registered
from .render import is_manifest

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


def summary(plan: Plan) -> str:
    platform = plan.loaded.platform
    custom = [r for r in plan.resources if r.custom and not r.type.startswith("pulumi:providers:")]
    per_layer = Counter(layer_of(plan, r) for r in custom)
    order = [*dict.fromkeys(LAYERS.values()), "platform"]
    lines = [
        f"inferfleet plan: stack {plan.stack} ({platform.cluster.provider}, "
        f"{'production' if platform.production else plan.loaded.spec.environment})",
        f"  {len(plan.resources)} registrations, {len(custom)} resources, "
        f"{sum(1 for r in plan.resources if is_manifest(r))} Kubernetes manifests, "
        f"{sum(1 for r in plan.resources if r.type == HELM_CHART)} Helm charts",
        "",
        "Resources per layer:",
        *(f"  {layer:<11} {per_layer[layer]}" for layer in order if per_layer[layer]),
        "",
        "GPU capacity:",
    ]
    low = high = 0.0
    priced = 0
    for pool in platform.pools:
        price = pool.price.usd_per_hour if pool.price else None
        cost = f"${price:.2f}/h per node" + (" (estimate)" if pool.price and pool.price.estimated else "") if price else "price unknown"
        shared_as = pool.mig_profile or (pool.sharing.strategy if pool.sharing else "")
        units = f", {pool.max_units} x {platform.gpu.resources[pool.name].name} as {shared_as}" if pool.units_per_gpu > 1 else ""
        bought = "" if platform.cluster.provider == "existing" else f"{pool.capacity} "
        lines.append(
            f"  {pool.name:<12} {pool.gpus_per_node} x {pool.gpu} on {pool.machine_type}, {pool.min_nodes}-{pool.max_nodes} "
            f"{bought}nodes: up to {pool.max_gpus} GPUs{units}; {cost}"
        )
        if price:
            priced += 1
            low += price * pool.min_nodes
            high += price * pool.max_nodes
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
    if priced:
        partial = "" if priced == len(platform.pools) else f" ({priced} of {len(platform.pools)} pools priced)"
        lines += ["", f"GPU list price: ${low:.2f}/h at minimum size, ${high:.2f}/h at maximum size{partial}"]
    else:
        lines += ["", "GPU list price: unknown (no catalog price for these nodes)"]
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
