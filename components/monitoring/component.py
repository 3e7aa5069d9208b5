"""The `Monitoring` component: kube-prometheus-stack, the model-server monitors and GPU metrics."""

from __future__ import annotations

from typing import Optional

import pulumi

from ..core.kube import KubernetesObject, chart
from ..core.meta import namespace
from ..core.security import PRIVILEGED_NAMESPACE_LABELS
from . import prometheus
from .values import MonitoringArgs


class Monitoring(pulumi.ComponentResource):
    """kube-prometheus-stack in its own namespace, a PodMonitor per inference namespace and the DCGM monitor."""

    namespace: pulumi.Output[str]

    def __init__(self, name: str, args: MonitoringArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("inferfleet:index:Monitoring", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        mon = args.monitoring
        # node-exporter needs the host network and PID namespace.
        ns = KubernetesObject(f"{name}-namespace", namespace(mon.namespace, "monitoring", PRIVILEGED_NAMESPACE_LABELS), child)
        self.namespace = ns.name
        grafana_secret = None
        if mon.grafana:
            if args.grafana_password is None:
                raise ValueError("monitoring.grafana needs the Grafana admin password")
            secret = KubernetesObject(
                f"{name}-grafana-admin", prometheus.grafana_admin_secret(ns.name, pulumi.Output.secret(args.grafana_password)), child
            )
            grafana_secret = secret.name
        release = chart(
            f"{name}-prometheus",
            args.chart,
            namespace=ns.name,
            values=prometheus.chart_values(mon, grafana_secret=grafana_secret),
            release=mon.release,
            opts=child,
        )
        # PodMonitor and ServiceMonitor are CRDs the kube-prometheus-stack chart installs.
        after_chart = pulumi.ResourceOptions(parent=self, depends_on=[release])
        for key, ns_name in sorted(args.namespaces.items()):
            KubernetesObject(
                f"{name}-{key}-vllm-monitor",
                prometheus.pod_monitor("vllm", ns_name, args.server_pods, args.server_port_name, mon),
                after_chart,
            )
        KubernetesObject(f"{name}-dcgm-monitor", prometheus.dcgm_service_monitor(args.gpu_namespace, mon), after_chart)
        self.register_outputs({"namespace": self.namespace})
