"""GKE: a private, Workload-Identity cluster with a system pool and one node pool per GPU pool."""

from __future__ import annotations

import math
from typing import Optional

import pulumi
import pulumi_gcp as gcp
import pulumi_kubernetes as k8s
from pulumi_gcp.container import (
    ClusterControlPlaneEndpointsConfigArgsDict,
    ClusterIpAllocationPolicyArgsDict,
    ClusterMasterAuthorizedNetworksConfigArgsDict,
    ClusterMasterAuthorizedNetworksConfigCidrBlockArgsDict,
    ClusterMonitoringConfigArgsDict,
    ClusterPrivateClusterConfigArgsDict,
    NodePoolNodeConfigArgsDict,
    NodePoolNodeConfigGuestAcceleratorArgsDict,
)

from . import kubeconfig
from .values import POOL_LABEL, BucketReader, ClusterOutputs, GkeClusterArgs, GpuPool
from .values import GkeCluster as GkeClusterValues

SCOPES = ["https://www.googleapis.com/auth/cloud-platform"]
NODE_ROLE = "roles/container.defaultNodeServiceAccount"
"""Least privilege for nodes: write logs and metrics, read metadata; access is granted per pod by Workload Identity."""
TAINT_EFFECTS = {"NoSchedule": "NO_SCHEDULE", "PreferNoSchedule": "PREFER_NO_SCHEDULE", "NoExecute": "NO_EXECUTE"}
HYPERDISK_ONLY = ("a3-ultragpu", "a4-")
"""Machine families that boot only from Hyperdisk."""


def _disk_type(machine_type: str) -> str:
    return "hyperdisk-balanced" if machine_type.startswith(HYPERDISK_ONLY) else "pd-balanced"


def _per_zone(total: int, zones: int) -> int:
    return math.ceil(total / zones) if total else 0


ON_REQUEST = ("flex-start", "queued")
"""Capacities GKE obtains per request through DWS: no static nodes, and a repair would be a new request."""


class GkeCluster(pulumi.ComponentResource):
    """A GKE Standard cluster for inference.

    Private nodes behind Cloud NAT, Workload Identity, shielded nodes, Dataplane V2 (so
    NetworkPolicies are enforced), the Gateway API and the GCS FUSE CSI driver. The default
    pool is removed; a system pool runs platform components and each GPU pool scales on its own.
    """

    outputs: ClusterOutputs

    def __init__(self, name: str, args: GkeClusterArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("inferfleet:index:GkeCluster", name, None, opts)
        cluster = args.cluster
        provider = gcp.Provider(f"{name}-gcp", project=cluster.project, region=cluster.region, opts=pulumi.ResourceOptions(parent=self))
        child = pulumi.ResourceOptions(parent=self, provider=provider)
        kept = pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(protect=args.protect))

        network, subnetwork, ip_policy = self._network(name, cluster, child)
        node_sa, node_role = self._node_identity(name, cluster, child)
        gke = self._control_plane(name, cluster, network, subnetwork, ip_policy, kept)
        # Nodes must be able to write logs and metrics from their first boot. The initial count only
        # seeds a new pool (changing it would replace the pool); the autoscaler owns the size after.
        node_opts = pulumi.ResourceOptions.merge(
            child, pulumi.ResourceOptions(depends_on=[node_role], ignore_changes=["initialNodeCount"])
        )
        system_pool = self._system_pool(name, cluster, gke, node_sa, node_opts)
        gpu_opts = pulumi.ResourceOptions.merge(node_opts, pulumi.ResourceOptions(protect=args.protect))
        for pool in args.pools:
            self._gpu_pool(name, cluster, pool, gke, node_sa, gpu_opts)
        for reader in args.bucket_readers:
            self._bucket_reader(name, cluster, reader, gke, child)

        config: pulumi.Output[str] = pulumi.Output.secret(self._kubeconfig(cluster, gke))
        # Charts wait for their pods to become ready; the pods need the system nodes first.
        kubernetes = k8s.Provider(
            f"{name}-k8s", kubeconfig=config, opts=pulumi.ResourceOptions(parent=self, depends_on=[system_pool])
        )
        self.outputs = ClusterOutputs(gke.name, gke.endpoint, config, kubernetes)
        self.register_outputs(self.outputs.as_dict())

    @staticmethod
    def _kubeconfig(cluster: GkeClusterValues, gke: gcp.container.Cluster) -> pulumi.Output[str]:
        if cluster.private_endpoint:
            # The DNS endpoint serves a publicly trusted certificate; the cluster CA would fail its TLS
            # check (crossplane-contrib/provider-upjet-gcp#988), so the kubeconfig carries none.
            dns = gke.control_plane_endpoints_config.apply(lambda c: c["dns_endpoint_config"]["endpoint"])
            return pulumi.Output.all(gke.name, dns).apply(lambda a: kubeconfig.gke(a[0], a[1], None))
        ca = gke.master_auth.apply(lambda auth: auth["cluster_ca_certificate"])
        return pulumi.Output.all(gke.name, gke.endpoint, ca).apply(lambda a: kubeconfig.gke(a[0], a[1], a[2]))

    @staticmethod
    def _node_identity(
        name: str, cluster: GkeClusterValues, opts: pulumi.ResourceOptions
    ) -> tuple[gcp.serviceaccount.Account, gcp.projects.IAMMember]:
        node_sa = gcp.serviceaccount.Account(
            f"{name}-nodes",
            account_id=f"{cluster.name}-nodes"[:30].rstrip("-"),
            display_name=f"GKE nodes of {cluster.name}",
            opts=opts,
        )
        node_role = gcp.projects.IAMMember(
            f"{name}-nodes-role",
            project=cluster.project,
            role=NODE_ROLE,
            member=node_sa.email.apply(lambda email: f"serviceAccount:{email}"),
            opts=opts,
        )
        return node_sa, node_role

    @staticmethod
    def _bucket_reader(name: str, cluster: GkeClusterValues, reader: BucketReader, gke: gcp.container.Cluster, opts: pulumi.ResourceOptions) -> None:
        """A Google service account that may only view the objects of one bucket, impersonated by one model's
        Kubernetes service account through the cluster's Workload Identity pool (the GCS FUSE driver mounts
        with that identity; gcs-fuse-csi-driver@5fcdc04 README, and GKE "Access Cloud Storage buckets with
        the Cloud Storage FUSE CSI driver"). The serving layer names the account on its ServiceAccount."""
        if reader.source != "gcs":
            return
        key = f"{name}-weights-{reader.namespace}-{reader.service_account}"
        account = gcp.serviceaccount.Account(
            key, account_id=reader.google_account_id(cluster.name), project=cluster.project,
            display_name=f"{reader.namespace}/{reader.service_account} reads gs://{reader.bucket}", opts=opts,
        )
        gcp.storage.BucketIAMMember(
            f"{key}-viewer", bucket=reader.bucket, role="roles/storage.objectViewer",
            member=account.email.apply(lambda email: f"serviceAccount:{email}"), opts=opts,
        )
        # The pool exists once the cluster does.
        gcp.serviceaccount.IAMMember(
            f"{key}-workload-identity", service_account_id=account.name, role="roles/iam.workloadIdentityUser",
            member=reader.workload_identity_member(cluster.project),
            opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=[gke])),
        )

    @staticmethod
    def _control_plane(
        name: str,
        cluster: GkeClusterValues,
        network: pulumi.Input[str],
        subnetwork: pulumi.Input[str],
        ip_policy: ClusterIpAllocationPolicyArgsDict,
        opts: pulumi.ResourceOptions,
    ) -> gcp.container.Cluster:
        authorized: list[ClusterMasterAuthorizedNetworksConfigCidrBlockArgsDict] = [
            {"cidr_block": cidr, "display_name": f"authorized-{i}"} for i, cidr in enumerate(cluster.authorized_networks)
        ]
        # GKE rejects a private endpoint without the block ("Master authorized networks must be enabled if
        # private endpoint is enabled", rancher/rancher#32251); present with no CIDRs, it admits only the VPC.
        access: ClusterMasterAuthorizedNetworksConfigArgsDict | None = (
            {"cidr_blocks": authorized} if authorized or cluster.private_endpoint else None
        )
        # The DNS endpoint answers from anywhere, with IAM, so Pulumi reaches a private control plane from
        # outside the VPC it just created (pulumi-gcp 10.2.0 container/_inputs.py:7100-7116).
        endpoints: ClusterControlPlaneEndpointsConfigArgsDict | None = (
            {"dns_endpoint_config": {"allow_external_traffic": True}} if cluster.private_endpoint else None
        )
        private: ClusterPrivateClusterConfigArgsDict = {
            "enable_private_nodes": True,
            "enable_private_endpoint": cluster.private_endpoint,
            "master_global_access_config": {"enabled": True},
        }
        dcgm: ClusterMonitoringConfigArgsDict = {
            "enable_components": ["SYSTEM_COMPONENTS", "DCGM"],
            "managed_prometheus": {"enabled": True},
        }
        return gcp.container.Cluster(
            f"{name}-cluster",
            name=cluster.name,
            project=cluster.project,
            location=cluster.location,
            node_locations=[z for z in cluster.zones if z != cluster.location],
            release_channel={"channel": cluster.release_channel},
            min_master_version=cluster.kubernetes_version,
            remove_default_node_pool=True,
            initial_node_count=1,
            network=network,
            subnetwork=subnetwork,
            networking_mode="VPC_NATIVE",
            ip_allocation_policy=ip_policy,
            datapath_provider="ADVANCED_DATAPATH",
            private_cluster_config=private,
            master_authorized_networks_config=access,
            control_plane_endpoints_config=endpoints,
            workload_identity_config={"workload_pool": f"{cluster.project}.svc.id.goog"},
            enable_shielded_nodes=True,
            gateway_api_config={"channel": "CHANNEL_STANDARD"},
            addons_config={
                "gcs_fuse_csi_driver_config": {"enabled": True},
                "dns_cache_config": {"enabled": True},
            },
            monitoring_config=dcgm if cluster.managed_dcgm else None,
            resource_labels={"managed-by": "inferfleet"},
            deletion_protection=cluster.deletion_protection,
            opts=opts,
        )

    @staticmethod
    def _system_pool(
        name: str, cluster: GkeClusterValues, gke: gcp.container.Cluster, node_sa: gcp.serviceaccount.Account, opts: pulumi.ResourceOptions
    ) -> gcp.container.NodePool:
        system = cluster.system_pool
        config = _node_config(system.machine_type, system.disk_size_gb, node_sa)
        config["labels"] = {POOL_LABEL: "system"}
        return gcp.container.NodePool(
            f"{name}-system",
            name="system",
            cluster=gke.id,
            location=cluster.location,
            node_locations=list(cluster.zones),
            initial_node_count=max(1, _per_zone(system.min_nodes, len(cluster.zones))),
            autoscaling={
                "total_min_node_count": system.min_nodes,
                "total_max_node_count": system.max_nodes,
                "location_policy": "BALANCED",
            },
            management={"auto_repair": True, "auto_upgrade": True},
            upgrade_settings={"max_surge": 1, "max_unavailable": 0},
            node_config=config,
            opts=opts,
        )

    @staticmethod
    def _gpu_pool(
        name: str,
        cluster: GkeClusterValues,
        pool: GpuPool,
        gke: gcp.container.Cluster,
        node_sa: gcp.serviceaccount.Account,
        opts: pulumi.ResourceOptions,
    ) -> gcp.container.NodePool:
        return gcp.container.NodePool(
            f"{name}-{pool.name}",
            name=pool.name,
            cluster=gke.id,
            location=cluster.location,
            node_locations=list(pool.zones),
            # Per zone; resolve lets only a min that divides evenly over the zones through, so exactly min start.
            initial_node_count=pool.min_nodes // len(pool.zones),
            autoscaling={
                "total_min_node_count": pool.min_nodes,
                "total_max_node_count": pool.max_nodes,
                # ANY places nodes wherever capacity is: reservations, Spot and DWS need that.
                "location_policy": "BALANCED" if pool.capacity == "on-demand" else "ANY",
            },
            management={"auto_repair": pool.capacity not in ON_REQUEST, "auto_upgrade": True},
            queued_provisioning={"enabled": True} if pool.capacity == "queued" else None,
            upgrade_settings={"max_surge": 0, "max_unavailable": 1},
            node_config=_gpu_node_config(pool, _node_config(pool.machine_type, pool.disk_size_gb, node_sa)),
            opts=opts,
        )

    def _network(
        self, name: str, cluster: GkeClusterValues, opts: pulumi.ResourceOptions
    ) -> tuple[pulumi.Input[str], pulumi.Input[str], ClusterIpAllocationPolicyArgsDict]:
        if not cluster.create_network:
            assert cluster.network is not None and cluster.subnetwork is not None
            return cluster.network, cluster.subnetwork, {
                "cluster_ipv4_cidr_block": cluster.pods_cidr,
                "services_ipv4_cidr_block": cluster.services_cidr,
            }
        network = gcp.compute.Network(f"{name}-network", name=cluster.name, auto_create_subnetworks=False, opts=opts)
        subnetwork = gcp.compute.Subnetwork(
            f"{name}-subnet",
            name=cluster.name,
            region=cluster.region,
            network=network.id,
            ip_cidr_range=cluster.node_cidr,
            private_ip_google_access=True,
            secondary_ip_ranges=[
                {"range_name": "pods", "ip_cidr_range": cluster.pods_cidr},
                {"range_name": "services", "ip_cidr_range": cluster.services_cidr},
            ],
            opts=opts,
        )
        router = gcp.compute.Router(f"{name}-router", name=cluster.name, region=cluster.region, network=network.id, opts=opts)
        # Private nodes reach Hugging Face and container registries through Cloud NAT.
        gcp.compute.RouterNat(
            f"{name}-nat",
            name=cluster.name,
            router=router.name,
            region=cluster.region,
            nat_ip_allocate_option="AUTO_ONLY",
            source_subnetwork_ip_ranges_to_nat="ALL_SUBNETWORKS_ALL_IP_RANGES",
            log_config={"enable": True, "filter": "ERRORS_ONLY"},
            opts=opts,
        )
        return network.id, subnetwork.id, {"cluster_secondary_range_name": "pods", "services_secondary_range_name": "services"}


def _node_config(machine_type: str, disk_gb: int, node_sa: gcp.serviceaccount.Account) -> NodePoolNodeConfigArgsDict:
    return {
        "machine_type": machine_type,
        "disk_size_gb": disk_gb,
        "disk_type": _disk_type(machine_type),
        "image_type": "COS_CONTAINERD",
        "service_account": node_sa.email,
        "oauth_scopes": SCOPES,
        "workload_metadata_config": {"mode": "GKE_METADATA"},
        "shielded_instance_config": {"enable_secure_boot": True, "enable_integrity_monitoring": True},
        "metadata": {"disable-legacy-endpoints": "true"},
        "gvnic": {"enabled": True},
        "gcfs_config": {"enabled": True},
    }


def _gpu_node_config(pool: GpuPool, base: NodePoolNodeConfigArgsDict) -> NodePoolNodeConfigArgsDict:
    accelerator: NodePoolNodeConfigGuestAcceleratorArgsDict = {
        "type": pool.accelerator,
        "count": pool.gpus_per_node,
        # DRA pools: GKE installs no driver, gpu.gke_driver's DaemonSet does (GKE set-up-dra; the
        # enum's "needs manual installation", pulumi_gcp container/_inputs.py).
        "gpu_driver_installation_config": {"gpu_driver_version": "INSTALLATION_DISABLED" if pool.allocation == "dra" else "LATEST"},
    }
    if pool.mig_profile:
        accelerator["gpu_partition_size"] = pool.mig_profile
    if pool.sharing:
        accelerator["gpu_sharing_config"] = {
            "gpu_sharing_strategy": "TIME_SHARING" if pool.sharing.strategy == "time-slicing" else "MPS",
            "max_shared_clients_per_gpu": pool.sharing.clients_per_gpu,
        }
    config: NodePoolNodeConfigArgsDict = {
        **base,
        "guest_accelerators": [accelerator],
        "labels": dict(pool.node_labels),
        "resource_labels": {"inferfleet-pool": pool.name},
    }
    if pool.local_disks is not None:
        # The machine's bundled Local SSDs (catalog LOCAL_DISKS) back the kubelet's ephemeral storage, so weights
        # download onto NVMe (pulumi-gcp 10.2.0 container/_inputs.py:24513, 26361-26365: `local_ssd_count`,
        # "Each local SSD must be 375 or 3000 GB"); all of them, since they are billed with the machine.
        config["ephemeral_storage_local_ssd_config"] = {"local_ssd_count": pool.local_disks.count}
    # resolve always adds the GPU taint on GKE, so every GPU pool has one (and its value is required here).
    config["taints"] = [{"key": t.key, "value": t.value, "effect": TAINT_EFFECTS[t.effect]} for t in pool.taints]
    if pool.capacity == "spot":
        config["spot"] = True
    elif pool.capacity in ON_REQUEST:
        # GKE: "To use flex-start with queued provisioning, you have to add the --flex-start and
        # --enable-queued-provisioning flags" (review 2026-12-01-cloud-audit.md finding 6).
        config["flex_start"] = True
        config["reservation_affinity"] = {"consume_reservation_type": "NO_RESERVATION"}
    elif pool.capacity == "reservation":
        assert pool.reservation is not None
        config["reservation_affinity"] = {
            "consume_reservation_type": "SPECIFIC_RESERVATION",
            "key": "compute.googleapis.com/reservation-name",
            "values": [pool.reservation],
        }
    return config
