"""Prometheus monitoring: kube-prometheus-stack values and the monitors inferfleet adds (pure builders)."""

from __future__ import annotations

from typing import Any, Mapping

from ..core.meta import labels, manifest
from ..core.versions import CORE, MONITORING
from .values import Monitoring

GRAFANA_ADMIN_SECRET = "grafana-admin"
DCGM_EXPORTER_LABELS = {"app": "nvidia-dcgm-exporter"}
DCGM_PORT = "gpu-metrics"
PROMETHEUS_PODS = {"app.kubernetes.io/name": "prometheus"}
"""Labels of the Prometheus pods the chart runs; network policies admit them to the scrape ports."""


def chart_values(monitoring: Monitoring, *, grafana_secret: Any | None) -> dict[str, Any]:
    grafana: dict[str, Any] = {"enabled": monitoring.grafana}
    if monitoring.grafana:
        grafana["admin"] = {"existingSecret": grafana_secret, "userKey": "admin-user", "passwordKey": "admin-password"}
    return {
        "prometheus": {
            "prometheusSpec": {
                "retention": monitoring.retention,
                # Select only monitors labelled for this release (the chart default, made explicit).
                "podMonitorSelectorNilUsesHelmValues": True,
                "serviceMonitorSelectorNilUsesHelmValues": True,
                "ruleSelectorNilUsesHelmValues": True,
            }
        },
        "grafana": grafana,
    }


def grafana_admin_secret(namespace: Any, password: Any) -> dict[str, Any]:
    return manifest(
        CORE, "Secret", GRAFANA_ADMIN_SECRET, namespace, labels=labels("grafana-admin"), type="Opaque",
        stringData={"admin-user": "admin", "admin-password": password},
    )


def _release(monitoring: Monitoring) -> dict[str, str]:
    """kube-prometheus-stack selects only monitors with its release label (pitfall 41)."""
    return {"release": monitoring.release}


def pod_monitor(name: str, namespace: Any, pods: Mapping[str, str], port: str, monitoring: Monitoring) -> dict[str, Any]:
    return manifest(
        MONITORING,
        "PodMonitor",
        name,
        namespace,
        labels=labels("pod-monitor", name, _release(monitoring)),
        spec={
            "selector": {"matchLabels": dict(pods)},
            "podMetricsEndpoints": [{"port": port, "path": "/metrics", "interval": "15s"}],
        },
    )


def dcgm_service_monitor(namespace: Any, monitoring: Monitoring) -> dict[str, Any]:
    """GPU metrics from the GPU Operator's dcgm-exporter; its own labels win (pitfall 42)."""
    return manifest(
        MONITORING,
        "ServiceMonitor",
        "dcgm-exporter",
        namespace,
        labels=labels("service-monitor", "dcgm-exporter", _release(monitoring)),
        spec={
            "selector": {"matchLabels": DCGM_EXPORTER_LABELS},
            "endpoints": [{"port": DCGM_PORT, "path": "/metrics", "interval": "15s", "honorLabels": True}],
        },
    )
