"""The monitoring layer's values, and what the `Monitoring` component takes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Mapping

from ..core.versions import HelmChart

if TYPE_CHECKING:
    import pulumi


@dataclass(frozen=True)
class Monitoring:
    enabled: bool
    namespace: str
    release: str
    """The Helm release name; kube-prometheus-stack selects only monitors labelled with it."""
    grafana: bool
    retention: str


@dataclass(frozen=True)
class MonitoringArgs:
    """What `Monitoring` takes: the settings, the chart, and what to scrape (filled in by the platform)."""

    monitoring: Monitoring
    chart: HelmChart
    namespaces: "Mapping[str, pulumi.Input[str]]"
    """Inference namespaces (name outputs by key) whose model servers are scraped."""
    server_pods: Mapping[str, str]
    """Labels of the model-server pods."""
    server_port_name: str
    gpu_namespace: "pulumi.Input[str]"
    """Where the GPU Operator's dcgm-exporter runs."""
    grafana_password: "pulumi.Input[str] | None" = field(default=None)
    """Pass a Pulumi secret; required with `monitoring.grafana`."""
