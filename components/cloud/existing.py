"""A cluster made elsewhere, reached with a kubeconfig; its GPU pools are declared, not created."""

from __future__ import annotations

from typing import Optional, Sequence

import pulumi
import pulumi_kubernetes as k8s
import yaml

from .. import resolved as r
from . import ClusterOutputs


class ExistingCluster(pulumi.ComponentResource):
    """The Kubernetes provider for an existing cluster. Pool capacity is as declared in the stack."""

    outputs: ClusterOutputs

    def __init__(
        self,
        name: str,
        cluster: r.ExistingCluster,
        pools: Sequence[r.GpuPool],
        *,
        kubeconfig: pulumi.Input[str],
        opts: Optional[pulumi.ResourceOptions] = None,
    ):
        super().__init__("inferfleet:index:ExistingCluster", name, None, opts)
        config = pulumi.Output.secret(kubeconfig)
        kubernetes = k8s.Provider(
            f"{name}-k8s", kubeconfig=config, context=cluster.context, opts=pulumi.ResourceOptions(parent=self)
        )
        endpoint = config.apply(lambda text: _server(text, cluster.context))
        max_gpus = {p.name: pulumi.Output.from_input(p.max_gpus) for p in pools}
        self.outputs = ClusterOutputs(pulumi.Output.from_input(cluster.name), endpoint, config, kubernetes, max_gpus)
        self.register_outputs(self.outputs.as_dict())


def _server(kubeconfig: str, context: str | None) -> str:
    """The API server the kubeconfig's context points at, or '' when it cannot be read."""
    try:
        document = yaml.safe_load(kubeconfig)
        name = context or document["current-context"]
        cluster = next(c["context"]["cluster"] for c in document["contexts"] if c["name"] == name)
        return str(next(c["cluster"]["server"] for c in document["clusters"] if c["name"] == cluster))
    except (yaml.YAMLError, KeyError, TypeError, StopIteration):
        return ""
