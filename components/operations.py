"""The operations layer: network policies for every inference namespace, and monitoring."""

from __future__ import annotations

from typing import Mapping, Optional

import pulumi

from . import resolved as r
from .k8s import monitoring, network, serving
from .k8s.meta import labels, manifest
from .k8s.security import PRIVILEGED_NAMESPACE_LABELS
from .kube import KubernetesObject, chart
from .versions import CORE, HelmChart


class Operations(pulumi.ComponentResource):
    """Default-deny NetworkPolicies per inference namespace; kube-prometheus-stack and monitors."""

    def __init__(
        self,
        name: str,
        platform: r.Platform,
        *,
        namespaces: Mapping[str, pulumi.Input[str]],
        gpu_namespace: pulumi.Input[str],
        prometheus_chart: HelmChart,
        grafana_password: pulumi.Input[str] | None,
        opts: Optional[pulumi.ResourceOptions] = None,
    ):
        super().__init__("inferfleet:index:Operations", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        mon = platform.monitoring
        monitoring_ns: pulumi.Output[str] | None = None
        prometheus = None
        if mon.enabled:
            # node-exporter needs the host network and PID namespace.
            ns = KubernetesObject(
                f"{name}-monitoring-namespace",
                manifest(CORE, "Namespace", mon.namespace, labels=labels("monitoring", mon.namespace, PRIVILEGED_NAMESPACE_LABELS)),
                child,
            )
            monitoring_ns = ns.name
            grafana_secret = None
            if mon.grafana and grafana_password is not None:
                secret = KubernetesObject(
                    f"{name}-grafana-admin", monitoring.grafana_admin_secret(ns.name, pulumi.Output.secret(grafana_password)), child
                )
                grafana_secret = secret.name
            prometheus = chart(
                f"{name}-prometheus",
                prometheus_chart,
                namespace=ns.name,
                values=monitoring.chart_values(mon, grafana_secret=grafana_secret),
                release=mon.release,
                opts=child,
            )

        pods = {"app.kubernetes.io/name": serving.COMPONENT}
        gke = platform.cluster.provider == "gke"
        for key, ns_name in sorted(namespaces.items()):
            sources = [network.prometheus_peer(monitoring_ns)] if monitoring_ns is not None else []
            for policy in (
                network.default_deny(ns_name),
                network.allow_dns(ns_name, gke=gke),
                network.allow_serving(ns_name, pods, serving.PORT, sources),
                network.allow_model_download(ns_name, pods),
            ):
                KubernetesObject(f"{name}-{key}-{policy['metadata']['name']}", policy, child)

        if prometheus is not None:
            # PodMonitor and ServiceMonitor are CRDs the kube-prometheus-stack chart installs.
            after_chart = pulumi.ResourceOptions(parent=self, depends_on=[prometheus])
            for key, ns_name in sorted(namespaces.items()):
                KubernetesObject(
                    f"{name}-{key}-vllm-monitor",
                    monitoring.pod_monitor("vllm", ns_name, pods, serving.PORT_NAME, mon),
                    after_chart,
                )
            KubernetesObject(f"{name}-dcgm-monitor", monitoring.dcgm_service_monitor(gpu_namespace, mon), after_chart)
        self.register_outputs({})
