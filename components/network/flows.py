"""Whether rendered NetworkPolicies let one endpoint reach another: a model of the rule CNIs enforce.

The rule, from the NetworkPolicy API (kubernetes/api@v0.34.0 networking/v1/types.go, NetworkPolicySpec,
NetworkPolicyPeer): a pod is isolated for a direction once any policy in its namespace selects it with
that direction in `policyTypes`; then a connection is allowed only if some such policy has a rule whose
peers and ports match. Both ends must allow it: egress at the source, ingress at the destination. Peers:
`podSelector` alone means pods of the policy's namespace, `namespaceSelector` (with an optional
`podSelector`) pods of matching namespaces, `ipBlock` addresses outside the cluster's pods. Only
`matchLabels` is modelled (inferfleet's builders use nothing else); `matchExpressions` counts as no match.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping


@dataclass(frozen=True)
class Endpoint:
    """A pod (namespace and labels) or an address outside the cluster's pods (`ip`)."""

    namespace: str = ""
    labels: Mapping[str, str] = field(default_factory=dict)
    ip: str | None = None

    @property
    def pod(self) -> bool:
        return self.ip is None


def _selects(selector: Mapping[str, Any] | None, labels: Mapping[str, str]) -> bool:
    if selector is None:
        return False
    if selector.get("matchExpressions"):
        return False
    return all(labels.get(k) == v for k, v in (selector.get("matchLabels") or {}).items())


def _namespace_labels(namespace: str, namespaces: Mapping[str, Mapping[str, str]]) -> dict[str, str]:
    # The API server labels every namespace with its name (kubernetes.io/metadata.name, GA since 1.22).
    return {**namespaces.get(namespace, {}), "kubernetes.io/metadata.name": namespace}


def _peer_matches(peer: Mapping[str, Any], policy_namespace: str, other: Endpoint, namespaces: Mapping[str, Mapping[str, str]]) -> bool:
    if "ipBlock" in peer:
        if other.pod:
            return False
        block = peer["ipBlock"]
        address = ipaddress.ip_address(other.ip or "")
        inside = address in ipaddress.ip_network(block["cidr"])
        return inside and not any(address in ipaddress.ip_network(c) for c in block.get("except") or ())
    if not other.pod:
        return False
    if "namespaceSelector" in peer:
        if not _selects(peer["namespaceSelector"], _namespace_labels(other.namespace, namespaces)):
            return False
        return "podSelector" not in peer or _selects(peer["podSelector"], other.labels)
    return other.namespace == policy_namespace and _selects(peer.get("podSelector"), other.labels)


def _port_matches(ports: Iterable[Mapping[str, Any]] | None, port: int, protocol: str) -> bool:
    listed = list(ports or ())
    return not listed or any(p.get("protocol", "TCP") == protocol and p.get("port") in (None, port) for p in listed)


def _direction_allows(
    policies: list[Mapping[str, Any]], pod: Endpoint, other: Endpoint, port: int, protocol: str,
    namespaces: Mapping[str, Mapping[str, str]], direction: str,
) -> bool:
    kind, rules_key, peers_key = ("Ingress", "ingress", "from") if direction == "in" else ("Egress", "egress", "to")
    selecting = [
        p for p in policies
        if p["metadata"].get("namespace") == pod.namespace
        and _selects(p["spec"].get("podSelector", {}), pod.labels)
        and kind in (p["spec"].get("policyTypes") or ["Ingress"])
    ]
    if not selecting:
        return True  # not isolated in this direction
    for policy in selecting:
        for rule in policy["spec"].get(rules_key) or ():
            peers = rule.get(peers_key)
            peer_ok = not peers or any(_peer_matches(peer, pod.namespace, other, namespaces) for peer in peers)
            if peer_ok and _port_matches(rule.get("ports"), port, protocol):
                return True
    return False


def allowed(
    manifests: Iterable[Mapping[str, Any]], src: Endpoint, dst: Endpoint, port: int, protocol: str = "TCP"
) -> bool:
    """Whether `src` may open a connection to `dst` on `port` under the rendered objects' policies."""
    objects = list(manifests)
    policies = [o for o in objects if o.get("kind") == "NetworkPolicy"]
    namespaces = {o["metadata"]["name"]: o["metadata"].get("labels") or {} for o in objects if o.get("kind") == "Namespace"}
    out_ok = not src.pod or _direction_allows(policies, src, dst, port, protocol, namespaces, "out")
    in_ok = not dst.pod or _direction_allows(policies, dst, src, port, protocol, namespaces, "in")
    return out_ok and in_ok
