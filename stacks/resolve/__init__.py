"""Resolve a validated stack into the platform it describes, checking what spans several keys.

Pure Python, no Pulumi: pools get concrete machines and capacity, models get placement, vLLM
arguments and a memory fit, Kueue gets flavors whose quota is the pools' capacity. Every
problem found is collected and raised together as a `ConfigError`.
"""

from __future__ import annotations

import math
from typing import Mapping

from components import resolved as r
from components.sizing import DISK_HEADROOM_GB, disk_gb_for_weights
from components.versions import pins_with

from ..errors import ConfigError
from ..rules import environment_problems
from ..schema import StackSpec
from .cluster import resolve_cluster
from .models import resolve_model
from .pools import resolve_pool
from .problems import Problems

__all__ = ["resolve"]


def resolve(spec: StackSpec, *, project: str, stack: str) -> r.Platform:
    problems = Problems()
    production = spec.environment == "production"
    protect = production if spec.cluster.provider == "existing" or spec.cluster.protect is None else spec.cluster.protect
    pins = pins_with(spec.versions.model_dump(exclude_none=True))
    cluster = resolve_cluster(spec, problems, project=project, stack=stack, pins=pins, protect=protect)

    pools: dict[str, r.GpuPool] = {}
    for name, pool in sorted(spec.node_pools.items()):
        resolved = resolve_pool(name, pool, spec, problems)
        if resolved is not None:
            pools[name] = resolved

    models = []
    for name, model in sorted(spec.models.items()):
        resolved_model = resolve_model(name, model, spec, pools, pins, problems)
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


def _check_capacity(stack: StackSpec, pools: Mapping[str, r.GpuPool], models: list[r.ModelService], problems: Problems) -> None:
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
            queued=p.capacity == "queued",
        )
        for p in pools
    )
    return r.Queueing(cluster_queue="serving", local_queue="serving", flavors=flavors)
