"""Environment rules: what a production stack must also satisfy, on each cloud."""

from __future__ import annotations

from typing import Any

import pytest

from components.core.problems import ConfigError

from ..conftest import EKS, EXISTING, GKE, config, resolved

SAFE = {"endpoint": {"private": True}, "systemPool": {"nodes": {"min": 2, "max": 3}}}


def production(base: dict[str, Any], **cluster: Any) -> dict[str, Any]:
    # A private EKS endpoint needs Pulumi inside the VPC, or a restricted public endpoint for it (issue 7).
    safe = {**SAFE, "endpoint": {"private": True, "runnerInNetwork": True}} if base["cluster"]["provider"] == "eks" else SAFE
    return config(base, environment="production", cluster={**base["cluster"], **safe, **cluster})


def problems(values: dict[str, Any]) -> list[str]:
    try:
        resolved(values)
    except ConfigError as e:
        return [p.line() for p in e.problems]
    return []


@pytest.mark.parametrize("base", [GKE, EKS], ids=["gke", "eks"])
def test_a_compliant_production_stack_is_protected(base: dict[str, Any]) -> None:
    platform = resolved(production(base))
    assert platform.production and platform.protect
    assert platform.cluster.deletion_protection  # type: ignore[union-attr]


@pytest.mark.parametrize("base", [GKE, EKS], ids=["gke", "eks"])
@pytest.mark.parametrize(
    ("cluster", "expected"),
    [
        ({"endpoint": {}},
         ["inferfleet:cluster.endpoint: a production control plane must be private or restricted; set private: true or "
          "list authorizedNetworks"]),
        ({"endpoint": {"authorizedNetworks": ["0.0.0.0/0"]}},
         ["inferfleet:cluster.endpoint.authorizedNetworks: 0.0.0.0/0 leaves a production control plane open; list your "
          "own CIDRs or set private: true"]),
        ({"systemPool": {"nodes": {"min": 1, "max": 3}}},
         ["inferfleet:cluster.systemPool.nodes.min: production needs at least 2 system nodes, got 1; valid: >= 2"]),
        ({"protect": False},
         ["inferfleet:cluster.protect: production clusters and GPU pools are protected; remove protect: false"]),
    ],
    ids=["public-endpoint", "open-to-the-internet", "one-system-node", "unprotected"],
)
def test_production_rules(base: dict[str, Any], cluster: dict[str, Any], expected: list[str]) -> None:
    assert problems(production(base, **cluster)) == expected


def test_production_spreads_the_system_pool_across_zones() -> None:
    assert problems(production(GKE, zones=["us-central1-a"])) == [
        "inferfleet:cluster.zones: production spreads the system pool across zones; list at least 2, got 1"
    ]


def test_restricted_public_endpoint_is_enough() -> None:
    assert problems(production(GKE, endpoint={"authorizedNetworks": ["203.0.113.0/24"]})) == []


def test_development_may_be_public_and_small() -> None:
    assert problems(config(GKE, cluster={**GKE["cluster"], "zones": ["us-central1-a"]})) == []
    assert not resolved(GKE).protect


def test_an_existing_cluster_is_not_judged_by_rules_it_cannot_change() -> None:
    assert problems(config(EXISTING, environment="production")) == []
