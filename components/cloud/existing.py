"""A cluster made elsewhere, reached with a kubeconfig; its GPU pools are declared, not created."""

from __future__ import annotations

from typing import Optional

import pulumi
import pulumi_kubernetes as k8s
import yaml

from .values import ClusterOutputs, ExistingClusterArgs


class ExistingCluster(pulumi.ComponentResource):
    """The Kubernetes provider for an existing cluster; its pools are as the stack declares them."""

    outputs: ClusterOutputs

    def __init__(self, name: str, args: ExistingClusterArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("inferfleet:index:ExistingCluster", name, None, opts)
        cluster = args.cluster
        config = pulumi.Output.secret(args.kubeconfig)
        kubernetes = k8s.Provider(
            f"{name}-k8s", kubeconfig=config, context=cluster.context, opts=pulumi.ResourceOptions(parent=self)
        )
        endpoint = config.apply(lambda text: _server(text, cluster.context))
        self.outputs = ClusterOutputs(pulumi.Output.from_input(cluster.name), endpoint, config, kubernetes)
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
