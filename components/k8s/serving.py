"""vLLM model services: namespace, Hugging Face token Secret, Deployment and Service."""

from __future__ import annotations

from typing import Any

from ..resolved import ModelService
from ..versions import APPS, CORE
from .kueue import INFERENCE_NAMESPACE_LABEL, QUEUE_LABEL
from .meta import labels, manifest
from .security import RESTRICTED_NAMESPACE_LABELS, container_security_context, pod_defaults

PORT = 8000
PORT_NAME = "http"
COMPONENT = "vllm"
HOME = "/home/vllm"
HF_TOKEN_KEY = "token"
HF_TOKEN_DIR = "/var/run/secrets/huggingface"
STARTUP_PERIOD_S = 30
STARTUP_FAILURES = 120
"""vLLM serves /health only once the weights are loaded: allow up to an hour (pitfall 18)."""


def selector(model_name: str) -> dict[str, str]:
    """The Deployment selector: immutable, so only the two labels that never change."""
    return {"app.kubernetes.io/name": COMPONENT, "app.kubernetes.io/instance": model_name}


def namespace(name: str) -> dict[str, Any]:
    return manifest(
        CORE, "Namespace", name, labels=labels("inference-namespace", name, {**RESTRICTED_NAMESPACE_LABELS, INFERENCE_NAMESPACE_LABEL: "true"})
    )


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


def deployment(model: ModelService, *, namespace: Any, queue: Any, hf_secret: Any | None) -> dict[str, Any]:
    """The vLLM Deployment for one model; `queue` is its Kueue LocalQueue, `hf_secret` the token Secret."""
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
    resources = {
        "cpu": model.cpu,
        "memory": model.memory,
        "ephemeral-storage": model.ephemeral_storage,
        "nvidia.com/gpu": str(model.gpus),
    }
    container = {
        "name": COMPONENT,
        "image": model.image,
        "imagePullPolicy": "IfNotPresent",
        "command": ["vllm", "serve"],
        "args": list(model.args),
        "ports": [{"name": PORT_NAME, "containerPort": PORT, "protocol": "TCP"}],
        "env": env,
        "resources": {"requests": resources, "limits": dict(resources)},
        "startupProbe": _probe(STARTUP_PERIOD_S, STARTUP_FAILURES, 5),
        "readinessProbe": _probe(10, 3, 5),
        "livenessProbe": _probe(30, 5, 10),
        "securityContext": container_security_context(),
        "volumeMounts": mounts,
    }
    pod_labels = {**labels(COMPONENT, model.name), "inferfleet.dev/model": model.name, "inferfleet.dev/pool": model.pool}
    return manifest(
        APPS,
        "Deployment",
        model.name,
        namespace,
        labels={**labels(COMPONENT, model.name), QUEUE_LABEL: queue},
        spec={
            "replicas": model.replicas,
            "selector": {"matchLabels": selector(model.name)},
            # A surge pod needs a GPU and quota that are usually not there; replace in place.
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 0, "maxUnavailable": 1}},
            "progressDeadlineSeconds": STARTUP_PERIOD_S * STARTUP_FAILURES + 600,
            "template": {
                "metadata": {"labels": pod_labels, "annotations": {"kubectl.kubernetes.io/default-container": COMPONENT}},
                "spec": {
                    **pod_defaults(),
                    "terminationGracePeriodSeconds": 60,
                    "nodeSelector": dict(model.node_selector),
                    "tolerations": [t.toleration() for t in model.tolerations],
                    "containers": [container],
                    "volumes": volumes,
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
