"""The network layer's values: what `NetworkPolicies` takes.

The flows come from the layers that need them (the platform fills these in): the model servers'
pods and port from serving, the scrapers from monitoring.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Mapping

if TYPE_CHECKING:
    import pulumi


@dataclass(frozen=True)
class Peer:
    """Pods of one namespace allowed to reach the model servers."""

    namespace: "pulumi.Input[str]"
    pods: Mapping[str, str]


@dataclass(frozen=True)
class NetworkArgs:
    namespaces: "Mapping[str, pulumi.Input[str]]"
    """The inference namespaces (name outputs by key) to lock down."""
    server_pods: Mapping[str, str]
    """Labels of the model-server pods."""
    server_port: int
    gke: bool
    """GKE's DNS answers from link-local addresses a pod selector does not match."""
    scrapers: tuple[Peer, ...] = field(default=())
    """Who else may reach the servers' port (e.g. Prometheus)."""
