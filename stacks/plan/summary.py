"""The plan's summary: what will be created, per layer, pool and model, in a platform engineer's words."""

from __future__ import annotations

import math
from collections import Counter
from typing import Sequence

from components.cloud.values import GpuPool
from components.platform import LAYERS
from components.serving.values import ModelService

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
        # Who starts the nodes decides whether the minimum cost is real: Karpenter keeps no minimum.
        started = f" started by {pool.autoscaler}" if pool.autoscaler in ("karpenter", "cluster-autoscaler") else ""
        lines.append(
            f"  {pool.name:<12} {pool.gpus_per_node} x {pool.gpu} on {pool.machine_type}, {pool.min_nodes}-{pool.max_nodes} "
            f"{bought}nodes{started}: up to {pool.max_gpus} GPUs{units}; {cost}"
        )
        if price:
            priced += 1
            low += price * _running_min(pool, platform.serving.models)
            high += price * pool.max_nodes
    lines += ["", "Models:"]
    for m in platform.serving.models:
        lines.append(
            f"  {m.name:<12} {m.model_id} in {m.namespace}, {m.replicas}-{m.max_replicas} x {m.tensor_parallel} GPU on pool {m.pool}; "
            f"KV cache {m.fit.kv_budget_gib} GiB/GPU = {m.fit.kv_tokens} tokens ({m.fit.full_length_sequences} x {m.fit.max_model_len})"
        )
    if not platform.serving.models:
        lines.append("  (none)")
    if priced:
        partial = "" if priced == len(platform.pools) else f" ({priced} of {len(platform.pools)} pools priced)"
        lines += ["", f"GPU list price: ${low:.2f}/h at minimum size, ${high:.2f}/h at maximum size{partial}"]
    else:
        lines += ["", "GPU list price: unknown (no catalog price for these nodes)"]
    lines += [f"warning: {w}" for w in plan.warnings]
    return "\n".join(lines)


def _running_min(pool: GpuPool, models: Sequence[ModelService]) -> int:
    """Nodes the pool runs at least: nodes.min, or what the models' minimum replicas need when more.

    Autoscalers start nodes for pending pods, so a pool at nodes.min 0 (every Karpenter pool) still
    runs the nodes its models' minimum replicas ask for.
    """
    units = sum(m.replicas * m.tensor_parallel for m in models if m.pool == pool.name)
    return max(pool.min_nodes, math.ceil(units / pool.units_per_node))
