"""NetworkPolicies for an inference namespace: deny everything, then allow what serving needs (pure builders)."""

from __future__ import annotations

from typing import Any, Mapping

from ..core.meta import labels, manifest
from ..core.versions import NETWORKING

GKE_DNS_IPS = ("169.254.169.254/32", "169.254.20.10/32")
"""Cloud DNS and NodeLocal DNSCache on GKE; a kube-dns pod selector alone drops DNS on Dataplane V2."""
PRIVATE_RANGES = ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16", "100.64.0.0/10")


def _policy(name: str, namespace: Any, spec: Mapping[str, Any]) -> dict[str, Any]:
    return manifest(NETWORKING, "NetworkPolicy", name, namespace, labels=labels("network-policy", name), spec=dict(spec))


def namespace_peer(namespace: Any, pod_labels: Mapping[str, str] | None = None) -> dict[str, Any]:
    peer: dict[str, Any] = {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": namespace}}}
    if pod_labels:
        peer["podSelector"] = {"matchLabels": dict(pod_labels)}
    return peer


def default_deny(namespace: Any) -> dict[str, Any]:
    return _policy("default-deny", namespace, {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]})


def allow_dns(namespace: Any, *, gke: bool) -> dict[str, Any]:
    ports = [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}]
    peers: list[dict[str, Any]] = [namespace_peer("kube-system", {"k8s-app": "kube-dns"})]
    if gke:
        peers += [{"ipBlock": {"cidr": cidr}} for cidr in GKE_DNS_IPS]
    return _policy("allow-dns", namespace, {"podSelector": {}, "policyTypes": ["Egress"], "egress": [{"to": peers, "ports": ports}]})


def allow_clients(namespace: Any, pods: Mapping[str, str], port: int) -> dict[str, Any]:
    """Egress from every pod of the namespace to the model servers' port there: without it default deny
    cuts the same-namespace clients `allow_serving` admits (both ends must allow a connection)."""
    return _policy(
        "allow-clients",
        namespace,
        {
            "podSelector": {},
            "policyTypes": ["Egress"],
            "egress": [{"to": [{"podSelector": {"matchLabels": dict(pods)}}], "ports": [{"protocol": "TCP", "port": port}]}],
        },
    )


def allow_serving(namespace: Any, pods: Mapping[str, str], port: int, sources: list[dict[str, Any]]) -> dict[str, Any]:
    """Ingress to the model servers' port from the same namespace and the given peers only."""
    return _policy(
        "allow-serving",
        namespace,
        {
            "podSelector": {"matchLabels": dict(pods)},
            "policyTypes": ["Ingress"],
            "ingress": [{"from": [{"podSelector": {}}, *sources], "ports": [{"protocol": "TCP", "port": port}]}],
        },
    )


def allow_model_download(namespace: Any, pods: Mapping[str, str]) -> dict[str, Any]:
    """HTTPS to public addresses (Hugging Face Hub and its CDN); nothing inside the cluster or VPC."""
    return _policy(
        "allow-model-download",
        namespace,
        {
            "podSelector": {"matchLabels": dict(pods)},
            "policyTypes": ["Egress"],
            "egress": [
                {
                    "to": [{"ipBlock": {"cidr": "0.0.0.0/0", "except": list(PRIVATE_RANGES)}}],
                    "ports": [{"protocol": "TCP", "port": 443}],
                }
            ],
        },
    )
