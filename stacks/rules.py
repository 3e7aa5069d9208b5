"""Environment rules: what a stack marked `environment: production` must also satisfy."""

from __future__ import annotations

from typing import Iterator

from components.core.problems import Problem
from .schema import StackSpec

OPEN_CIDRS = ("0.0.0.0/0", "::/0")


def environment_problems(spec: StackSpec) -> Iterator[Problem]:
    if spec.environment != "production" or spec.cluster.provider == "existing":
        return
    c = spec.cluster
    if c.protect is False:
        yield Problem("cluster.protect", "production clusters and GPU pools are protected; remove protect: false")
    system = c.system_pool.nodes
    if system.min < 2:
        yield Problem(
            "cluster.systemPool.nodes.min",
            f"production needs at least 2 system nodes, got {system.min}; valid: >= 2",
        )
    if len(c.zones) < 2:
        yield Problem("cluster.zones", f"production spreads the system pool across zones; list at least 2, got {len(c.zones)}")
    endpoint = c.endpoint
    if not endpoint.private:
        if not endpoint.authorized_networks:
            yield Problem(
                "cluster.endpoint",
                "a production control plane must be private or restricted; set private: true or list authorizedNetworks",
            )
        elif any(cidr in OPEN_CIDRS for cidr in endpoint.authorized_networks):
            yield Problem(
                "cluster.endpoint.authorizedNetworks",
                "0.0.0.0/0 leaves a production control plane open; list your own CIDRs or set private: true",
            )
