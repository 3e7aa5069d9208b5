"""Object metadata shared by every builder."""

from __future__ import annotations

from typing import Any, Mapping

from .versions import CORE

PART_OF = {"app.kubernetes.io/part-of": "inferfleet", "app.kubernetes.io/managed-by": "pulumi"}


def labels(component: str, instance: str | None = None, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    out = {"app.kubernetes.io/name": component, **PART_OF}
    if instance is not None:
        out["app.kubernetes.io/instance"] = instance
    if extra:
        out.update(extra)
    return out


def manifest(
    api_version: str,
    kind: str,
    name: Any,
    namespace: Any = None,
    *,
    labels: Mapping[str, Any] | None = None,
    annotations: Mapping[str, str] | None = None,
    **body: Any,
) -> dict[str, Any]:
    """A Kubernetes object. `name` and `namespace` may be Pulumi outputs (the components pass them)."""
    metadata: dict[str, Any] = {"name": name}
    if namespace is not None:
        metadata["namespace"] = namespace
    if labels:
        metadata["labels"] = dict(labels)
    if annotations:
        metadata["annotations"] = dict(annotations)
    return {"apiVersion": api_version, "kind": kind, "metadata": metadata, **body}


def namespace(name: str, component: str, pod_security: Mapping[str, str], extra: Mapping[str, str] | None = None) -> dict[str, Any]:
    """A Namespace with its Pod Security Admission profile (see `security`) and any extra labels."""
    return manifest(CORE, "Namespace", name, labels=labels(component, name, {**pod_security, **(extra or {})}))
