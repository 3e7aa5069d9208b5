"""The plan's summary: what will be created, per layer, pool and model, in a platform engineer's words."""

from __future__ import annotations

from collections import Counter

from components.platform import LAYERS

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
        units = f", {pool.max_units} x nvidia.com/gpu as {shared_as}" if pool.units_per_gpu > 1 else ""
        bought = "" if platform.cluster.provider == "existing" else f"{pool.capacity} "
        lines.append(
            f"  {pool.name:<12} {pool.gpus_per_node} x {pool.gpu} on {pool.machine_type}, {pool.min_nodes}-{pool.max_nodes} "
            f"{bought}nodes: up to {pool.max_gpus} GPUs{units}; {cost}"
        )
        if price:
            priced += 1
            low += price * pool.min_nodes
            high += price * pool.max_nodes
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
    lines += [f"warning: {w}" for w in (*platform.serving.warnings, *plan.warnings)]
    return "\n".join(lines)
