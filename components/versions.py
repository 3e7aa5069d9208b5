"""The version lock: every chart, image and API version inferfleet emits, in one place.

Set to the binding decisions in ../shared/reference/versions.md. A stack overrides an
entry with `inferfleet:versions` (camelCase forms of the `Pins` field names); nothing else
in the code spells a version.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Mapping


@dataclass(frozen=True)
class HelmChart:
    """A pinned Helm chart: `repository` is an HTTP repo URL, or None when `chart` is an OCI URL."""

    chart: str
    version: str
    repository: str | None = None


@dataclass(frozen=True)
class Pins:
    """Versions a stack may override. Field names are the snake_case forms of the `inferfleet:versions` keys."""

    kubernetes: str = "1.34"
    """Kubernetes minor the platform targets (DRA resource.k8s.io/v1 is GA from 1.34)."""
    gpu_operator: str = "v26.7.0"
    kueue: str = "0.19.2"
    kube_prometheus_stack: str = "88.5.3"
    vllm: str = "v0.33.0"
    vllm_digest: str = ""
    """Optional `sha256:...` digest of the vLLM image; appended to the tag when set."""

    def charts(self) -> "Charts":
        return Charts(
            gpu_operator=HelmChart("gpu-operator", self.gpu_operator, "https://helm.ngc.nvidia.com/nvidia"),
            kueue=HelmChart("oci://registry.k8s.io/kueue/charts/kueue", self.kueue),
            kube_prometheus_stack=HelmChart(
                "kube-prometheus-stack", self.kube_prometheus_stack, "https://prometheus-community.github.io/helm-charts"
            ),
        )

    @property
    def vllm_image(self) -> str:
        image = f"vllm/vllm-openai:{self.vllm}"
        return f"{image}@{self.vllm_digest}" if self.vllm_digest else image


@dataclass(frozen=True)
class Charts:
    gpu_operator: HelmChart
    kueue: HelmChart
    kube_prometheus_stack: HelmChart


PIN_KEYS: tuple[str, ...] = tuple(f.name for f in fields(Pins))
DEFAULT_PINS = Pins()


def pins_with(overrides: Mapping[str, str]) -> Pins:
    """The default pins with a stack's overrides applied (keys checked by the stack schema)."""
    return replace(DEFAULT_PINS, **dict(overrides))


# API versions written for each kind. Kueue v1beta2, DRA v1, LLMInferenceService v1alpha2 and
# InferencePool v1 are the storage versions of the pinned releases.
KUEUE = "kueue.x-k8s.io/v1beta2"
MONITORING = "monitoring.coreos.com/v1"
NETWORKING = "networking.k8s.io/v1"
APPS = "apps/v1"
CORE = "v1"

# Where the pinned upstream CRD schemas live, by API group (folders under ../shared/crds/).
CRD_SCHEMA_FOLDERS: Mapping[str, str] = {
    "kueue.x-k8s.io": "kueue-v0.19.2",
    "monitoring.coreos.com": "prometheus-operator-v0.93.0",
    "nvidia.com": "gpu-operator-v26.7.0",
    "resource.nvidia.com": "dra-driver-nvidia-gpu-v0.4.1",
    "gateway.networking.k8s.io": "gateway-api-v1.5.1-standard",
    "inference.networking.k8s.io": "gateway-api-inference-extension-v1.5.0",
    "llm-d.ai": "llm-d-router-v0.10.0",
    "serving.kserve.io": "kserve-v0.20.0",
    "keda.sh": "keda-v2.20.2",
    "leaderworkerset.x-k8s.io": "lws-v0.10.0",
    "cert-manager.io": "cert-manager-v1.21.1",
}
