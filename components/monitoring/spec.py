"""The monitoring layer's intent (`inferfleet:monitoring`)."""

from __future__ import annotations

from pydantic import Field

from ..core.spec import Name, SpecModel


class MonitoringSpec(SpecModel):
    enabled: bool = Field(True, description="Install kube-prometheus-stack and the monitors.")
    namespace: Name = Field("monitoring", description="Namespace of the monitoring stack.")
    grafana: bool = Field(False, description="Needs inferfleet:grafanaAdminPassword (a secret).")
    retention: str = Field("15d", pattern=r"^\d+[smhdwy]$", description="how long Prometheus keeps data: a number and a unit (s, m, h, d, w, y), e.g. 15d")
