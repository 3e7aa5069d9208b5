"""vLLM model services: namespace, Hugging Face token Secret, Deployment and Service (pure builders).

Everything vLLM-specific lives here: the port, the flags and the probes.
"""

from __future__ import annotations

from typing import Any

from ..core.budget import StartupBudget
from ..core.meta import labels, manifest
from ..core.meta import namespace as namespace_manifest
from ..core.security import RESTRICTED_NAMESPACE_LABELS, container_security_context, pod_defaults
from ..core.versions import APPS, CORE, RESOURCE
from ..scheduling.values import INFERENCE_NAMESPACE_LABEL, PRIORITY_LABEL, QUEUE_LABEL
from .values import ModelService

PORT = 8000
PORT_NAME = "http"
COMPONENT = "vllm"
POD_LABELS = {"app.kubernetes.io/name": COMPONENT}
"""Every vLLM pod carries these; network policies and monitors select model servers by them."""
HOME = "/home/vllm"
HF_TOKEN_KEY = "token"
HF_TOKEN_DIR = "/var/run/secrets/huggingface"
CLAIM = "gpu"
"""The name of a DRA pod's GPU claim, and of the request in its template."""


def args(model: ModelService) -> list[str]:
    """`vllm serve` arguments from the model's typed settings, then its extra args as written."""
    out = [
        model.model_id,
        f"--port={PORT}",
        f"--served-model-name={model.model_id}",
        f"--tensor-parallel-size={model.tensor_parallel}",
        f"--gpu-memory-utilization={model.gpu_memory_utilization}",
        f"--max-num-seqs={model.max_num_seqs}",
        f"--max-model-len={model.max_model_len}",
        # vLLM's boolean flags are argparse BooleanOptionalAction, hence `--no-`; unverified against v0.33.0.
        "--enable-prefix-caching" if model.prefix_caching else "--no-enable-prefix-caching",
    ]
    if model.quantization:
        out.append(f"--quantization={model.quantization}")
    if model.kv_cache_dtype != "auto":
        out.append(f"--kv-cache-dtype={model.kv_cache_dtype}")
    return [*out, *model.extra_args]


MANAGED_FLAGS = (
    "--port", "--served-model-name", "--tensor-parallel-size", "-tp", "--gpu-memory-utilization",
    "--max-num-seqs", "--max-model-len", "--enable-prefix-caching", "--no-enable-prefix-caching",
    "--quantization", "-q", "--kv-cache-dtype", "--model",
)
"""Flags `args` sets from typed fields (and their short forms); `extraArgs` may not repeat them."""


def selector(model_name: str) -> dict[str, str]:
    """The Deployment selector: immutable, so only the two labels that never change."""
    return {"app.kubernetes.io/name": COMPONENT, "app.kubernetes.io/instance": model_name}


def namespace(name: str) -> dict[str, Any]:
    return namespace_manifest(name, "inference-namespace", RESTRICTED_NAMESPACE_LABELS, {INFERENCE_NAMESPACE_LABEL: "true"})


def hf_token_secret(namespace: Any, token: Any) -> dict[str, Any]:
    return manifest(
        CORE, "Secret", "hf-token", namespace, labels=labels("hf-token"), type="Opaque", stringData={HF_TOKEN_KEY: token}
    )


def _probe(period: int, failures: int, timeout: int) -> dict[str, Any]:
    return {
        "httpGet": {"path": "/health", "port": PORT_NAME},
        "periodSeconds": period,
        "failureThreshold": failures,
        "timeoutSeconds": timeout,
    }


def resource_claim_template(model: ModelService, namespace: Any) -> dict[str, Any]:
    """The ResourceClaimTemplate a DRA pool's model pods claim their GPUs from: the pool's device class
    and CEL selector, as many devices as the model's tensor parallelism (resource.k8s.io/v1)."""
    assert model.gpu_claim is not None
    request = {
        "deviceClassName": model.gpu_claim.device_class,
        # Kueue counts only ExactCount requests (kueue@v0.19.2 pkg/dra/claims.go:56-110).
        "allocationMode": "ExactCount",
        "count": model.tensor_parallel,
        "selectors": [{"cel": {"expression": model.gpu_claim.selector}}],
    }
    return manifest(
        RESOURCE, "ResourceClaimTemplate", f"{model.name}-gpu", namespace, labels=labels(COMPONENT, model.name),
        spec={"spec": {"devices": {"requests": [{"name": CLAIM, "exactly": request}]}}},
    )


def deployment(
    model: ModelService,
    *,
    namespace: Any,
    queue: Any,
    hf_secret: Any | None,
    budget: StartupBudget,
    priority: str | None = None,
    claim_template: Any | None = None,
) -> dict[str, Any]:
    """The vLLM Deployment for one model; `queue` is its Kueue LocalQueue and `priority` its
    WorkloadPriorityClass (so inference preempts batch work), `hf_secret` the token Secret,
    `claim_template` the ResourceClaimTemplate its pods claim GPUs from on a DRA pool.

    vLLM serves /health only once the weights are loaded, so the startup probe allows the whole
    load budget, and the progress deadline the budget's rollout on top (see `core.budget`).
    """
    env = [
        {"name": "HOME", "value": HOME},
        {"name": "HF_HOME", "value": f"{HOME}/.cache/huggingface"},
        {"name": "XDG_CACHE_HOME", "value": f"{HOME}/.cache"},
        {"name": "TRITON_CACHE_DIR", "value": f"{HOME}/.cache/triton"},
        {"name": "VLLM_NO_USAGE_STATS", "value": "1"},
        {"name": "DO_NOT_TRACK", "value": "1"},
    ]
    mounts: list[dict[str, Any]] = [
        {"name": "cache", "mountPath": f"{HOME}/.cache"},
        {"name": "config", "mountPath": f"{HOME}/.config"},
        {"name": "tmp", "mountPath": "/tmp"},
        {"name": "dshm", "mountPath": "/dev/shm"},
    ]
    volumes: list[dict[str, Any]] = [
        {"name": "cache", "emptyDir": {"sizeLimit": model.ephemeral_storage}},
        {"name": "config", "emptyDir": {"sizeLimit": "64Mi"}},
        {"name": "tmp", "emptyDir": {"sizeLimit": "2Gi"}},
        {"name": "dshm", "emptyDir": {"medium": "Memory", "sizeLimit": model.shm_size}},
    ]
    if hf_secret is not None:
        # A file, not an env var: the token stays out of `kubectl describe` and process listings.
        env.append({"name": "HF_TOKEN_PATH", "value": f"{HF_TOKEN_DIR}/{HF_TOKEN_KEY}"})
        mounts.append({"name": "hf-token", "mountPath": HF_TOKEN_DIR, "readOnly": True})
        volumes.append({"name": "hf-token", "secret": {"secretName": hf_secret, "defaultMode": 0o440}})
    resources = {"cpu": model.cpu, "memory": model.memory, "ephemeral-storage": model.ephemeral_storage}
    claims: dict[str, Any] = {}
    if model.gpu_claim is None:
        resources[model.gpu_resource] = str(model.tensor_parallel)
    else:
        # The GPUs come only through the claim, which Kueue counts by its device class (scheduling.kueue).
        claims = {"claims": [{"name": CLAIM}]}
    container = {
        "name": COMPONENT,
        "image": model.image,
        "imagePullPolicy": "IfNotPresent",
        "command": ["vllm", "serve"],
        "args": args(model),
        "ports": [{"name": PORT_NAME, "containerPort": PORT, "protocol": "TCP"}],
        "env": env,
        "resources": {"requests": resources, "limits": dict(resources), **claims},
        "startupProbe": _probe(budget.probe_period_seconds, budget.probe_failures, 5),
        "readinessProbe": _probe(10, 3, 5),
        "livenessProbe": _probe(30, 5, 10),
        "securityContext": container_security_context(),
        "volumeMounts": mounts,
    }
    pod_labels = {**labels(COMPONENT, model.name), **POD_LABELS, "inferfleet.dev/model": model.name, "inferfleet.dev/pool": model.pool}
    return manifest(
        APPS,
        "Deployment",
        model.name,
        namespace,
        labels={**labels(COMPONENT, model.name), QUEUE_LABEL: queue, **({PRIORITY_LABEL: priority} if priority else {})},
        spec={
            "replicas": model.replicas,
            "selector": {"matchLabels": selector(model.name)},
            # A surge pod needs a GPU and quota that are usually not there; replace in place.
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 0, "maxUnavailable": 1}},
            "progressDeadlineSeconds": budget.progress_deadline_seconds,
            "template": {
                "metadata": {"labels": pod_labels, "annotations": {"kubectl.kubernetes.io/default-container": COMPONENT}},
                "spec": {
                    **pod_defaults(),
                    "terminationGracePeriodSeconds": 60,
                    "nodeSelector": dict(model.node_selector),
                    "tolerations": [t.toleration() for t in model.tolerations],
                    "containers": [container],
                    "volumes": volumes,
                    **({"resourceClaims": [{"name": CLAIM, "resourceClaimTemplateName": claim_template}]} if model.gpu_claim else {}),
                },
            },
        },
    )


def service(model: ModelService, namespace: Any) -> dict[str, Any]:
    return manifest(
        CORE,
        "Service",
        model.name,
        namespace,
        labels=labels(COMPONENT, model.name),
        spec={
            "type": "ClusterIP",
            "selector": selector(model.name),
            "ports": [{"name": PORT_NAME, "port": PORT, "targetPort": PORT_NAME, "protocol": "TCP"}],
        },
    )
