"""Pool rules of issue 7: zonal reservations, GKE node counts, the explicit GPU taint, Bottlerocket GPUs.

Each case is a stack that breaks one rule (and the exact line it gets) or one that keeps it.
"""

from __future__ import annotations

import base64
import copy
from typing import Any

import pytest
import yaml

from components.core.problems import ConfigError
from stacks.plan.engine import Plan

from ..conftest import EKS, GKE, config, resolved

NODE_POOL = "gcp:container/nodePool:NodePool"
TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
GKE_GPU_TAINT = {"key": "nvidia.com/gpu", "value": "present", "effect": "NO_SCHEDULE"}
BOTTLEROCKET = {**EKS["cluster"], "ami": "bottlerocket"}
MNG = {**EKS["cluster"], "nodeAutoscaler": "cluster-autoscaler"}


def with_pool(base: dict[str, Any], cluster: dict[str, Any] | None = None, **pool: Any) -> dict[str, Any]:
    spec = {"gpu": "L4", "nodes": {"min": 0, "max": 2}, **pool}
    return config(base, cluster=copy.deepcopy(cluster or base["cluster"]), nodePools={"gpu": spec}, models={})


def problems(values: dict[str, Any]) -> list[str]:
    try:
        resolved(values)
    except ConfigError as e:
        return [p.line() for p in e.problems]
    return []


ZONES = "inferfleet:nodePools.gpu.zones"
MIN = "inferfleet:nodePools.gpu.nodes.min"
CASES = [
    # 3. Reservations are zonal.
    ("GKE reservation over two zones", with_pool(GKE, capacity="reservation", reservation="r1"),
     [f"{ZONES}: a reservation lives in one zone; list exactly that zone"]),
    ("GKE reservation in one zone", with_pool(GKE, capacity="reservation", reservation="r1", zones=["us-central1-a"]), []),
    ("EC2 capacity reservation over the cluster's zones",
     with_pool(EKS, capacity="reservation", reservation="cr-0123456789abcdef0"),
     [f"{ZONES}: a reservation lives in one zone; list exactly that zone"]),
    ("EC2 capacity reservation in one zone",
     with_pool(EKS, capacity="reservation", reservation="cr-0123456789abcdef0", zones=["us-east-1b"]), []),
    # 4. GKE node counts are per zone.
    ("GKE min 1 over two zones", with_pool(GKE, nodes={"min": 1, "max": 2}),
     [f"{MIN}: GKE starts the same number of nodes in each of the pool's 2 zones; valid: 0 or a multiple of 2"]),
    ("GKE min 3 over the pool's three zones",
     with_pool(GKE, cluster={**GKE["cluster"], "zones": ["us-central1-a", "us-central1-b", "us-central1-c"]},
               nodes={"min": 2, "max": 3}),
     [f"{MIN}: GKE starts the same number of nodes in each of the pool's 3 zones; valid: 0 or a multiple of 3"]),
    ("GKE min 1 in a one-zone pool", with_pool(GKE, nodes={"min": 1, "max": 1}, zones=["us-central1-b"]), []),
    ("GKE min 2 over two zones", with_pool(GKE, nodes={"min": 2, "max": 2}), []),
    ("EKS node groups: min 1 over two zones", with_pool(EKS, MNG, nodes={"min": 1, "max": 2}), []),
    # 1. Karpenter keeps no minimum (static NodePools are alpha).
    ("Karpenter pool with a minimum", with_pool(EKS, nodes={"min": 1, "max": 2}),
     [f"{MIN}: Karpenter starts nodes for pending pods and keeps no minimum; set min: 0 or "
      "cluster.nodeAutoscaler: cluster-autoscaler"]),
    ("flex-start with static nodes", with_pool(GKE, capacity="flex-start", nodes={"min": 2, "max": 2}),
     [f"{MIN}: flex-start pools get nodes on request and start from 0; set min: 0"]),
    ("queued with static nodes", with_pool(GKE, capacity="queued", nodes={"min": 2, "max": 2}),
     [f"{MIN}: queued pools get nodes on request and start from 0; set min: 0"]),
    ("GKE system pool smaller than its zones",
     config(GKE, cluster={**GKE["cluster"], "systemPool": {"nodes": {"min": 1, "max": 1}}}, models={}),
     ["inferfleet:cluster.systemPool.nodes.max: GKE starts 2 system nodes, one or more in each of the 2 zones; valid: max >= 2"]),
    ("GKE system pool of one per zone", config(GKE, cluster={**GKE["cluster"], "systemPool": {"nodes": {"min": 1, "max": 2}}}, models={}), []),
    # 8. Bottlerocket's own device plugin.
    ("Bottlerocket with MIG", with_pool(EKS, BOTTLEROCKET, gpu="A100-80GB", gpusPerNode=8, mig="1g.10gb"),
     ["inferfleet:nodePools.gpu.mig: Bottlerocket's own device plugin serves these nodes and inferfleet does not "
      "configure its MIG; use cluster.ami: al2023 or drop mig"]),
    ("Bottlerocket with MPS", with_pool(EKS, BOTTLEROCKET, sharing={"strategy": "mps", "clientsPerGpu": 2}),
     ["inferfleet:nodePools.gpu.sharing.strategy: Bottlerocket's own device plugin serves these nodes and inferfleet "
      "configures only its time-slicing; use time-slicing or cluster.ami: al2023"]),
    ("Bottlerocket with time-slicing", with_pool(EKS, BOTTLEROCKET, sharing={"strategy": "time-slicing", "clientsPerGpu": 2}), []),
    ("AL2023 with MIG", with_pool(EKS, gpu="A100-80GB", gpusPerNode=8, mig="1g.10gb"), []),
]


@pytest.mark.parametrize(("values", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_pool_rule(values: dict[str, Any], expected: list[str]) -> None:
    assert problems(values) == expected


def gke_pool(p: Plan) -> dict[str, Any]:
    return next(r.inputs for r in p.resources if r.type == NODE_POOL and r.name == "inferfleet-test-cloud-gpu")


@pytest.mark.parametrize(
    ("pool", "initial", "auto_repair", "flex_start"),
    [
        pytest.param({"nodes": {"min": 0, "max": 2}}, 0, True, None, id="min 0"),
        pytest.param({"nodes": {"min": 2, "max": 4}}, 1, True, None, id="min 2 over 2 zones: 1 each"),
        pytest.param({"nodes": {"min": 1, "max": 1}, "zones": ["us-central1-a"]}, 1, True, None, id="min 1 in 1 zone"),
        pytest.param({"capacity": "flex-start"}, 0, False, True, id="flex-start"),
        pytest.param({"capacity": "queued"}, 0, False, True, id="queued"),
    ],
)
def test_gke_starts_exactly_min_nodes(plan_of, pool: dict[str, Any], initial: int, auto_repair: bool, flex_start: bool | None) -> None:
    spec = gke_pool(plan_of(with_pool(GKE, **pool)))
    assert spec["initialNodeCount"] == initial
    assert spec["initialNodeCount"] * len(spec["nodeLocations"]) == spec["autoscaling"]["totalMinNodeCount"]
    assert spec["management"]["autoRepair"] is auto_repair
    assert spec["nodeConfig"].get("flexStart") is flex_start


@pytest.mark.parametrize(
    "pool",
    [
        pytest.param({}, id="plain"),
        pytest.param({"gpu": "A100-80GB", "mig": "1g.10gb"}, id="mig"),
        pytest.param({"sharing": {"strategy": "time-slicing", "clientsPerGpu": 2}}, id="shared"),
        pytest.param({"capacity": "spot", "taints": [{"key": "team", "value": "ml", "effect": "NoSchedule"}]}, id="user taint"),
    ],
)
def test_every_gke_gpu_pool_carries_the_gpu_taint(plan_of, pool: dict[str, Any]) -> None:
    assert GKE_GPU_TAINT in gke_pool(plan_of(with_pool(GKE, **pool)))["nodeConfig"]["taints"]


def user_data(p: Plan) -> str | None:
    """The GPU nodes' user data: the EC2NodeClass's (Karpenter) or the launch template's (node groups)."""
    for r in p.resources:
        if r.type == "kubernetes:karpenter.k8s.aws/v1:EC2NodeClass":
            return r.inputs["spec"].get("userData")
        if r.type == TEMPLATE and r.name == "inferfleet-test-cloud-gpu":
            data = r.inputs.get("userData")
            return base64.b64decode(data).decode() if data else None
    raise AssertionError("no GPU node template")


@pytest.mark.parametrize("autoscaler", ["karpenter", "cluster-autoscaler"])
def test_bottlerocket_time_slicing_is_written_as_bottlerocket_settings(plan_of, autoscaler: str) -> None:
    cluster = {**BOTTLEROCKET, "nodeAutoscaler": autoscaler}
    p = plan_of(with_pool(EKS, cluster, sharing={"strategy": "time-slicing", "clientsPerGpu": 3}))
    settings = user_data(p)
    assert settings is not None
    assert 'device-sharing-strategy = "time-slicing"' in settings
    assert "replicas = 3" in settings
    assert "rename-by-default = false" in settings, "else the plugin advertises nvidia.com/gpu.shared, which no pod asks for"
    # Bottlerocket's plugin serves the node, so the operator writes no sharing config for it.
    assert not any(r.type == "kubernetes:core/v1:ConfigMap" and "sharing" in r.name for r in p.resources)


@pytest.mark.parametrize("autoscaler", ["karpenter", "cluster-autoscaler"])
def test_bottlerocket_without_sharing_writes_no_settings(plan_of, autoscaler: str) -> None:
    assert user_data(plan_of(with_pool(EKS, {**BOTTLEROCKET, "nodeAutoscaler": autoscaler}))) is None


# 2. A private control plane Pulumi can still reach.
ENDPOINT = "inferfleet:cluster.endpoint.authorizedNetworks"
EKS_UNREACHABLE = (
    f"{ENDPOINT}: a private EKS endpoint is out of reach of a Pulumi run outside the VPC; list the runner's public "
    "CIDRs (not 0.0.0.0/0) for a restricted public endpoint, or set runnerInNetwork: true"
)


def with_endpoint(base: dict[str, Any], **endpoint: Any) -> dict[str, Any]:
    return config(base, cluster={**base["cluster"], "endpoint": endpoint})


ENDPOINT_CASES = [
    ("GKE private with a public CIDR", with_endpoint(GKE, private=True, authorizedNetworks=["10.10.0.0/20", "203.0.113.0/24"]),
     [f"{ENDPOINT}: 203.0.113.0/24 is not a private (RFC 1918) range; a private GKE endpoint accepts only ranges within "
      "10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16"]),
    # 100.64/10 is is_private to Python but not RFC 1918.
    ("GKE private with shared address space", with_endpoint(GKE, private=True, authorizedNetworks=["100.64.0.0/16"]),
     [f"{ENDPOINT}: 100.64.0.0/16 is not a private (RFC 1918) range; a private GKE endpoint accepts only ranges within "
      "10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16"]),
    ("GKE private with RFC 1918 ranges", with_endpoint(GKE, private=True, authorizedNetworks=["10.10.0.0/20", "172.16.0.0/12", "192.168.1.0/24"]), []),
    ("GKE private with no ranges", with_endpoint(GKE, private=True), []),
    ("GKE public with a public CIDR", with_endpoint(GKE, authorizedNetworks=["203.0.113.0/24"]), []),
    ("EKS private, runner outside, no CIDRs", with_endpoint(EKS, private=True), [EKS_UNREACHABLE]),
    ("EKS private, runner outside, open CIDR", with_endpoint(EKS, private=True, authorizedNetworks=["0.0.0.0/0"]), [EKS_UNREACHABLE]),
    ("EKS private, runner outside, restricted", with_endpoint(EKS, private=True, authorizedNetworks=["203.0.113.0/24"]), []),
    ("EKS private, runner inside", with_endpoint(EKS, private=True, runnerInNetwork=True), []),
    ("EKS runner inside with CIDRs", with_endpoint(EKS, private=True, runnerInNetwork=True, authorizedNetworks=["203.0.113.0/24"]),
     [f"{ENDPOINT}: restricts the public endpoint, which runnerInNetwork: true turns off; remove authorizedNetworks"]),
    ("EKS runner inside a public endpoint", with_endpoint(EKS, runnerInNetwork=True),
     ["inferfleet:cluster.endpoint.runnerInNetwork: only with private: true; set private: true or remove runnerInNetwork"]),
]


@pytest.mark.parametrize(("values", "expected"), [c[1:] for c in ENDPOINT_CASES], ids=[c[0] for c in ENDPOINT_CASES])
def test_endpoint_rule(values: dict[str, Any], expected: list[str]) -> None:
    assert problems(values) == expected


def test_runner_in_network_is_an_eks_key() -> None:
    assert problems(with_endpoint(GKE, private=True, runnerInNetwork=True)) == ["inferfleet:cluster.endpoint.runnerInNetwork: unknown key; valid keys: private, authorizedNetworks"]


def gke_cluster(p: Plan) -> dict[str, Any]:
    return next(r.inputs for r in p.resources if r.type == "gcp:container/cluster:Cluster")


@pytest.mark.parametrize(
    ("endpoint", "authorized", "dns"),
    [
        pytest.param({"private": True}, {"cidrBlocks": []}, True, id="private, no ranges: the block is still sent"),
        pytest.param({"private": True, "authorizedNetworks": ["10.10.0.0/20"]},
                     {"cidrBlocks": [{"cidrBlock": "10.10.0.0/20", "displayName": "authorized-0"}]}, True, id="private, ranges"),
        pytest.param({}, None, False, id="public, open"),
    ],
)
def test_a_private_gke_cluster_is_reached_by_its_dns_endpoint(plan_of, endpoint: dict, authorized: dict | None, dns: bool) -> None:
    p = plan_of(with_endpoint(GKE, **endpoint))
    spec = gke_cluster(p)
    assert spec.get("masterAuthorizedNetworksConfig") == authorized
    assert ("controlPlaneEndpointsConfig" in spec) is dns
    # The kubeconfig the Kubernetes provider uses: the DNS name without the cluster CA, or the IP with it.
    provider = next(r.inputs for r in p.resources if r.type == "pulumi:providers:kubernetes")
    kube = yaml.safe_load(provider["kubeconfig"]["value"])["clusters"][0]["cluster"]
    if dns:
        assert spec["controlPlaneEndpointsConfig"] == {"dnsEndpointConfig": {"allowExternalTraffic": True}}
        assert kube == {"server": "https://gke-inferfleet-test-cloud-cluster.us-central1.gke.goog"}
    else:
        assert kube["server"] == "https://203.0.113.10" and "certificate-authority-data" in kube


def test_the_gke_prod_example_is_deployable_as_written() -> None:
    """Review finding 3: the authorized range lies in the stack's own VPC, and no pool sits in a zone without its machine."""
    import ipaddress

    from ..conftest import PROJECT

    stack = yaml.safe_load((PROJECT / "examples" / "Pulumi.gke-prod.yaml").read_text())["config"]
    cluster, pools = stack["inferfleet:cluster"], stack["inferfleet:nodePools"]
    node_range = ipaddress.ip_network(cluster.get("network", {}).get("nodeCidr", "10.10.0.0/20"))
    assert all(ipaddress.ip_network(c).subnet_of(node_range) for c in cluster["endpoint"]["authorizedNetworks"])  # type: ignore[arg-type]
    # a2-ultragpu is offered in us-central1-a and -c only (skypilot-catalog catalogs/v8/gcp/vms.csv).
    assert set(pools["a100-mig"]["zones"]) <= {"us-central1-a", "us-central1-c"}
    assert len(pools["h100"]["zones"]) == 1, "its reservation lives in one zone"
    plan = problems({key.removeprefix("inferfleet:"): value for key, value in stack.items()})
    assert plan == []


@pytest.mark.parametrize(
    ("versions", "expected"),
    [
        pytest.param({}, [], id="the pinned image matches the pinned Kubernetes"),
        pytest.param({"kubernetes": "1.35"}, ["inferfleet:versions.clusterAutoscalerImage: v1.34.5 is cluster-autoscaler 1.34, but "
                                              "the cluster runs Kubernetes 1.35; valid: a v1.35.<patch> tag"], id="Kubernetes moved on"),
        pytest.param({"kubernetes": "1.35", "clusterAutoscalerImage": "v1.35.1"}, [], id="both moved"),
    ],
)
def test_cluster_autoscaler_runs_the_kubernetes_minor(versions: dict[str, str], expected: list[str]) -> None:
    assert problems(config(with_pool(EKS, MNG), versions=versions)) == expected
    assert problems(config(with_pool(EKS), versions=versions)) == [], "no cluster-autoscaler on Karpenter stacks"
