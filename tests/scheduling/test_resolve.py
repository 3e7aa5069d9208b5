"""The scheduling spec resolved: queues' shares of the pools, and one line per bad config (issue point 7)."""

from __future__ import annotations

from typing import Any

import pytest

from components.core.problems import ConfigError

from ..conftest import GKE, config, resolved

POOLS = {
    "a100": {"gpu": "A100-80GB", "gpusPerNode": 8, "nodes": {"max": 2}, "diskSizeGb": 500},
    "l4": {"gpu": "L4", "nodes": {"max": 4}},
}
MODEL = {"qwen": {"model": "Qwen/Qwen3-8B", "pool": "l4"}}


def stack(scheduling: dict[str, Any], models: dict[str, Any] = MODEL) -> dict[str, Any]:
    return config(GKE, nodePools=POOLS, models=models, scheduling=scheduling)


def training(**queue: Any) -> dict[str, Any]:
    return {"namespaces": ["training"], "priority": "batch-training", **queue}


def test_queues_share_the_pools_and_serving_takes_the_rest() -> None:
    q = resolved(stack({"queues": {"serving": {}, "training": training(quota={"a100": "40%"}, lendingLimit={"a100": 4}), "team-a": {
        "namespaces": ["team-a"], "quota": {"l4": 0}, "borrowingLimit": {"l4": 2}}}})).queueing
    quota = {(cq.name, x.flavor): x for cq in q.queues for x in cq.quotas}
    # a100: 2 nodes x 8 = 16 units; 40% is 6, serving keeps 10. a2-ultragpu-8g: 96 vCPU, 1360 GiB per node.
    assert quota["training", "a100"].nominal.units == 6 and quota["serving", "a100"].nominal.units == 10
    assert quota["training", "a100"].nominal.cpu_m == 6 * 2 * 96 * 1000 // 16
    assert quota["training", "a100"].lending is not None and quota["training", "a100"].lending.units == 4
    assert quota["team-a", "l4"].nominal.units == 0 and quota["team-a", "l4"].borrowing is not None
    assert quota["serving", "l4"].nominal.units == 4
    assert {cq.name: cq.priority for cq in q.queues} == {"serving": "realtime-inference", "team-a": None, "training": "batch-training"}
    assert q.queue("serving").preemption == {"withinClusterQueue": "LowerPriority", "reclaimWithinCohort": "Any"}
    assert q.queue("training").preemption == {"withinClusterQueue": "LowerPriority", "reclaimWithinCohort": "LowerPriority"}
    assert q.workload_queues() == {"inference": ("serving", "realtime-inference"), "training": ("training", "batch-training"), "team-a": ("team-a", None)}
    assert [(p.name, p.value) for p in q.priorities] == [("batch-training", 100), ("realtime-inference", 1000)]


BAD = [
    ("quotas over capacity",
     stack({"queues": {"serving": {"quota": {"a100": 12, "l4": "100%"}}, "training": training(quota={"a100": 16})}}),
     ["inferfleet:scheduling.queues.training.quota.a100: serving 12 + training 16 = 28 units exceed a100's 16 (2 nodes x 8); valid: training <= 4"]),
    ("unknown pool",
     stack({"queues": {"serving": {}, "training": training(quota={"h100": 1})}}),
     ["inferfleet:scheduling.queues.training.quota.h100: no node pool 'h100'; valid: a100, l4"]),
    ("system namespace",
     stack({"queues": {"serving": {}, "training": training(namespaces=["kube-system"], quota={"a100": 1})}}),
     ["inferfleet:scheduling.queues.training.namespaces[0]: 'kube-system' is a system namespace, whose pods Kueue must never gate; "
      "choose another, e.g. training"]),
    ("a namespace in two queues",
     stack({"queues": {"serving": {"namespaces": ["inference"]}, "training": training(namespaces=["inference"], quota={"a100": 1})}}),
     ["inferfleet:scheduling.queues.training.namespaces[0]: 'inference' already uses queue serving; a namespace holds one queue's LocalQueue"]),
    ("a queue without namespaces",
     stack({"queues": {"serving": {}, "training": {"quota": {"a100": 1}}}}),
     ["inferfleet:scheduling.queues.training.namespaces: required: the namespaces whose workloads use this queue, e.g. [training]"]),
    ("limits without a cohort",
     stack({"cohort": None, "queues": {"serving": {}, "training": training(quota={"a100": 4}, borrowingLimit={"a100": 2}, lendingLimit={"a100": 2})}}),
     ["inferfleet:scheduling.queues.training.borrowingLimit: limits what a queue borrows or lends in its cohort, and needs scheduling.cohort; "
      "set a cohort or remove it",
      "inferfleet:scheduling.queues.training.lendingLimit: limits what a queue borrows or lends in its cohort, and needs scheduling.cohort; "
      "set a cohort or remove it"]),
    ("lending more than the quota",
     stack({"queues": {"serving": {}, "training": training(quota={"a100": 4}, lendingLimit={"a100": 6})}}),
     ["inferfleet:scheduling.queues.training.lendingLimit.a100: 6 is more than the queue's quota of 4 units; valid: <= 4"]),
    ("a limit on a pool without quota",
     stack({"queues": {"serving": {}, "training": training(quota={"a100": 4}, borrowingLimit={"l4": 1})}}),
     ["inferfleet:scheduling.queues.training.borrowingLimit.l4: the queue has no quota on pool 'l4'; valid: a100"]),
    ("borrowWithinCohort with fair sharing",
     stack({"fairSharing": True, "queues": {"serving": {"preemption": {"borrowWithinCohort": {"policy": "LowerPriority", "maxPriorityThreshold": 100}}}}}),
     ["inferfleet:scheduling.queues.serving.preemption.borrowWithinCohort: is ignored under fair sharing (scheduling.fairSharing: true); "
      "remove it or turn fair sharing off"]),
    ("borrowWithinCohort without reclaiming",
     stack({"queues": {"serving": {"preemption": {"reclaimWithinCohort": "Never", "borrowWithinCohort": {"policy": "LowerPriority"}}}}}),
     ["inferfleet:scheduling.queues.serving.preemption.borrowWithinCohort: needs reclaimWithinCohort other than Never; valid: LowerPriority or Any"]),
    ("unknown priority",
     stack({"queues": {"serving": {"priority": "gold"}}}),
     ["inferfleet:scheduling.queues.serving.priority: no priority class 'gold'; valid: batch-training, realtime-inference"]),
    ("a LocalQueue named default",
     stack({"queues": {"serving": {}, "default": {"namespaces": ["team-a"], "quota": {"l4": 0}}}}),
     ["inferfleet:scheduling.queues.default: a LocalQueue named default captures every unlabelled workload in its namespaces; choose another name"]),
    ("two queues take the rest",
     stack({"queues": {"serving": {}, "training": training()}}),
     ["inferfleet:scheduling.queues.training.quota: queues serving, training leave quota out, but only one may take what the others leave; "
      "give quota to all but one"]),
    ("a model whose queue has no quota for its pool",
     stack({"queues": {"serving": {"quota": {"a100": "100%"}}}}),
     ["inferfleet:models.qwen.pool: queue serving (namespace inference) has no quota on pool l4; valid: set scheduling.queues.serving.quota.l4, "
      "or a pool it has: a100"]),
    ("a model in no queue's namespace",
     stack({"queues": {"serving": {"namespaces": ["chat"]}}}),
     ["inferfleet:models.qwen.namespace: 'inference' is in no queue's namespaces; valid: chat, or add it to a queue's namespaces"]),
    ("minimum replicas never admissible",
     stack({"queues": {"serving": {}, "training": training(quota={"l4": 3}, lendingLimit={"l4": 0})}},
           models={"qwen": {"model": "Qwen/Qwen3-8B", "pool": "l4", "replicas": {"min": 2, "max": 4}}}),
     ["inferfleet:models.qwen.replicas.min: the minimum replicas on queue serving (qwen 2 x 1) need 2 units of l4 but the queue can use at most 1; "
      "valid: replicas.min <= 1, or more of scheduling.queues.serving.quota.l4"]),
    ("a percentage over 100",
     stack({"queues": {"serving": {"quota": {"l4": "150%"}}}}),
     ["inferfleet:scheduling.queues.serving.quota.l4: '150%' is not a share of a pool; valid: GPU units (0 or more) or a percentage "
      "0% to 100%, e.g. 40%"]),
]


@pytest.mark.parametrize(("values", "expected"), [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_each_bad_scheduling_config_is_one_line_with_its_path(values: dict[str, Any], expected: list[str]) -> None:
    with pytest.raises(ConfigError) as e:
        resolved(values)
    assert e.value.report().splitlines() == expected


def test_borrowing_from_the_cohort_makes_the_minimum_admissible() -> None:
    # The same demand as above is admissible once training lends what it does not use.
    ok = stack({"queues": {"serving": {}, "training": training(quota={"l4": 3})}},
               models={"qwen": {"model": "Qwen/Qwen3-8B", "pool": "l4", "replicas": {"min": 2, "max": 4}}})
    assert resolved(ok).queueing.queue("serving").quotas[1].nominal.units == 1
