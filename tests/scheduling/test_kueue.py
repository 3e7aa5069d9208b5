"""Kueue builders: flavors, the ClusterQueue and the controller configuration."""

from __future__ import annotations

import yaml

from components.core.budget import DEFAULT_BUDGET
import pytest

from components.cloud.values import POOL_LABEL
from components.scheduling import kueue
from components.scheduling.values import INFERENCE_NAMESPACE_LABEL

from ..conftest import GKE, config, resolved


def test_flavor_and_queue_quota_are_the_pool_capacity() -> None:
    platform = resolved(config(GKE, nodePools={
        "l4": {"gpu": "L4", "nodes": {"max": 3}},
        "a100": {"gpu": "A100-80GB", "gpusPerNode": 1, "mig": "1g.10gb", "nodes": {"max": 2}},
    }))
    flavors = {f.name: kueue.resource_flavor(f) for f in platform.queueing.flavors}
    assert flavors["a100"]["spec"]["nodeLabels"] == {POOL_LABEL: "a100"}
    q = platform.queueing
    cq = kueue.cluster_queue(q.queue("serving"), q.flavors, {f.name: f.name for f in q.flavors})
    quotas = {
        f["name"]: {r["name"]: r["nominalQuota"] for r in f["resources"]}
        for f in cq["spec"]["resourceGroups"][0]["flavors"]
    }
    # a2-ultragpu-1g: 12 vCPU, 170 GiB; 1 GPU split in 7 slices. g2-standard-8: 8 vCPU, 32 GiB.
    assert quotas == {
        "a100": {"cpu": 24, "memory": "340Gi", "nvidia.com/gpu": 14},
        "l4": {"cpu": 24, "memory": "96Gi", "nvidia.com/gpu": 3},
    }
    assert cq["spec"]["queueingStrategy"] == "BestEffortFIFO"
    assert cq["spec"]["namespaceSelector"] == {"matchLabels": {INFERENCE_NAMESPACE_LABEL: "true"}}


def test_kueue_manages_serving_workloads_and_waits_longer_than_a_model_load() -> None:
    config_yaml = kueue.chart_values(DEFAULT_BUDGET)["managerConfig"]["controllerManagerConfigYaml"]
    parsed = yaml.safe_load(config_yaml)
    assert parsed["apiVersion"] == "config.kueue.x-k8s.io/v1beta2"
    assert {"pod", "deployment", "statefulset", "leaderworkerset.x-k8s.io/leaderworkerset"} <= set(parsed["integrations"]["frameworks"])
    minutes = int(parsed["waitForPodsReady"]["timeout"].removesuffix("m"))
    # Kueue's clock >= the Deployment's progress deadline >= the startup probe's (core.budget).
    assert minutes * 60 >= DEFAULT_BUDGET.progress_deadline_seconds >= DEFAULT_BUDGET.probe_seconds


def test_queued_pools_get_nodes_through_a_provisioning_admission_check() -> None:
    pools = {"l4": {"gpu": "L4", "nodes": {"max": 2}}, "h100": {"gpu": "H100-80GB", "gpusPerNode": 8, "capacity": "queued", "nodes": {"max": 2}}}
    queueing = resolved(config(GKE, nodePools=pools)).queueing
    names = {f.name: f.name for f in queueing.flavors}
    cq = kueue.cluster_queue(queueing.queue("serving"), queueing.flavors, names, provisioning_check="dws-check")
    assert cq["spec"]["admissionChecksStrategy"] == {"admissionChecks": [{"name": "dws-check", "onFlavors": ["h100"]}]}
    with pytest.raises(ValueError):
        kueue.cluster_queue(queueing.queue("serving"), queueing.flavors, names)
    check = kueue.provisioning_check("dws-config")
    assert check["spec"]["parameters"] == {"apiGroup": "kueue.x-k8s.io", "kind": "ProvisioningRequestConfig", "name": "dws-config"}
    assert kueue.provisioning_request_config(queueing)["spec"]["provisioningClassName"] == "queued-provisioning.gke.io"


def test_pools_without_queued_capacity_have_no_admission_checks() -> None:
    queueing = resolved(GKE).queueing
    assert "admissionChecksStrategy" not in kueue.cluster_queue(queueing.queue("serving"), queueing.flavors, {"l4": "l4"})["spec"]


def test_fair_sharing_and_queue_metrics_follow_the_stack() -> None:
    plain = kueue.controller_config(DEFAULT_BUDGET)
    assert "fairSharing" not in plain and "enableClusterQueueResources" not in plain["metrics"]
    on = kueue.controller_config(DEFAULT_BUDGET, fair_sharing=True, monitoring=True)
    # v1beta2 has no `enable`: presence turns fair sharing on, and the strategies are required.
    assert on["fairSharing"] == {"preemptionStrategies": ["LessThanOrEqualToFinalShare", "LessThanInitialShare"]}
    assert on["metrics"]["enableClusterQueueResources"] is True
    assert plain["managedJobsNamespaceSelector"] == {"matchLabels": {INFERENCE_NAMESPACE_LABEL: "true"}}


def test_priorities_are_top_level_and_every_flavor_lists_every_covered_resource() -> None:
    queueing = resolved(config(GKE, scheduling={"priorities": {"gold": {"value": 10}}, "queues": {"serving": {"priority": "gold"}}})).queueing
    [gold] = [kueue.workload_priority_class(p) for p in queueing.priorities]
    assert gold["value"] == 10 and "spec" not in gold and "description" not in gold
    group = kueue.cluster_queue(queueing.queue("serving"), queueing.flavors, {"l4": "l4"})["spec"]["resourceGroups"][0]
    assert [[r["name"] for r in f["resources"]] for f in group["flavors"]] == [group["coveredResources"]]
