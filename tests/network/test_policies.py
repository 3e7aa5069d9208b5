"""NetworkPolicy builders: default deny, DNS, serving and model download."""

from __future__ import annotations

import pytest

from components.network import policies
from components.monitoring.prometheus import PROMETHEUS_PODS


def test_default_deny_covers_every_pod_both_ways() -> None:
    assert policies.default_deny("inference")["spec"] == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}


def test_serving_port_is_open_to_the_namespace_and_prometheus_only() -> None:
    policy = policies.allow_serving("inference", {"app.kubernetes.io/name": "vllm"}, 8000, [policies.namespace_peer("monitoring", PROMETHEUS_PODS)])
    rule = policy["spec"]["ingress"][0]
    assert rule["ports"] == [{"protocol": "TCP", "port": 8000}]
    assert rule["from"] == [
        {"podSelector": {}},
        {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}},
         "podSelector": {"matchLabels": {"app.kubernetes.io/name": "prometheus"}}},
    ]


@pytest.mark.parametrize(("gke", "ip_blocks"), [(True, ["169.254.169.254/32", "169.254.20.10/32"]), (False, [])])
def test_dns_egress_includes_gke_node_local_addresses(gke: bool, ip_blocks: list[str]) -> None:
    peers = policies.allow_dns("inference", gke=gke)["spec"]["egress"][0]["to"]
    assert [p["ipBlock"]["cidr"] for p in peers if "ipBlock" in p] == ip_blocks


def test_model_download_egress_is_https_to_public_addresses_only() -> None:
    rule = policies.allow_model_download("inference", {"app": "x"})["spec"]["egress"][0]
    assert rule["ports"] == [{"protocol": "TCP", "port": 443}]
    assert "10.0.0.0/8" in rule["to"][0]["ipBlock"]["except"] and "169.254.0.0/16" in rule["to"][0]["ipBlock"]["except"]


