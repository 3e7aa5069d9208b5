"""The cloud layer: a Kubernetes cluster with its GPU pools, or an existing cluster.

Every cluster component exposes the same `ClusterOutputs`, which is all the layers above use.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import pulumi
import pulumi_kubernetes as k8s


@dataclass(frozen=True)
class ClusterOutputs:
    """What the layers above take from the cloud layer."""

    name: pulumi.Output[str]
    endpoint: pulumi.Output[str]
    kubeconfig: pulumi.Output[str]
    """A secret: it grants access to the cluster."""
    kubernetes: k8s.Provider
    """The Kubernetes provider for this cluster; the upper layers register through it."""
    max_gpus: Mapping[str, pulumi.Output[int]]
    """Most physical GPUs each GPU pool can hold, read from the pool resources themselves."""

    def as_dict(self) -> dict[str, object]:
        return {"clusterName": self.name, "endpoint": self.endpoint, "kubeconfig": self.kubeconfig, "maxGpus": dict(self.max_gpus)}
