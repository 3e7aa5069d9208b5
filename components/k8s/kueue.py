"""Kueue objects (kueue.x-k8s.io/v1beta2) and the Kueue controller's configuration."""

from __future__ import annotations

from typing import Any, Sequence

import yaml

from ..resolved import Flavor, Queueing
from ..versions import KUEUE
from .meta import labels, manifest

QUEUE_LABEL = "kueue.x-k8s.io/queue-name"
INFERENCE_NAMESPACE_LABEL = "inferfleet.dev/inference"
"""Namespaces whose workloads may use the serving ClusterQueue."""
FRAMEWORKS = ("batch/job", "pod", "deployment", "statefulset", "leaderworkerset.x-k8s.io/leaderworkerset")
"""Empty `frameworks` means batch/job only; serving needs the pod-based integrations (pitfall 27)."""
PODS_READY_TIMEOUT = "75m"
"""Longer than the vLLM startup probe allows (120 x 30 s), so a slow load is not evicted (pitfall 25)."""


def resource_flavor(flavor: Flavor) -> dict[str, Any]:
    return manifest(
        KUEUE,
        "ResourceFlavor",
        flavor.name,
        labels=labels("kueue-flavor", flavor.name),
        spec={
            "nodeLabels": dict(flavor.node_labels),
            "tolerations": [t.toleration() for t in flavor.tolerations],
        },
    )


def cluster_queue(
    queueing: Queueing,
    flavor_names: Sequence[Any],
    gpu_quotas: Sequence[Any] | None = None,
    provisioning_check: Any | None = None,
) -> dict[str, Any]:
    """One ClusterQueue over every GPU pool; each pool's capacity is its flavor's quota.

    `flavor_names` are the registered flavors' names and `gpu_quotas` the pools' GPU units (both
    may be Pulumi outputs), in `queueing.flavors` order; quotas default to the resolved capacity.
    `provisioning_check` names the AdmissionCheck that asks for nodes of queued-provisioning flavors.
    """
    quotas = list(gpu_quotas) if gpu_quotas is not None else [f.gpus for f in queueing.flavors]
    queued = [name for name, flavor in zip(flavor_names, queueing.flavors, strict=True) if flavor.queued]
    if queued and provisioning_check is None:
        raise ValueError("queued-provisioning flavors need the AdmissionCheck that provisions their nodes")
    checks = {"admissionChecksStrategy": {"admissionChecks": [{"name": provisioning_check, "onFlavors": queued}]}} if queued else {}
    return manifest(
        KUEUE,
        "ClusterQueue",
        queueing.cluster_queue,
        labels=labels("kueue-cluster-queue", queueing.cluster_queue),
        spec={
            "namespaceSelector": {"matchLabels": {INFERENCE_NAMESPACE_LABEL: "true"}},
            "queueingStrategy": "BestEffortFIFO",
            "resourceGroups": [
                {
                    "coveredResources": ["cpu", "memory", "nvidia.com/gpu"],
                    "flavors": [
                        {
                            "name": name,
                            "resources": [
                                {"name": "cpu", "nominalQuota": flavor.cpu},
                                {"name": "memory", "nominalQuota": f"{flavor.memory_gib}Gi"},
                                {"name": "nvidia.com/gpu", "nominalQuota": gpus},
                            ],
                        }
                        for name, flavor, gpus in zip(flavor_names, queueing.flavors, quotas, strict=True)
                    ],
                }
            ],
            "preemption": {"withinClusterQueue": "LowerPriority"},
            **checks,
        },
    )


PROVISIONING = "gke-queued-provisioning"


def provisioning_request_config() -> dict[str, Any]:
    """How Kueue asks GKE for queued-provisioning (DWS) nodes: one ProvisioningRequest per workload."""
    return manifest(
        KUEUE,
        "ProvisioningRequestConfig",
        PROVISIONING,
        labels=labels("kueue-provisioning", PROVISIONING),
        spec={
            "provisioningClassName": "queued-provisioning.gke.io",
            "managedResources": ["nvidia.com/gpu"],
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


def controller_config() -> dict[str, Any]:
    """The Kueue Configuration, the chart's defaults plus the integrations serving needs."""
    return {
        "apiVersion": "config.kueue.x-k8s.io/v1beta2",
        "kind": "Configuration",
        "health": {"healthProbeBindAddress": ":8081"},
        "metrics": {"bindAddress": ":8443"},
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
        "waitForPodsReady": {"timeout": PODS_READY_TIMEOUT, "blockAdmission": False},
        "integrations": {"frameworks": list(FRAMEWORKS)},
    }


def chart_values() -> dict[str, Any]:
    return {"managerConfig": {"controllerManagerConfigYaml": yaml.safe_dump(controller_config(), sort_keys=False)}}
