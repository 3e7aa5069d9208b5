"""Resolve the scheduling layer: a flavor per pool, the queues' shares of them, and the priorities.

Pure Python. Quotas come from the pools' capacity at their maximum size, declared once on the
pools; a queue's CPU and memory are its GPU share of the nodes. Problems name the config path.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Iterable, Literal, Mapping

from ..cloud.values import GpuPool
from ..core.problems import Problems
from ..gpu.values import GpuValues
from .nodes import node_taints
from .spec import SERVING, QueueSpec, SchedulingSpec, Share
from .values import ClusterQueue, Flavor, Priority, QueueQuota, Queueing, Quota

SYSTEM_NAMESPACES = frozenset({"default", "kube-system", "kube-public", "kube-node-lease", "gpu-operator", "kueue-system"})
"""Namespaces Kueue must never manage: its webhooks fail closed, so they would gate system pods."""
SERVING_PRIORITY = "realtime-inference"
RESERVED_NAME = "default"
"""A LocalQueue named `default` captures every unlabelled workload of its namespace (pkg/controller/jobframework/
defaults.go:80-98@v0.19.2); a priority class named so is reserved for Kueue's defaulting gate (constants.go:50-53)."""


def flavors(pools: tuple[GpuPool, ...], gpu: GpuValues, provider: Literal["gke", "eks", "existing"]) -> tuple[Flavor, ...]:
    """One flavor per pool (a MIG pool has one profile, so one flavor): its nodes' labels and taints."""
    return tuple(
        Flavor(
            name=p.name,
            node_labels=p.selector,
            node_taints=node_taints(p, provider),
            tolerations=p.tolerations,
            gpu_resource=gpu.resources[p.name].name,
            queued=p.capacity == "queued",
        )
        for p in pools
    )


def resolve(
    spec: SchedulingSpec,
    pools: tuple[GpuPool, ...],
    gpu: GpuValues,
    provider: Literal["gke", "eks", "existing"],
    problems: Problems,
    *,
    model_namespaces: Iterable[str],
    reserved_namespaces: Iterable[str] = (),
    pool_names: Iterable[str] = (),
) -> Queueing:
    """`pools` are the resolved pools; `pool_names` every pool the stack declares (a pool that failed
    to resolve is not reported again)."""
    by_pool = {p.name: p for p in pools}
    declared = sorted(set(pool_names) | set(by_pool))
    priorities = _priorities(spec, problems)
    namespaces = _namespaces(spec, sorted(set(model_namespaces)), SYSTEM_NAMESPACES | set(reserved_namespaces), problems)
    units = _units(spec, by_pool, declared, problems)
    queues = []
    for name, q in sorted(spec.queues.items()):
        path = f"scheduling.queues.{name}"
        if name == RESERVED_NAME:
            problems.add(path, "a LocalQueue named default captures every unlabelled workload in its namespaces; choose another name")
        _check_limits(path, spec, q, units.get(name, {}), problems)
        priority = q.priority or (SERVING_PRIORITY if name == SERVING and SERVING_PRIORITY in spec.priorities else None)
        if priority is not None and priority not in spec.priorities:
            problems.add(f"{path}.priority", f"no priority class '{priority}'; valid: {', '.join(sorted(spec.priorities))}")
        quotas = tuple(
            QueueQuota(
                p.name,
                _quota(p, units[name][p.name]),
                _quota(p, q.borrowing_limit[p.name]) if p.name in q.borrowing_limit else None,
                _quota(p, q.lending_limit[p.name]) if p.name in q.lending_limit else None,
            )
            for p in pools
            if p.name in units.get(name, {})
        )
        queues.append(
            ClusterQueue(
                name=name,
                namespaces=namespaces.get(name, ()),
                quotas=quotas,
                preemption=_preemption(path, name, q, spec, problems),
                priority=priority,
                strategy=q.queueing_strategy,
                cohort=spec.cohort,
                fair_sharing_weight=q.fair_sharing_weight,
            )
        )
    return Queueing(flavors(pools, gpu, provider), tuple(queues), priorities, spec.fair_sharing, gpu.device_class_mappings)


def _priorities(spec: SchedulingSpec, problems: Problems) -> tuple[Priority, ...]:
    if RESERVED_NAME in spec.priorities:
        problems.add(f"scheduling.priorities.{RESERVED_NAME}", "the name is reserved for Kueue's default priority; choose another name")
    return tuple(Priority(n, p.value, p.description) for n, p in sorted(spec.priorities.items()))


def _namespaces(spec: SchedulingSpec, model_namespaces: list[str], reserved: set[str] | frozenset[str], problems: Problems) -> dict[str, tuple[str, ...]]:
    """Each queue's namespaces; the serving queue takes the models' namespaces no other queue lists."""
    listed = {ns for q in spec.queues.values() for ns in q.namespaces or ()}
    out: dict[str, tuple[str, ...]] = {}
    owner: dict[str, str] = {}
    for name, q in sorted(spec.queues.items()):
        path = f"scheduling.queues.{name}.namespaces"
        if q.namespaces is None:
            if name != SERVING:
                problems.add(path, "required: the namespaces whose workloads use this queue, e.g. [training]")
                continue
            out[name] = tuple(ns for ns in model_namespaces if ns not in listed)
            continue
        for i, ns in enumerate(q.namespaces):
            if ns in reserved:
                problems.add(f"{path}[{i}]", f"'{ns}' is a system namespace, whose pods Kueue must never gate; choose another, e.g. training")
            elif ns in owner:
                problems.add(f"{path}[{i}]", f"'{ns}' already uses queue {owner[ns]}; a namespace holds one queue's LocalQueue")
            owner.setdefault(ns, name)
        out[name] = tuple(q.namespaces)
    return out


def _share(share: Share, pool: GpuPool) -> int:
    if isinstance(share, str):
        return math.floor(int(share.removesuffix("%")) * pool.max_units / 100)
    return share


def _units(spec: SchedulingSpec, pools: Mapping[str, GpuPool], declared: list[str], problems: Problems) -> dict[str, dict[str, int]]:
    """GPU units of each pool by queue; the one queue without `quota` gets what the others leave."""
    out: dict[str, dict[str, int]] = {}
    for name, q in sorted(spec.queues.items()):
        if q.quota is None:
            continue
        out[name] = {}
        for key, share in sorted(q.quota.items()):
            if key not in declared:
                problems.add(f"scheduling.queues.{name}.quota.{key}", f"no node pool '{key}'; valid: {', '.join(declared)}")
            elif key in pools:
                out[name][key] = _share(share, pools[key])
    rest = [name for name, q in sorted(spec.queues.items()) if q.quota is None]
    for name in rest[1:]:
        problems.add(
            f"scheduling.queues.{name}.quota",
            f"queues {', '.join(rest)} leave quota out, but only one may take what the others leave; give quota to all but one",
        )
    for pool in pools.values():
        taken = [(name, u[pool.name]) for name, u in sorted(out.items()) if pool.name in u]
        total = sum(n for _, n in taken)
        if total > pool.max_units:
            last, units = taken[-1]
            sums = " + ".join(f"{n} {u}" for n, u in taken)
            problems.add(
                f"scheduling.queues.{last}.quota.{pool.name}",
                f"{sums} = {total} units exceed {pool.name}'s {pool.max_units} ({pool.max_nodes} nodes x {pool.units_per_node}); "
                f"valid: {last} <= {max(0, pool.max_units - (total - units))}",
            )
        if rest:
            out[rest[0]] = {**out.get(rest[0], {}), pool.name: max(0, pool.max_units - total)}
        if pool.suspended:
            # A suspended pool runs no nodes (cloud layer): Kueue admits nothing there until it is resumed.
            for shares in out.values():
                if pool.name in shares:
                    shares[pool.name] = 0
    return out


def _check_limits(path: str, spec: SchedulingSpec, q: QueueSpec, units: Mapping[str, int], problems: Problems) -> None:
    for key, limits in (("borrowingLimit", q.borrowing_limit), ("lendingLimit", q.lending_limit)):
        if limits and spec.cohort is None:
            # Kueue rejects limits on a queue without a cohort (CRD CEL crd:clusterqueues:1357; clusterqueue_webhook.go:348-352).
            problems.add(f"{path}.{key}", "limits what a queue borrows or lends in its cohort, and needs scheduling.cohort; set a cohort or remove it")
            continue
        for pool, n in sorted(limits.items()):
            if pool not in units:
                problems.add(f"{path}.{key}.{pool}", f"the queue has no quota on pool '{pool}'; valid: {', '.join(sorted(units)) or 'none'}")
            elif key == "lendingLimit" and n > units[pool]:
                # clusterqueue_webhook.go:383-389: "must be less than or equal to the nominalQuota"
                problems.add(f"{path}.{key}.{pool}", f"{n} is more than the queue's quota of {units[pool]} units; valid: <= {units[pool]}")


def _preemption(path: str, name: str, q: QueueSpec, spec: SchedulingSpec, problems: Problems) -> dict[str, Any]:
    p = q.preemption
    out: dict[str, Any] = {
        "withinClusterQueue": p.within_cluster_queue or "LowerPriority",
        # Serving takes back what it lent at once; other queues only from lower priorities.
        "reclaimWithinCohort": p.reclaim_within_cohort or ("Any" if name == SERVING else "LowerPriority"),
    }
    b = p.borrow_within_cohort
    if b is not None:
        out["borrowWithinCohort"] = {"policy": b.policy, **({"maxPriorityThreshold": b.max_priority_threshold} if b.max_priority_threshold is not None else {})}
        if b.policy != "Never" and spec.fair_sharing:
            # Fair sharing never reads borrowWithinCohort (pkg/scheduler/preemption/preemption.go:155-159@v0.19.2).
            problems.add(f"{path}.preemption.borrowWithinCohort", "is ignored under fair sharing (scheduling.fairSharing: true); remove it or turn fair sharing off")
        if b.policy != "Never" and out["reclaimWithinCohort"] == "Never":
            # CRD CEL on spec.preemption (crd:clusterqueues:1184).
            problems.add(f"{path}.preemption.borrowWithinCohort", "needs reclaimWithinCohort other than Never; valid: LowerPriority or Any")
    return out


def _quota(pool: GpuPool, units: int) -> Quota:
    """`units` of the pool with its nodes' CPU and memory in the same proportion, floored so shares never sum past the pool."""
    nodes = pool.max_nodes
    return Quota(
        units,
        math.floor(units * nodes * pool.vcpus * 1000 / pool.max_units),
        math.floor(units * nodes * pool.memory_gib * 1024 / pool.max_units),
    )


@dataclass(frozen=True)
class ModelDemand:
    """What a model needs admitted at its minimum size (from the serving layer)."""

    name: str
    namespace: str
    pool: str
    units: int
    """GPU units per replica."""
    min_replicas: int


def max_units(queueing: Queueing, queue: ClusterQueue, flavor: str) -> int:
    """The most GPU units of `flavor` the queue can ever use: nominal, plus what its cohort lends,
    capped by its borrowing limit (pkg/cache/scheduler/resource_node.go:67-72, 129-142, 190-228@v0.19.2)."""

    def quota(q: ClusterQueue) -> QueueQuota | None:
        return next((x for x in q.quotas if x.flavor == flavor), None)

    def local(x: QueueQuota | None) -> int:
        return 0 if x is None or x.lending is None else max(0, x.nominal.units - x.lending.units)

    own = quota(queue)
    nominal = own.nominal.units if own else 0
    if queue.cohort is None:
        return nominal
    shared = sum(x.nominal.units - local(x) for q in queueing.queues if q.cohort == queue.cohort for x in [quota(q)] if x is not None)
    cap = local(own) + shared
    if own is not None and own.borrowing is not None:
        cap = min(cap, nominal + own.borrowing.units)
    return cap


def check_models(queueing: Queueing, pools: Mapping[str, GpuPool], models: Iterable[ModelDemand], problems: Problems) -> None:
    """Each model's namespace has a queue with quota on its pool, and the minimum replicas fit what that queue can use."""
    need: dict[tuple[str, str], list[ModelDemand]] = {}
    for m in sorted(models, key=lambda m: m.name):
        queue = queueing.queue_of(m.namespace)
        if queue is None:
            problems.add(
                f"models.{m.name}.namespace",
                f"'{m.namespace}' is in no queue's namespaces; valid: {', '.join(ns for q in queueing.queues for ns in q.namespaces) or 'none'}, "
                "or add it to a queue's namespaces",
            )
            continue
        if all(x.flavor != m.pool for x in queue.quotas):
            problems.add(
                f"models.{m.name}.pool",
                f"queue {queue.name} (namespace {m.namespace}) has no quota on pool {m.pool}; "
                f"valid: set scheduling.queues.{queue.name}.quota.{m.pool}, or a pool it has: {', '.join(x.flavor for x in queue.quotas) or 'none'}",
            )
            continue
        need.setdefault((queue.name, m.pool), []).append(m)
    for (name, pool), placed in sorted(need.items()):
        total = sum(m.min_replicas * m.units for m in placed)
        cap = max_units(queueing, queueing.queue(name), pool)
        # A pool too small for its models' minimum is the serving layer's nodePools.<p>.nodes.max error.
        if total > cap and total <= pools[pool].max_units:
            last = placed[-1]
            others = total - last.min_replicas * last.units
            listing = ", ".join(f"{m.name} {m.min_replicas} x {m.units}" for m in placed)
            if pools[pool].suspended:
                problems.add(
                    f"models.{last.name}.replicas.min",
                    f"the minimum replicas on queue {name} ({listing}) need {total} units of {pool}, which is suspended and runs no nodes; "
                    f"valid: replicas.min: 0 (or another pool) while nodePools.{pool}.suspend is true",
                )
                continue
            problems.add(
                f"models.{last.name}.replicas.min",
                f"the minimum replicas on queue {name} ({listing}) need {total} units of {pool} but the queue can use at most {cap}; "
                f"valid: replicas.min <= {max(0, (cap - others) // last.units)}, or more of scheduling.queues.{name}.quota.{pool}",
            )
