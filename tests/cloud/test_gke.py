"""The GKE cluster component, under the offline plan's mocks: what GKE is asked to create."""

from __future__ import annotations

from typing import Any

import pytest

from stacks.plan.engine import Plan

from ..conftest import GKE, config

NODE_POOL = "gcp:container/nodePool:NodePool"
CLUSTER = "gcp:container/cluster:Cluster"
GPU_TAINT = {"key": "nvidia.com/gpu", "value": "present", "effect": "NO_SCHEDULE"}


def inputs(p: Plan, type_: str, name: str) -> dict[str, Any]:
    return next(r.inputs for r in p.resources if r.type == type_ and r.name == f"inferfleet-test-{name}")


def resource(p: Plan, type_: str, name: str):
    return next(r for r in p.resources if r.type == type_ and r.name == f"inferfleet-test-{name}")


def pool(**spec: Any) -> dict[str, Any]:
    return config(GKE, nodePools={"gpu": {"nodes": {"min": 0, "max": 2}, **spec}}, models={})


def test_cluster_is_private_with_workload_identity_and_the_platform_addons(plan_of) -> None:
    cluster = inputs(plan_of(GKE), CLUSTER, "cloud-cluster")
    assert cluster["privateClusterConfig"]["enablePrivateNodes"] is True
    assert cluster["workloadIdentityConfig"] == {"workloadPool": "acme-inference.svc.id.goog"}
    assert cluster["enableShieldedNodes"] is True
    assert cluster["gatewayApiConfig"] == {"channel": "CHANNEL_STANDARD"}
    assert cluster["addonsConfig"]["gcsFuseCsiDriverConfig"] == {"enabled": True}
    assert cluster["datapathProvider"] == "ADVANCED_DATAPATH", "NetworkPolicies need an enforcing dataplane"
    assert cluster["removeDefaultNodePool"] is True
    assert cluster["releaseChannel"] == {"channel": "REGULAR"}
    assert cluster["location"] == "us-central1", "regional by default"


def test_a_new_network_comes_with_cloud_nat_for_private_nodes(plan_of) -> None:
    types = {r.type for r in plan_of(GKE).resources}
    assert {"gcp:compute/network:Network", "gcp:compute/subnetwork:Subnetwork", "gcp:compute/routerNat:RouterNat"} <= types


def test_an_existing_network_is_used_as_is(plan_of) -> None:
    existing = config(GKE, cluster={**GKE["cluster"], "network": {"network": "shared-vpc", "subnetwork": "gke-nodes"}})
    p = plan_of(existing)
    cluster = inputs(p, CLUSTER, "cloud-cluster")
    assert (cluster["network"], cluster["subnetwork"]) == ("shared-vpc", "gke-nodes")
    assert not any(r.type.startswith("gcp:compute/") for r in p.resources)


def test_nodes_run_as_a_least_privilege_service_account(plan_of) -> None:
    p = plan_of(GKE)
    member = inputs(p, "gcp:projects/iAMMember:IAMMember", "cloud-nodes-role")
    assert member["role"] == "roles/container.defaultNodeServiceAccount"
    gpu = inputs(p, NODE_POOL, "cloud-l4")["nodeConfig"]
    assert gpu["serviceAccount"] == "inferfleet-test-nodes@project.iam.gserviceaccount.com"
    assert gpu["workloadMetadataConfig"] == {"mode": "GKE_METADATA"}
    assert gpu["shieldedInstanceConfig"] == {"enableIntegrityMonitoring": True, "enableSecureBoot": True}


def test_gpu_pool_gets_its_accelerator_machine_labels_and_limits(plan_of) -> None:
    spec = inputs(plan_of(pool(gpu="H100-80GB", gpusPerNode=8, nodes={"min": 2, "max": 3})), NODE_POOL, "cloud-gpu")
    assert spec["nodeConfig"]["machineType"] == "a3-highgpu-8g"
    assert spec["nodeConfig"]["guestAccelerators"] == [
        {"type": "nvidia-h100-80gb", "count": 8, "gpuDriverInstallationConfig": {"gpuDriverVersion": "LATEST"}}
    ]
    assert spec["autoscaling"] == {"totalMinNodeCount": 2, "totalMaxNodeCount": 3, "locationPolicy": "BALANCED"}
    assert spec["nodeConfig"]["labels"] == {"inferfleet.dev/node-pool": "gpu", "gke-no-default-nvidia-gpu-device-plugin": "true"}
    assert spec["nodeConfig"]["taints"] == [GPU_TAINT], "set explicitly: GKE adds it only beside an existing non-GPU pool"


def test_mig_and_sharing_use_gke_native_partitioning(plan_of) -> None:
    mig = inputs(plan_of(pool(gpu="A100-80GB", mig="1g.10gb")), NODE_POOL, "cloud-gpu")
    assert mig["nodeConfig"]["guestAccelerators"][0]["gpuPartitionSize"] == "1g.10gb"
    shared = inputs(plan_of(pool(gpu="L4", sharing={"strategy": "mps", "clientsPerGpu": 4})), NODE_POOL, "cloud-gpu")
    assert shared["nodeConfig"]["guestAccelerators"][0]["gpuSharingConfig"] == {"gpuSharingStrategy": "MPS", "maxSharedClientsPerGpu": 4}


@pytest.mark.parametrize(
    ("capacity", "extra", "node_config", "location_policy"),
    [
        ("spot", {}, {"spot": True}, "ANY"),
        ("reservation", {"reservation": "h100-res", "zones": ["us-central1-a"]},
         {"reservationAffinity": {"consumeReservationType": "SPECIFIC_RESERVATION", "key": "compute.googleapis.com/reservation-name",
                                  "values": ["h100-res"]}}, "ANY"),
        ("flex-start", {}, {"flexStart": True, "reservationAffinity": {"consumeReservationType": "NO_RESERVATION"}}, "ANY"),
        ("queued", {}, {"flexStart": True, "reservationAffinity": {"consumeReservationType": "NO_RESERVATION"}}, "ANY"),
    ],
)
def test_capacity_types(plan_of, capacity: str, extra: dict, node_config: dict, location_policy: str) -> None:
    spec = inputs(plan_of(pool(gpu="L4", capacity=capacity, **extra)), NODE_POOL, "cloud-gpu")
    for key, value in node_config.items():
        assert spec["nodeConfig"][key] == value
    assert spec["autoscaling"]["locationPolicy"] == location_policy
    assert ("queuedProvisioning" in spec) == (capacity == "queued")
    # Each repair of a DWS node is a new request (review finding 12).
    assert spec["management"]["autoRepair"] is (capacity not in ("queued", "flex-start"))


def test_user_taints_are_translated_to_gke_effects(plan_of) -> None:
    spec = inputs(plan_of(pool(gpu="L4", taints=[{"key": "team", "value": "ml", "effect": "NoExecute"}])), NODE_POOL, "cloud-gpu")
    assert spec["nodeConfig"]["taints"] == [{"key": "team", "value": "ml", "effect": "NO_EXECUTE"}, GPU_TAINT]


def test_hyperdisk_only_machines_boot_from_hyperdisk(plan_of) -> None:
    spec = inputs(plan_of(pool(gpu="H200-141GB", gpusPerNode=8)), NODE_POOL, "cloud-gpu")
    assert spec["nodeConfig"]["diskType"] == "hyperdisk-balanced"


@pytest.mark.parametrize(("environment", "protected"), [("development", False), ("production", True)])
def test_protection_follows_the_environment(plan_of, environment: str, protected: bool) -> None:
    cluster = {**GKE["cluster"], "endpoint": {"private": True}, "systemPool": {"nodes": {"min": 2, "max": 3}}}
    p = plan_of(config(GKE, environment=environment, cluster=cluster))
    assert inputs(p, CLUSTER, "cloud-cluster")["deletionProtection"] is protected
    assert resource(p, CLUSTER, "cloud-cluster").protect is protected
    assert resource(p, NODE_POOL, "cloud-l4").protect is protected
    assert resource(p, NODE_POOL, "cloud-system").protect is False, "the system pool can be replaced"


def test_authorized_networks_restrict_a_public_endpoint(plan_of) -> None:
    cluster = {**GKE["cluster"], "endpoint": {"authorizedNetworks": ["203.0.113.0/24"]}}
    spec = inputs(plan_of(config(GKE, cluster=cluster)), CLUSTER, "cloud-cluster")
    assert spec["masterAuthorizedNetworksConfig"] == {"cidrBlocks": [{"cidrBlock": "203.0.113.0/24", "displayName": "authorized-0"}]}


def test_managed_dcgm_is_opt_in(plan_of) -> None:
    assert "monitoringConfig" not in inputs(plan_of(GKE), CLUSTER, "cloud-cluster")
    on = config(GKE, cluster={**GKE["cluster"], "managedDcgm": True})
    assert "DCGM" in inputs(plan_of(on), CLUSTER, "cloud-cluster")["monitoringConfig"]["enableComponents"]


@pytest.mark.parametrize("regional", [False, True])
def test_the_order_of_zones_changes_nothing(plan_of, regional: bool) -> None:
    """Swapping zones once moved a zonal cluster to the other zone, a replacement, without a word."""
    def stack(zones: list[str]) -> dict[str, Any]:
        return config(GKE, cluster={**GKE["cluster"], "zones": zones, "regional": regional})

    ab = plan_of(stack(["us-central1-a", "us-central1-b"])).to_json()
    ba = plan_of(stack(["us-central1-b", "us-central1-a"])).to_json()
    assert ab == ba
    cluster = next(r for r in ab["resources"] if r["type"] == "gcp:container/cluster:Cluster")
    assert cluster["inputs"]["location"] == ("us-central1" if regional else "us-central1-a")


@pytest.mark.parametrize(
    ("gpu", "gpus", "count"),
    [
        ("A100-80GB", 1, 1),  # a2-ultragpu-1g: 1 bundled Local SSD
        ("A100-80GB", 8, 8),  # a2-ultragpu-8g
        ("H100-80GB", 8, 16),  # a3-highgpu-8g
        ("H200-141GB", 8, 32),  # a3-ultragpu-8g
        ("A100-40GB", 1, None),  # a2-highgpu-1g: none bundled
        ("L4", 1, None),  # g2-standard-8
    ],
)
def test_bundled_local_ssds_back_the_ephemeral_storage(plan_of, gpu: str, gpus: int, count: int | None) -> None:
    """Model weights download into ephemeral storage; on the machines that come with Local SSD it is NVMe."""
    spec = inputs(plan_of(pool(gpu=gpu, gpusPerNode=gpus)), NODE_POOL, "cloud-gpu")["nodeConfig"]
    assert spec.get("ephemeralStorageLocalSsdConfig") == (None if count is None else {"localSsdCount": count})
