"""The version lock: every chart, image and API version inferfleet emits, in one place.

Set to the binding decisions in shared/reference/versions.md. A stack overrides a pin with
`inferfleet:versions` (camelCase forms of the `Pins` field names); nothing else in the code
spells a version. The folders of pinned CRD schemas and chart defaults the offline plan
validates against are derived from the pins here, so overriding a pin validates against the
schemas of the version it names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields, replace
from typing import Callable, Mapping


def _kubernetes_minor(value: str) -> str:
    match = re.fullmatch(r"1\.(\d+)", value)
    if not match or int(match.group(1)) < 34:
        raise ValueError(f"'{value}' is not a supported Kubernetes minor; valid: 1.34 or newer (DRA v1 is GA from 1.34), written like 1.34")
    return value


def _ca_image(value: str) -> str:
    if not re.fullmatch(r"v1\.\d+\.\d+", value):
        raise ValueError(f"'{value}' is not a cluster-autoscaler image tag; valid: v1.<minor>.<patch> with the Kubernetes minor, e.g. v1.34.5")
    return value


def _digest(value: str) -> str:
    if not re.fullmatch(r"sha256:[0-9a-f]{64}", value):
        raise ValueError(f"'{value}' is not an image digest; valid: sha256: followed by 64 lowercase hex digits")
    return value


def _pin(default: str, doc: str, check: Callable[[str], str] | None = None) -> str:
    return field(default=default, metadata={"doc": doc, "check": check})


@dataclass(frozen=True)
class HelmChart:
    """A pinned Helm chart: `repository` is an HTTP repo URL, or None when `chart` is an OCI URL."""

    chart: str
    version: str
    repository: str | None = None

    @property
    def values_folder(self) -> str:
        """The folder of this chart's default values: `<chart name>-<version>` (shared/charts layout)."""
        return f"{self.chart.rstrip('/').rsplit('/', 1)[-1]}-{self.version}"


@dataclass(frozen=True)
class Pins:
    """Versions a stack may override. Field names are the snake_case forms of the `inferfleet:versions` keys."""

    kubernetes: str = _pin(
        "1.34", "Kubernetes minor the platform targets, >= 1.34 (DRA resource.k8s.io/v1 is GA from 1.34).", _kubernetes_minor
    )
    gpu_operator: str = _pin("v26.7.0", "NVIDIA GPU Operator chart version, e.g. v26.7.0.")
    kueue: str = _pin("0.19.2", "Kueue chart version (no leading v), e.g. 0.19.2.")
    kube_prometheus_stack: str = _pin("88.5.3", "kube-prometheus-stack chart version, e.g. 88.5.3.")
    prometheus_operator: str = _pin(
        "v0.93.0", "Prometheus Operator whose CRDs the kube-prometheus-stack chart ships (schemas for monitors)."
    )
    dra_driver: str = _pin("0.4.1", "NVIDIA DRA driver chart version, e.g. 0.4.1.")
    gateway_api: str = _pin("v1.5.1", "Gateway API release (standard channel), e.g. v1.5.1.")
    inference_extension: str = _pin("v1.5.0", "Gateway API Inference Extension release, e.g. v1.5.0.")
    llm_d_router: str = _pin("v0.10.0", "llm-d router release, e.g. v0.10.0.")
    kserve: str = _pin("v0.20.0", "KServe release, e.g. v0.20.0.")
    keda: str = _pin("v2.20.2", "KEDA release, e.g. v2.20.2.")
    lws: str = _pin("v0.10.0", "LeaderWorkerSet release, e.g. v0.10.0.")
    cert_manager: str = _pin("v1.21.1", "cert-manager release, e.g. v1.21.1.")
    karpenter: str = _pin("1.14.1", "Karpenter release (no leading v), e.g. 1.14.1.")
    cluster_autoscaler: str = _pin("9.59.0", "cluster-autoscaler chart version, for EKS stacks with nodeAutoscaler: cluster-autoscaler.")
    cluster_autoscaler_image: str = _pin(
        "v1.34.5", "cluster-autoscaler image tag; its minor must be the Kubernetes minor (the chart's own is newer).", _ca_image
    )
    gke_driver_installer: str = _pin(
        "cos-nvidia-installer:fixed",
        "GKE's NVIDIA driver installer image for COS nodes of DRA pools: preloaded on the node by GKE, never pulled "
        "(GoogleCloudPlatform/container-engine-accelerators@992db812 nvidia-driver-installer/cos/daemonset-preloaded.yaml:78-79).",
    )
    gke_pause: str = _pin(
        "gke.gcr.io/pause:3.8@sha256:880e63f94b145e46f1b1082bb71b85e21f16b99b180b9996407d61240ceb9830",
        "The pause image the GKE driver installer DaemonSet idles in once the driver is in "
        "(container-engine-accelerators@992db812 nvidia-driver-installer/cos/daemonset-preloaded.yaml:142).",
    )
    vllm: str = _pin("v0.33.0", "vLLM image tag, e.g. v0.33.0.")
    vllm_digest: str = _pin("", "Optional sha256:<64 hex> digest of the vLLM image; appended to the tag when set.", _digest)

    def charts(self) -> "Charts":
        return Charts(
            gpu_operator=HelmChart("gpu-operator", self.gpu_operator, "https://helm.ngc.nvidia.com/nvidia"),
            kueue=HelmChart("oci://registry.k8s.io/kueue/charts/kueue", self.kueue),
            kube_prometheus_stack=HelmChart(
                "kube-prometheus-stack", self.kube_prometheus_stack, "https://prometheus-community.github.io/helm-charts"
            ),
            # OCI only (dra-driver-nvidia-gpu@v0.4.1 docs/install.md:24-28).
            dra_driver=HelmChart("oci://registry.k8s.io/dra-driver-nvidia/charts/dra-driver-nvidia-gpu", self.dra_driver),
            # Published with the release's version, no leading v (kubernetes-sigs/lws@v0.10.0 hack/push-chart.sh:49).
            lws=HelmChart("oci://registry.k8s.io/lws/charts/lws", self.lws.removeprefix("v")),
            cert_manager=HelmChart("cert-manager", self.cert_manager, "https://charts.jetstack.io"),
            kserve_crd=HelmChart("oci://ghcr.io/kserve/charts/kserve-crd", self.kserve),
            kserve_llmisvc_crd=HelmChart("oci://ghcr.io/kserve/charts/kserve-llmisvc-crd", self.kserve),
            kserve_llmisvc=HelmChart("oci://ghcr.io/kserve/charts/kserve-llmisvc-resources", self.kserve),
            kserve_runtime_configs=HelmChart("oci://ghcr.io/kserve/charts/kserve-runtime-configs", self.kserve),
            kserve_resources=HelmChart("oci://ghcr.io/kserve/charts/kserve-resources", self.kserve),
            karpenter=HelmChart("oci://public.ecr.aws/karpenter/karpenter", self.karpenter),
            cluster_autoscaler=HelmChart("cluster-autoscaler", self.cluster_autoscaler, "https://kubernetes.github.io/autoscaler"),
        )

    def karpenter_crds(self) -> tuple[str, ...]:
        """Karpenter's CRDs at the pinned release, applied before its chart (Helm never upgrades a chart's crds/, pitfall 4)."""
        files = ("karpenter.sh_nodepools.yaml", "karpenter.sh_nodeclaims.yaml", "karpenter.sh_nodeoverlays.yaml",
                 "karpenter.k8s.aws_ec2nodeclasses.yaml", "autoscaling.x-k8s.io_capacitybuffers.yaml")
        return tuple(f"https://raw.githubusercontent.com/aws/karpenter-provider-aws/v{self.karpenter}/pkg/apis/crds/{f}" for f in files)

    @property
    def vllm_image(self) -> str:
        image = f"vllm/vllm-openai:{self.vllm}"
        return f"{image}@{self.vllm_digest}" if self.vllm_digest else image

    def crd_folders(self) -> dict[str, str]:
        """The folder of pinned CRD schemas for each API group inferfleet writes custom resources in."""
        return {group: template.format(getattr(self, pin)) for group, (pin, template) in _CRD_FOLDERS.items()}


@dataclass(frozen=True)
class Charts:
    gpu_operator: HelmChart
    kueue: HelmChart
    kube_prometheus_stack: HelmChart
    dra_driver: HelmChart
    lws: HelmChart
    cert_manager: HelmChart
    kserve_crd: HelmChart
    kserve_llmisvc_crd: HelmChart
    kserve_llmisvc: HelmChart
    """The LLMInferenceService controller (kserve-llmisvc-resources)."""
    kserve_runtime_configs: HelmChart
    """The LLMInferenceServiceConfig presets the controller merges every service onto."""
    karpenter: HelmChart
    cluster_autoscaler: HelmChart
    kserve_resources: HelmChart
    """The InferenceService controller (kserve-resources), installed only for an `inferenceService` model."""

    def all(self) -> tuple[HelmChart, ...]:
        return tuple(getattr(self, f.name) for f in fields(self))


DEFAULT_PINS = Pins()


def pin_fields() -> dict[str, tuple[str, Callable[[str], str] | None]]:
    """Each pin's (description, value check), by field name: the stack's `versions` keys are built from it."""
    return {f.name: (f.metadata["doc"], f.metadata["check"]) for f in fields(Pins)}


def pins_with(overrides: Mapping[str, str]) -> Pins:
    """The default pins with a stack's overrides applied (keys checked by the stack schema)."""
    return replace(DEFAULT_PINS, **dict(overrides))


# API versions written for each kind: the storage versions of the pinned releases.
KUEUE = "kueue.x-k8s.io/v1beta2"
KUEUE_CONFIG = "config.kueue.x-k8s.io/v1beta2"
MONITORING = "monitoring.coreos.com/v1"
NETWORKING = "networking.k8s.io/v1"
APPS = "apps/v1"
RESOURCE = "resource.k8s.io/v1"
POLICY = "policy/v1"
LWS = "leaderworkerset.x-k8s.io/v1"
KSERVE_LLM = "serving.kserve.io/v1alpha2"
KSERVE_ISVC = "serving.kserve.io/v1beta1"
CORE = "v1"

_CRD_FOLDERS: Mapping[str, tuple[str, str]] = {
    "kueue.x-k8s.io": ("kueue", "kueue-v{}"),
    "monitoring.coreos.com": ("prometheus_operator", "prometheus-operator-{}"),
    "nvidia.com": ("gpu_operator", "gpu-operator-{}"),
    "resource.nvidia.com": ("dra_driver", "dra-driver-nvidia-gpu-v{}"),
    "gateway.networking.k8s.io": ("gateway_api", "gateway-api-{}-standard"),
    "inference.networking.k8s.io": ("inference_extension", "gateway-api-inference-extension-{}"),
    "inference.networking.x-k8s.io": ("inference_extension", "gateway-api-inference-extension-{}"),
    "llm-d.ai": ("llm_d_router", "llm-d-router-{}"),
    "serving.kserve.io": ("kserve", "kserve-{}"),
    "keda.sh": ("keda", "keda-{}"),
    "leaderworkerset.x-k8s.io": ("lws", "lws-{}"),
    "cert-manager.io": ("cert_manager", "cert-manager-{}"),
    "karpenter.sh": ("karpenter", "karpenter-v{}"),
    "karpenter.k8s.aws": ("karpenter", "karpenter-v{}"),
}
"""API group → (the pin that decides its schemas, the folder name under crds/ for that version)."""
