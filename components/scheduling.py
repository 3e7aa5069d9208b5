"""The scheduling layer: Kueue, with a flavor per GPU pool and one serving ClusterQueue."""

from __future__ import annotations

from typing import Mapping, Optional

import pulumi

from . import resolved as r
from .k8s import kueue
from .k8s.meta import labels, manifest
from .kube import KubernetesObject, chart
from .versions import CORE, HelmChart

NAMESPACE = "kueue-system"


def _units(max_gpus: pulumi.Input[int], units_per_gpu: int) -> pulumi.Output[int]:
    """Schedulable `nvidia.com/gpu` units of a pool: its GPUs times MIG slices or sharing clients."""
    return pulumi.Output.from_input(max_gpus).apply(lambda gpus: gpus * units_per_gpu)


class Kueue(pulumi.ComponentResource):
    """Kueue and its queues. Each flavor's GPU quota is read from the pool the cloud layer made."""

    cluster_queue: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        queueing: r.Queueing,
        pools: Mapping[str, r.GpuPool],
        max_gpus: Mapping[str, pulumi.Input[int]],
        kueue_chart: HelmChart,
        opts: Optional[pulumi.ResourceOptions] = None,
    ):
        super().__init__("inferfleet:index:Kueue", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        ns = KubernetesObject(f"{name}-namespace", manifest(CORE, "Namespace", NAMESPACE, labels=labels("kueue", NAMESPACE)), child)
        controller = chart(f"{name}-kueue", kueue_chart, namespace=ns.name, values=kueue.chart_values(), release="kueue", opts=child)
        # Kueue's CRDs and admission webhooks come with the chart.
        after_chart = pulumi.ResourceOptions(parent=self, depends_on=[controller])
        flavors = [KubernetesObject(f"{name}-flavor-{f.name}", kueue.resource_flavor(f), after_chart) for f in queueing.flavors]
        gpu_quota = {f.name: _units(max_gpus[f.name], pools[f.name].units_per_gpu) for f in queueing.flavors}
        check = None
        if any(f.queued for f in queueing.flavors):
            config = KubernetesObject(f"{name}-provisioning-config", kueue.provisioning_request_config(), after_chart)
            check = KubernetesObject(f"{name}-provisioning-check", kueue.provisioning_check(config.name), child).name
        # The queue names its flavors (and check) by their outputs, so it waits for them and so for the chart.
        queue = KubernetesObject(
            f"{name}-cluster-queue",
            kueue.cluster_queue(queueing, [f.name for f in flavors], [gpu_quota[f.name] for f in queueing.flavors], check),
            child,
        )
        self.cluster_queue = queue.name
        self.register_outputs({"clusterQueue": self.cluster_queue})
