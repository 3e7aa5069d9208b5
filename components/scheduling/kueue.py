"""Kueue objects (kueue.x-k8s.io/v1beta2) and the Kueue controller's configuration: pure builders."""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import yaml

from ..core.budget import StartupBudget
from ..core.meta import labels, manifest, namespace
from ..core.security import RESTRICTED_NAMESPACE_LABELS
from ..core.spec import Taint
from ..core.versions import KUEUE, KUEUE_CONFIG
from .values import INFERENCE_NAMESPACE_LABEL, ClusterQueue, Flavor, Priority, QueueQuota, Queueing, Quota

FRAMEWORKS = ("batch/job", "pod", "deployment", "statefulset", "leaderworkerset.x-k8s.io/leaderworkerset")
"""Empty `frameworks` means batch/job only; serving needs the pod-based integrations (pitfall 27)."""


def resource_flavor(flavor: Flavor) -> dict[str, Any]:
    return manifest(
        KUEUE,
        "ResourceFlavor",
        flavor.name,
        labels=labels("kueue-flavor", flavor.name),
        spec={
            "nodeLabels": dict(flavor.node_labels),
            # Checked against the pod at admission (never injected); the tolerations below are injected.
            "nodeTaints": [_node_taint(t) for t in flavor.node_taints],
            "tolerations": [t.toleration() for t in flavor.tolerations],
        },
    )


def _node_taint(taint: Taint) -> dict[str, str]:
    return {"key": taint.key, **({"value": taint.value} if taint.value else {}), "effect": taint.effect}


def cluster_queue(
    queue: ClusterQueue, flavors: Sequence[Flavor], flavor_names: Mapping[str, Any], provisioning_check: Any | None = None
) -> dict[str, Any]:
    """One ClusterQueue: its share of each flavor it may use, in one resource group.

    `flavors` are every flavor (their GPU resources make the covered resources); `flavor_names`
    the registered flavors' names by flavor (they may be Pulumi outputs). `provisioning_check`
    names the AdmissionCheck that asks for nodes of queued-provisioning flavors.
    """
    by_name = {f.name: f for f in flavors}
    used = [by_name[x.flavor] for x in queue.quotas]
    queued = [flavor_names[f.name] for f in used if f.queued]
    if queued and provisioning_check is None:
        raise ValueError("queued-provisioning flavors need the AdmissionCheck that provisions their nodes")
    checks = {"admissionChecksStrategy": {"admissionChecks": [{"name": provisioning_check, "onFlavors": queued}]}} if queued else {}
    # Every flavor lists every covered resource, in the same order (CRD CEL crd:clusterqueues:1334 and
    # clusterqueue_webhook.go:339-341@v0.19.2); a flavor without a resource has 0 of it.
    covered = ["cpu", "memory", *dict.fromkeys(f.gpu_resource for f in flavors)]
    return manifest(
        KUEUE,
        "ClusterQueue",
        queue.name,
        labels=labels("kueue-cluster-queue", queue.name),
        spec={
            **({"cohortName": queue.cohort} if queue.cohort else {}),
            "namespaceSelector": {"matchLabels": {INFERENCE_NAMESPACE_LABEL: "true"}},
            "queueingStrategy": queue.strategy,
            "resourceGroups": [
                {
                    "coveredResources": covered,
                    "flavors": [
                        {"name": flavor_names[x.flavor], "resources": [_resource(r, x, by_name[x.flavor]) for r in covered]}
                        for x in queue.quotas
                    ],
                }
            ],
            "preemption": dict(queue.preemption),
            **({"fairSharing": {"weight": queue.fair_sharing_weight}} if queue.fair_sharing_weight is not None else {}),
            **checks,
        },
    )


def _amount(resource: str, quota: Quota, flavor: Flavor) -> Any:
    if resource == "cpu":
        return quota.cpu_m // 1000 if quota.cpu_m % 1000 == 0 else f"{quota.cpu_m}m"
    if resource == "memory":
        return f"{quota.memory_mi // 1024}Gi" if quota.memory_mi % 1024 == 0 else f"{quota.memory_mi}Mi"
    return quota.units if resource == flavor.gpu_resource else 0


def _resource(resource: str, quota: QueueQuota, flavor: Flavor) -> dict[str, Any]:
    out = {"name": resource, "nominalQuota": _amount(resource, quota.nominal, flavor)}
    if quota.borrowing is not None:
        out["borrowingLimit"] = _amount(resource, quota.borrowing, flavor)
    if quota.lending is not None:
        out["lendingLimit"] = _amount(resource, quota.lending, flavor)
    return out


def workload_priority_class(priority: Priority) -> dict[str, Any]:
    """A WorkloadPriorityClass: `value` and `description` at the top level, no spec (workloadpriorityclass_types.go:31-49@v0.19.2)."""
    body: dict[str, Any] = {"value": priority.value}
    if priority.description:
        body["description"] = priority.description
    return manifest(KUEUE, "WorkloadPriorityClass", priority.name, labels=labels("kueue-priority", priority.name), **body)


def queue_namespace(name: str) -> dict[str, Any]:
    """A namespace for queued batch work that no other layer creates: restricted, and managed by Kueue."""
    return namespace(name, "queue-namespace", RESTRICTED_NAMESPACE_LABELS, {INFERENCE_NAMESPACE_LABEL: "true"})


PROVISIONING = "gke-queued-provisioning"


def provisioning_request_config(queueing: Queueing) -> dict[str, Any]:
    """How Kueue asks GKE for queued-provisioning (DWS) nodes: one ProvisioningRequest per workload."""
    return manifest(
        KUEUE,
        "ProvisioningRequestConfig",
        PROVISIONING,
        labels=labels("kueue-provisioning", PROVISIONING),
        spec={
            "provisioningClassName": "queued-provisioning.gke.io",
            "managedResources": list(dict.fromkeys(f.gpu_resource for f in queueing.flavors if f.queued)),
            # Pods land on the nodes provisioned for their own request.
            "podSetUpdates": {
                "nodeSelector": [
                    {"key": "autoscaling.gke.io/provisioning-request", "valueFromProvisioningClassDetail": "ResizeRequestName"}
                ]
            },
        },
    )


def provisioning_check(config_name: Any) -> dict[str, Any]:
    return manifest(
        KUEUE,
        "AdmissionCheck",
        PROVISIONING,
        labels=labels("kueue-admission-check", PROVISIONING),
        spec={
            "controllerName": "kueue.x-k8s.io/provisioning-request",
            "parameters": {"apiGroup": "kueue.x-k8s.io", "kind": "ProvisioningRequestConfig", "name": config_name},
        },
    )


def local_queue(name: str, namespace: Any, cluster_queue: Any) -> dict[str, Any]:
    return manifest(KUEUE, "LocalQueue", name, namespace, labels=labels("kueue-local-queue", name), spec={"clusterQueue": cluster_queue})


FAIR_SHARING = {"preemptionStrategies": ["LessThanOrEqualToFinalShare", "LessThanInitialShare"]}
"""Kueue's default strategies; v1beta2 has no `enable`: the key's presence turns fair sharing on
(apis/config/v1beta2/configuration_types.go:734-758@v0.19.2)."""


def controller_config(
    budget: StartupBudget,
    *,
    fair_sharing: bool = False,
    monitoring: bool = False,
    device_class_mappings: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The Kueue Configuration, the chart's defaults plus the integrations serving needs.

    Kueue evicts a workload whose pods are not ready within `waitForPodsReady.timeout`; the budget
    makes that the longest clock, so a slow model load is not evicted (pitfall 25). DRA claims
    count against quota as the resource their device class maps to
    (kueue@v0.19.2 apis/config/v1beta2/configuration_types.go:601-604,636-653).
    """
    mappings = sorted((device_class_mappings or {}).items())
    return {
        "apiVersion": KUEUE_CONFIG,
        "kind": "Configuration",
        "health": {"healthProbeBindAddress": ":8081"},
        # ClusterQueue quota and usage gauges, for the dashboards (configuration_types.go:182-185).
        "metrics": {"bindAddress": ":8443", **({"enableClusterQueueResources": True} if monitoring else {})},
        "webhook": {"port": 9443},
        "leaderElection": {"leaderElect": True, "resourceName": "c1f6bfd2.kueue.x-k8s.io"},
        "controller": {
            "groupKindConcurrency": {
                "Job.batch": 5,
                "Pod": 5,
                "Workload.kueue.x-k8s.io": 10,
                "LocalQueue.kueue.x-k8s.io": 5,
                "Cohort.kueue.x-k8s.io": 1,
                "ClusterQueue.kueue.x-k8s.io": 5,
                "ResourceFlavor.kueue.x-k8s.io": 1,
            }
        },
        "clientConnection": {"qps": 300, "burst": 500},
        # Kueue's webhooks fail closed (failurePolicy Fail); scoped to the queued namespaces, a Kueue
        # outage never blocks system pods (charts/kueue/templates/webhook/manifests.yaml@v0.19.2, audit finding 5).
        "managedJobsNamespaceSelector": {"matchLabels": {INFERENCE_NAMESPACE_LABEL: "true"}},
        "waitForPodsReady": {"timeout": budget.wait, "blockAdmission": False},
        "integrations": {"frameworks": list(FRAMEWORKS)},
        # Model pods request the disk their weights need; no queue covers it, and Kueue's default
        # BlockUndeclared would never admit them (flavorassigner.go:802-812@v0.19.2, audit finding 1).
        # The placement check proves the disk fits a node instead.
        "resources": {
            "excludeResourcePrefixes": ["ephemeral-storage"],
            **({"deviceClassMappings": [{"name": name, "deviceClassNames": [cls]} for cls, name in mappings]} if mappings else {}),
        },
        **({"fairSharing": FAIR_SHARING} if fair_sharing else {}),
    }


def chart_values(
    budget: StartupBudget,
    *,
    fair_sharing: bool = False,
    monitoring: bool = False,
    device_class_mappings: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    config = controller_config(budget, fair_sharing=fair_sharing, monitoring=monitoring, device_class_mappings=device_class_mappings)
    return {"managerConfig": {"controllerManagerConfigYaml": yaml.safe_dump(config, sort_keys=False)}}
