"""Secure defaults for every workload inferfleet builds, in one place.

Non-root, no privilege escalation, all capabilities dropped, RuntimeDefault seccomp, a read-only
root filesystem and no service-account token. A builder that needs a writable path mounts an
emptyDir there instead of loosening these.
"""

from __future__ import annotations

from typing import Any

RUN_AS_USER = 10001
"""Above 10000 so it never collides with a host user (checkov CKV_K8S_40); group 0 as vLLM's image expects."""


def pod_security_context() -> dict[str, Any]:
    return {
        "runAsNonRoot": True,
        "runAsUser": RUN_AS_USER,
        "runAsGroup": 0,
        "seccompProfile": {"type": "RuntimeDefault"},
    }


def container_security_context() -> dict[str, Any]:
    return {
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": True,
        "runAsNonRoot": True,
        "capabilities": {"drop": ["ALL"]},
        "seccompProfile": {"type": "RuntimeDefault"},
    }


def pod_defaults() -> dict[str, Any]:
    """Pod-spec fields every workload gets."""
    return {
        "automountServiceAccountToken": False,
        "enableServiceLinks": False,
        "securityContext": pod_security_context(),
    }


RESTRICTED_NAMESPACE_LABELS = {
    "pod-security.kubernetes.io/enforce": "restricted",
    "pod-security.kubernetes.io/enforce-version": "latest",
}
"""Pod Security Admission: the namespace admits only pods that meet the restricted profile."""
PRIVILEGED_NAMESPACE_LABELS = {"pod-security.kubernetes.io/enforce": "privileged"}
"""For operator namespaces whose DaemonSets need host access (GPU Operator)."""
