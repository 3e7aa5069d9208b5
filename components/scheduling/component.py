"""The `Kueue` component: the Kueue chart, a flavor per GPU pool, the priorities, the queues and their LocalQueues."""

from __future__ import annotations

from typing import Any, Optional

import pulumi

from ..core.kube import KubernetesObject, chart
from ..core.meta import labels, manifest
from ..core.versions import CORE
from . import kueue
from .spec import SERVING
from .values import KueueArgs

NAMESPACE = "kueue-system"


class Kueue(pulumi.ComponentResource):
    """Kueue and its queues; each queue's quota is its share of the pools' capacity."""

    cluster_queues: dict[str, pulumi.Output[str]]

    def __init__(self, name: str, args: KueueArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("inferfleet:index:Kueue", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        queueing = args.queueing
        ns = KubernetesObject(f"{name}-namespace", manifest(CORE, "Namespace", NAMESPACE, labels=labels("kueue", NAMESPACE)), child)
        values = kueue.chart_values(
            args.budget,
            fair_sharing=queueing.fair_sharing,
            monitoring=args.monitoring,
            device_class_mappings=queueing.device_class_mappings,
        )
        controller = chart(f"{name}-kueue", args.chart, namespace=ns.name, values=values, release="kueue", opts=child)
        # Kueue's CRDs and admission webhooks come with the chart.
        after_chart = pulumi.ResourceOptions(parent=self, depends_on=[controller])
        flavors = {f.name: KubernetesObject(f"{name}-flavor-{f.name}", kueue.resource_flavor(f), after_chart).name for f in queueing.flavors}
        for p in queueing.priorities:
            KubernetesObject(f"{name}-priority-{p.name}", kueue.workload_priority_class(p), after_chart)
        check = None
        if any(f.queued for f in queueing.flavors):
            config = KubernetesObject(f"{name}-provisioning-config", kueue.provisioning_request_config(queueing), after_chart)
            check = KubernetesObject(f"{name}-provisioning-check", kueue.provisioning_check(config.name), child).name
        namespaces: dict[str, Any] = dict(args.namespaces)
        for ns_name in sorted({n for q in queueing.queues for n in q.namespaces} - set(namespaces)):
            namespaces[ns_name] = KubernetesObject(f"{name}-ns-{ns_name}", kueue.queue_namespace(ns_name), child).name
        self.cluster_queues = {}
        for q in queueing.queues:
            # A queue names its flavors (and check) by their outputs, so it waits for them and so for the chart.
            # The serving queue keeps the name of the one queue of earlier versions, so it is not replaced.
            key = f"{name}-cluster-queue" if q.name == SERVING else f"{name}-queue-{q.name}"
            cq = KubernetesObject(key, kueue.cluster_queue(q, queueing.flavors, flavors, check), child)
            self.cluster_queues[q.name] = cq.name
            for ns_name in q.namespaces:
                KubernetesObject(f"{name}-{ns_name}-local-queue", kueue.local_queue(q.name, namespaces[ns_name], cq.name), child)
        self.register_outputs({"clusterQueues": self.cluster_queues})
