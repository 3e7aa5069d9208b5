"""kube-prometheus-stack values and monitors."""

from __future__ import annotations

import yaml

from components.monitoring import prometheus

from ..conftest import GKE, config, resolved


def test_monitors_carry_the_release_label_prometheus_selects() -> None:
    mon = resolved(GKE).monitoring
    pm = prometheus.pod_monitor("vllm", "inference", {"app.kubernetes.io/name": "vllm"}, "http", mon)
    sm = prometheus.dcgm_service_monitor("gpu-operator", mon)
    assert pm["metadata"]["labels"]["release"] == sm["metadata"]["labels"]["release"] == "kube-prometheus-stack"
    assert pm["spec"]["podMetricsEndpoints"] == [{"port": "http", "path": "/metrics", "interval": "15s"}]
    assert sm["spec"]["endpoints"][0]["honorLabels"] is True


def test_grafana_password_comes_from_a_secret_not_the_values() -> None:
    mon = resolved(config(GKE, monitoring={"grafana": True}, grafanaAdminPassword="pw")).monitoring
    values = prometheus.chart_values(mon, grafana_secret="grafana-admin")
    assert values["grafana"]["admin"]["existingSecret"] == "grafana-admin"
    assert "pw" not in yaml.safe_dump(values)


