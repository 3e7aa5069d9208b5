"""Network flows of every repo stack, as the CNI would allow them (components.network.flows)."""

from __future__ import annotations

import pytest

from components.monitoring.prometheus import PROMETHEUS_PODS
from components.network.flows import Endpoint, allowed
from components.serving import vllm
from stacks.plan import engine, render

from ..stacks.test_plan import STACK_FILES
from ..conftest import PROJECT

SERVING_KINDS = ("Deployment", "LeaderWorkerSet", "LLMInferenceService", "InferenceService")
KUBE_DNS = Endpoint("kube-system", {"k8s-app": "kube-dns"})


def served(objects: list[dict]) -> list[Endpoint]:
    """One model-server pod per namespace that serves a model."""
    namespaces = sorted({o["metadata"]["namespace"] for o in objects if o["kind"] in SERVING_KINDS and o["metadata"]["labels"].get("app.kubernetes.io/name") == vllm.COMPONENT})
    return [Endpoint(ns, dict(vllm.POD_LABELS)) for ns in namespaces]


@pytest.fixture(scope="module", params=STACK_FILES, ids=[p.name for p in STACK_FILES])
def stack(request) -> tuple[list[dict], bool]:
    plan = engine.run(request.param, PROJECT)
    monitoring = plan.loaded.platform.monitoring
    return render.manifests(plan), monitoring.enabled and monitoring.namespace


def test_model_servers_take_traffic_from_their_namespace_and_prometheus_only(stack) -> None:
    objects, monitoring_ns = stack
    servers = served(objects)
    assert servers, "every repo stack serves a model"
    for server in servers:
        neighbour = Endpoint(server.namespace, {"app": "client"})
        stranger = Endpoint("default", {"app": "client"})
        assert allowed(objects, neighbour, server, vllm.PORT)
        assert not allowed(objects, stranger, server, vllm.PORT)
        if monitoring_ns:
            assert allowed(objects, Endpoint(monitoring_ns, PROMETHEUS_PODS), server, vllm.PORT)
            assert not allowed(objects, Endpoint(monitoring_ns, {"app": "grafana"}), server, vllm.PORT)


def test_model_servers_reach_dns_and_public_https_only(stack) -> None:
    objects, _ = stack
    for server in served(objects):
        assert allowed(objects, server, KUBE_DNS, 53, "UDP")
        assert allowed(objects, server, Endpoint(ip="185.199.108.153"), 443), "the Hugging Face hub and its CDN"
        assert not allowed(objects, server, Endpoint(ip="185.199.108.153"), 80)
        assert not allowed(objects, server, Endpoint(ip="10.0.0.5"), 443), "nothing inside the VPC"
        assert not allowed(objects, server, Endpoint(ip="169.254.169.254"), 80), "not the metadata server"
        assert not allowed(objects, server, Endpoint("default", {"app": "db"}), 5432)


def _gke_dev() -> list[dict]:
    return render.manifests(engine.run(PROJECT / "Pulumi.dev.yaml", PROJECT))


def test_without_default_deny_a_stranger_gets_in() -> None:
    objects = [o for o in _gke_dev() if not (o["kind"] == "NetworkPolicy" and o["metadata"]["name"] in ("default-deny", "allow-serving"))]
    server = Endpoint("inference", dict(vllm.POD_LABELS))
    assert allowed(objects, Endpoint("default", {"app": "client"}), server, vllm.PORT)


def test_without_the_clients_rule_default_deny_cuts_same_namespace_clients() -> None:
    objects = [o for o in _gke_dev() if not (o["kind"] == "NetworkPolicy" and o["metadata"]["name"] == "allow-clients")]
    assert not allowed(objects, Endpoint("inference", {"app": "client"}), Endpoint("inference", dict(vllm.POD_LABELS)), vllm.PORT)


def test_without_the_dns_rule_dns_is_cut() -> None:
    objects = [o for o in _gke_dev() if not (o["kind"] == "NetworkPolicy" and o["metadata"]["name"] == "allow-dns")]
    assert not allowed(objects, Endpoint("inference", dict(vllm.POD_LABELS)), KUBE_DNS, 53, "UDP")


def test_an_open_ingress_rule_lets_every_namespace_in() -> None:
    objects = _gke_dev()
    serving = next(o for o in objects if o["kind"] == "NetworkPolicy" and o["metadata"]["name"] == "allow-serving")
    serving["spec"]["ingress"][0]["from"].append({"namespaceSelector": {}})
    assert allowed(objects, Endpoint("default", {"app": "client"}), Endpoint("inference", dict(vllm.POD_LABELS)), vllm.PORT)
