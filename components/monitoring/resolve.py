"""Resolve the monitoring layer."""

from __future__ import annotations

from .spec import MonitoringSpec
from .values import Monitoring

RELEASE = "kube-prometheus-stack"


def resolve(spec: MonitoringSpec) -> Monitoring:
    return Monitoring(enabled=spec.enabled, namespace=spec.namespace, release=RELEASE, grafana=spec.grafana, retention=spec.retention)
