"""The `Kueue` component: the Kueue chart, a flavor per GPU pool, the serving ClusterQueue and LocalQueues."""

from __future__ import annotations

from typing import Optional

import pulumi

from ..core.kube import KubernetesObject, chart
from ..core.meta import labels, manifest
from ..core.versions import CORE
from . import kueue
from .values import KueueArgs

NAMESPACE = "kueue-system"


class Kueue(pulumi.ComponentResource):
    """Kueue and its queues; each flavor's quota is its pool's capacity."""

    cluster_queue: pulumi.Output[str]

    def __init__(self, name: str, args: KueueArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("inferfleet:index:Kueue", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        queueing = args.queueing
        ns = KubernetesObject(f"{name}-namespace", manifest(CORE, "Namespace", NAMESPACE, labels=labels("kueue", NAMESPACE)), child)
        controller = chart(
            f"{name}-kueue", args.chart, namespace=ns.name, values=kueue.chart_values(args.budget, queueing.device_class_mappings), release="kueue", opts=child
        )
        # Kueue's CRDs and admission webhooks come with the chart.
        after_chart = pulumi.ResourceOptions(parent=self, depends_on=[controller])
        flavors = [KubernetesObject(f"{name}-flavor-{f.name}", kueue.resource_flavor(f), after_chart) for f in queueing.flavors]
        check = None
        if any(f.queued for f in queueing.flavors):
            config = KubernetesObject(f"{name}-provisioning-config", kueue.provisioning_request_config(queueing), after_chart)
            check = KubernetesObject(f"{name}-provisioning-check", kueue.provisioning_check(config.name), child).name
        # The queue names its flavors (and check) by their outputs, so it waits for them and so for the chart.
        queue = KubernetesObject(f"{name}-cluster-queue", kueue.cluster_queue(queueing, [f.name for f in flavors], check), child)
        self.cluster_queue = queue.name
        for key, namespace in sorted(args.namespaces.items()):
            KubernetesObject(f"{name}-{key}-local-queue", kueue.local_queue(queueing.local_queue, namespace, queue.name), child)
        self.register_outputs({"clusterQueue": self.cluster_queue})
