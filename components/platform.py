"""InferencePlatform: every layer, composed in order, from one resolved platform.

The platform is the one place that may read every layer's values: it wires the flows the layers
declare to each other (the model servers' port to the network policies, the monitoring namespace
to the scrape rule, namespaces to their LocalQueues).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

import pulumi

from .cloud import values as cloud
from .cloud.existing import ExistingCluster
from .cloud.gke import GkeCluster
from .core.budget import DEFAULT_BUDGET, StartupBudget
from .core.versions import Pins
from .gpu.component import GpuStack
from .gpu.values import GpuStackArgs, GpuValues
from .monitoring.component import Monitoring
from .monitoring.prometheus import PROMETHEUS_PODS
from .monitoring.values import Monitoring as MonitoringValues
from .monitoring.values import MonitoringArgs
from .network.component import NetworkPolicies
from .network.values import NetworkArgs, Peer
from .scheduling.component import Kueue
from .scheduling.values import KueueArgs, Queueing
from .serving import vllm
from .serving.component import Serving
from .serving.values import ServingArgs, ServingValues

LAYERS = {
    "inferfleet:index:GkeCluster": "cloud",
    "inferfleet:index:EksCluster": "cloud",
    "inferfleet:index:ExistingCluster": "cloud",
    "inferfleet:index:GpuStack": "gpu",
    "inferfleet:index:Kueue": "scheduling",
    "inferfleet:index:Serving": "serving",
    "inferfleet:index:NetworkPolicies": "network",
    "inferfleet:index:Monitoring": "monitoring",
}
"""The component type of each layer, in the order the layers build on each other."""


@dataclass(frozen=True)
class PlatformValues:
    """Every layer's values, resolved from one stack (`stacks.resolve`) or built by hand."""

    name: str
    production: bool
    protect: bool
    cluster: cloud.Cluster
    pools: tuple[cloud.GpuPool, ...]
    gpu: GpuValues
    queueing: Queueing
    serving: ServingValues
    monitoring: MonitoringValues
    pins: Pins = field(default_factory=Pins)
    budget: StartupBudget = DEFAULT_BUDGET


@dataclass(frozen=True)
class Secrets:
    """Secret inputs; pass Pulumi secrets (e.g. `Config.require_secret`), never plain strings."""

    hf_token: pulumi.Input[str] | None = None
    kubeconfig: pulumi.Input[str] | None = None
    grafana_admin_password: pulumi.Input[str] | None = None


@dataclass(frozen=True)
class PlatformArgs:
    """What `InferencePlatform` takes."""

    values: PlatformValues
    secrets: Secrets = field(default_factory=Secrets)


class InferencePlatform(pulumi.ComponentResource):
    """An LLM-inference platform: cluster, GPU stack, Kueue, model services, policies and monitoring."""

    cluster: cloud.ClusterOutputs

    def __init__(self, name: str, args: PlatformArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("inferfleet:index:InferencePlatform", name, None, opts)
        platform, secrets = args.values, args.secrets
        self.cluster = _cluster(name, platform, secrets, pulumi.ResourceOptions(parent=self))
        on_cluster = pulumi.ResourceOptions(parent=self, providers={"kubernetes": self.cluster.kubernetes})
        charts = platform.pins.charts()
        c = platform.cluster

        gpu = GpuStack(f"{name}-gpu", gpu_args(platform), on_cluster)
        serving = Serving(
            f"{name}-serving",
            ServingArgs(
                namespaces=platform.serving.namespaces,
                models=platform.serving.models,
                queues=platform.queueing.workload_queues(),
                hf_token=secrets.hf_token,
                charts=charts,
            ),
            on_cluster,
        )
        namespaces = {key: ns.name for key, ns in serving.namespaces.items()}
        Kueue(
            f"{name}-scheduling",
            KueueArgs(platform.queueing, charts.kueue, platform.budget, namespaces, monitoring=platform.monitoring.enabled),
            on_cluster,
        )
        scrapers: tuple[Peer, ...] = ()
        if platform.monitoring.enabled:
            monitoring = Monitoring(
                f"{name}-monitoring",
                MonitoringArgs(
                    monitoring=platform.monitoring,
                    chart=charts.kube_prometheus_stack,
                    namespaces=namespaces,
                    server_pods=vllm.POD_LABELS,
                    server_port_name=vllm.PORT_NAME,
                    gpu_namespace=gpu.namespace,
                    grafana_password=secrets.grafana_admin_password,
                ),
                on_cluster,
            )
            scrapers = (Peer(monitoring.namespace, PROMETHEUS_PODS),)
        NetworkPolicies(
            f"{name}-network",
            NetworkArgs(namespaces, vllm.POD_LABELS, vllm.PORT, gke=c.provider == "gke", scrapers=scrapers),
            on_cluster,
        )
        self.register_outputs(self.cluster.as_dict())


def gpu_args(platform: PlatformValues) -> GpuStackArgs:
    """The GPU layer's args from the cluster underneath it."""
    charts = platform.pins.charts()
    return GpuStackArgs(platform.cluster, platform.pools, platform.gpu, charts.gpu_operator, charts.dra_driver, platform.pins)


def _cluster(name: str, platform: PlatformValues, secrets: Secrets, opts: pulumi.ResourceOptions) -> cloud.ClusterOutputs:
    c = platform.cluster
    # The cloud grants each model's service account read access to its weights bucket (serving mounts it).
    readers = tuple(m.weights_bucket for m in platform.serving.models if m.weights_bucket is not None)
    if isinstance(c, cloud.GkeCluster):
        return GkeCluster(f"{name}-cloud", cloud.GkeClusterArgs(c, platform.pools, platform.protect, readers), opts).outputs
    if isinstance(c, cloud.EksCluster):
        from .cloud.eks import EksCluster

        return EksCluster(
            f"{name}-cloud", cloud.EksClusterArgs(c, platform.pools, platform.protect, platform.pins, readers), opts
        ).outputs
    if secrets.kubeconfig is None:
        raise ValueError("an existing cluster needs a kubeconfig secret")
    return ExistingCluster(f"{name}-cloud", cloud.ExistingClusterArgs(c, secrets.kubeconfig), opts).outputs
