"""InferencePlatform: every layer, composed in order, from one resolved platform."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import pulumi

from . import resolved as r
from .cloud import ClusterOutputs
from .cloud.existing import ExistingCluster
from .cloud.gke import GkeCluster
from .gpu import GpuStack
from .operations import Operations
from .scheduling import Kueue
from .serving import Serving

LAYERS = {
    "inferfleet:index:GkeCluster": "cloud",
    "inferfleet:index:EksCluster": "cloud",
    "inferfleet:index:ExistingCluster": "cloud",
    "inferfleet:index:GpuStack": "gpu",
    "inferfleet:index:Kueue": "scheduling",
    "inferfleet:index:Serving": "serving",
    "inferfleet:index:Operations": "operations",
}
"""The component type of each layer, in the order the layers build on each other."""


@dataclass(frozen=True)
class Secrets:
    """Secret inputs; pass Pulumi secrets (e.g. `Config.require_secret`), never plain strings."""

    hf_token: pulumi.Input[str] | None = None
    kubeconfig: pulumi.Input[str] | None = None
    grafana_admin_password: pulumi.Input[str] | None = None


class InferencePlatform(pulumi.ComponentResource):
    """An LLM-inference platform: cluster, GPU stack, Kueue, model services, policies and monitoring."""

    cluster: ClusterOutputs

    def __init__(self, name: str, platform: r.Platform, secrets: Secrets, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("inferfleet:index:InferencePlatform", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.cluster = _cluster(name, platform, secrets, child)
        on_cluster = pulumi.ResourceOptions(parent=self, providers={"kubernetes": self.cluster.kubernetes})
        charts = platform.pins.charts()

        gpu = GpuStack(f"{name}-gpu", platform.cluster, platform.pools, charts.gpu_operator, on_cluster)
        scheduling = Kueue(
            f"{name}-scheduling",
            platform.queueing,
            {p.name: p for p in platform.pools},
            self.cluster.max_gpus,
            charts.kueue,
            on_cluster,
        )
        serving = Serving(
            f"{name}-serving",
            platform.namespaces,
            platform.models,
            local_queue=platform.queueing.local_queue,
            cluster_queue=scheduling.cluster_queue,
            hf_token=secrets.hf_token,
            opts=on_cluster,
        )
        Operations(
            f"{name}-operations",
            platform,
            namespaces={key: ns.name for key, ns in serving.namespaces.items()},
            gpu_namespace=gpu.namespace,
            prometheus_chart=charts.kube_prometheus_stack,
            grafana_password=secrets.grafana_admin_password,
            opts=on_cluster,
        )
        self.register_outputs(self.cluster.as_dict())


def _cluster(name: str, platform: r.Platform, secrets: Secrets, opts: pulumi.ResourceOptions) -> ClusterOutputs:
    c = platform.cluster
    if isinstance(c, r.GkeCluster):
        return GkeCluster(f"{name}-cloud", c, platform.pools, protect=platform.protect, opts=opts).outputs
    if isinstance(c, r.EksCluster):
        from .cloud.eks import EksCluster

        return EksCluster(f"{name}-cloud", c, platform.pools, protect=platform.protect, opts=opts).outputs
    if secrets.kubeconfig is None:
        raise ValueError("an existing cluster needs a kubeconfig secret")
    return ExistingCluster(f"{name}-cloud", c, platform.pools, kubeconfig=secrets.kubeconfig, opts=opts).outputs
