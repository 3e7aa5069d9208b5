"""Environment rules: what a stack marked `environment: production` must also satisfy, as a table."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterator

from components.cloud.spec import EksClusterSpec, GkeClusterSpec
from components.core.problems import Problem

from .schema import StackSpec

OPEN_CIDRS = ("0.0.0.0/0", "::/0")

Cluster = GkeClusterSpec | EksClusterSpec


@dataclass(frozen=True)
class Rule:
    path: str
    broken: Callable[[Cluster], bool]
    message: Callable[[Cluster], str]


PRODUCTION: tuple[Rule, ...] = (
    Rule(
        "cluster.protect",
        lambda c: c.protect is False,
        lambda c: "production clusters and GPU pools are protected; remove protect: false",
    ),
    Rule(
        "cluster.systemPool.nodes.min",
        lambda c: c.system_pool.nodes.min < 2,
        lambda c: f"production needs at least 2 system nodes, got {c.system_pool.nodes.min}; valid: >= 2",
    ),
    Rule(
        "cluster.zones",
        lambda c: len(c.zones) < 2,
        lambda c: f"production spreads the system pool across zones; list at least 2, got {len(c.zones)}",
    ),
    Rule(
        "cluster.endpoint",
        lambda c: not c.endpoint.private and not c.endpoint.authorized_networks,
        lambda c: "a production control plane must be private or restricted; set private: true or list authorizedNetworks",
    ),
    Rule(
        "cluster.endpoint.authorizedNetworks",
        lambda c: not c.endpoint.private and any(cidr in OPEN_CIDRS for cidr in c.endpoint.authorized_networks),
        lambda c: "0.0.0.0/0 leaves a production control plane open; list your own CIDRs or set private: true",
    ),
)
"""Rules for the clusters inferfleet creates; an existing cluster is its owner's to harden."""


def environment_problems(spec: StackSpec) -> Iterator[Problem]:
    cluster = spec.cluster
    if spec.environment != "production" or not isinstance(cluster, (GkeClusterSpec, EksClusterSpec)):
        return
    for rule in PRODUCTION:
        if rule.broken(cluster):
            yield Problem(rule.path, rule.message(cluster))
