"""The cloud layer's values: the cluster and its GPU pools, as the components above take them.

`cloud.resolve` derives these from the spec; a Pulumi project that imports the components can
also build them directly. Nothing here needs Pulumi at run time.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, Mapping, Union

from ..catalog.gpus import LocalDisks, Price
from ..core.budget import StartupBudget
from ..core.versions import Pins
from ..core.spec import Taint
from .spec import Capacity, Sharing

if TYPE_CHECKING:
    import pulumi
    import pulumi_kubernetes as k8s

Autoscaler = Literal["gke", "karpenter", "cluster-autoscaler", "declared"]
"""GKE's own, Karpenter or cluster-autoscaler on EKS, or `declared`: an existing cluster's, not inferfleet's."""
DO_NOT_DISRUPT = "karpenter.sh/do-not-disrupt"

POOL_LABEL = "inferfleet.dev/node-pool"
"""Set on every node inferfleet creates; pods and Kueue flavors select pools by it."""


@dataclass(frozen=True)
class GpuPool:
    """A GPU node pool with everything the layers above derive from it."""

    name: str
    gpu: str
    accelerator: str
    """The cloud's accelerator name (GKE `guest_accelerators.type`; a label value elsewhere)."""
    machine_type: str
    gpus_per_node: int
    vcpus: int
    memory_gib: int
    gpu_memory_gib: float
    """Usable memory (GiB) of one schedulable GPU unit (the MIG slice on a MIG pool)."""
    min_nodes: int
    max_nodes: int
    capacity: Capacity
    reservation: str | None
    zones: tuple[str, ...]
    disk_size_gb: int
    mig_profile: str | None
    units_per_gpu: int
    """`nvidia.com/gpu` units a physical GPU advertises: MIG slices, sharing clients, or 1."""
    sharing: Sharing | None
    node_labels: Mapping[str, str]
    """Labels the cloud layer puts on the nodes."""
    taints: tuple[Taint, ...]
    """Taints the cloud layer puts on the nodes (clouds may add their own, see `tolerations`)."""
    selector: Mapping[str, str]
    """Node selector that places a pod on this pool."""
    tolerations: tuple[Taint, ...]
    """Taints a pod on this pool must tolerate, the cloud's own included."""
    device_plugin: Literal["cloud", "operator"]
    """Who advertises `nvidia.com/gpu` on these nodes: the cloud (GKE MIG/sharing, Bottlerocket's own plugin) or the GPU Operator."""
    price: Price | None
    created: bool = True
    """inferfleet creates these nodes (GKE, EKS); False for an existing cluster's, which it only describes."""
    allocation: Literal["device-plugin", "dra"] = "device-plugin"
    """How pods get GPUs: the device plugin's extended resource, or a DRA ResourceClaim (the GPU layer decides which)."""
    instance_types: tuple[str, ...] = ()
    """Machines the pool may start, `machine_type` first; a Spot pool also lists the catalog's equivalents."""
    autoscaler: Autoscaler = "declared"
    """Who starts and stops the nodes between min and max; Kueue's quota and the plan's cost assume it works."""
    local_disks: LocalDisks | None = None
    """The machine's local NVMe (catalog), on which the cloud layer puts the kubelet's ephemeral storage; None: the boot disk."""
    suspended: bool = False
    """Runs no nodes for now (EKS, e.g. while its node group or Capacity Block is upgraded); `min_nodes`/`max_nodes`
    are what it runs once resumed. Kueue's quota on it is 0 meanwhile, so no model pod waits on it for a node."""

    def pod_annotations(self, budget: StartupBudget) -> dict[str, str]:
        """Annotations for model pods on this pool: on Karpenter, no voluntary disruption while the model loads.

        The duration form protects the pod "for the specified duration after the pod starts running"
        (aws/karpenter-provider-aws@v1.14.1 website/content/en/docs/concepts/disruption.md:372-392), so
        drift still replaces nodes once the model serves.
        """
        return {DO_NOT_DISRUPT: f"{budget.probe_seconds}s"} if self.autoscaler == "karpenter" else {}

    @property
    def units_per_node(self) -> int:
        return self.gpus_per_node * self.units_per_gpu

    @property
    def max_units(self) -> int:
        return self.max_nodes * self.units_per_node

    @property
    def max_gpus(self) -> int:
        return self.max_nodes * self.gpus_per_node


@dataclass(frozen=True)
class BucketReader:
    """A model's Kubernetes service account that may read one bucket of weights, and nothing else.

    The serving layer emits the service account and mounts the bucket; the cloud layer grants the
    access, from the list the platform passes down (`GkeClusterArgs`/`EksClusterArgs.bucket_readers`):
    on GKE a Google service account with roles/storage.objectViewer on the bucket, which the Kubernetes
    service account impersonates through Workload Identity; on EKS an IAM role with s3:ListBucket and
    s3:GetObject on the bucket (and prefix), associated to the service account through Pod Identity.
    """

    source: Literal["gcs", "s3"]
    bucket: str
    prefix: str | None
    namespace: str
    service_account: str
    region: str | None = None
    """S3: the bucket's region (Mountpoint's `region` option); the cluster's by default."""

    def google_account_id(self, cluster: str) -> str:
        """The Google service account's id: 6-30 of [a-z0-9-], unique per cluster, namespace, account and bucket."""
        digest = hashlib.sha256(f"{cluster}/{self.namespace}/{self.service_account}/{self.bucket}".encode()).hexdigest()[:8]
        return f"w-{self.service_account[:19].rstrip('-')}-{digest}"

    def google_service_account(self, cluster: str, project: str) -> str:
        return f"{self.google_account_id(cluster)}@{project}.iam.gserviceaccount.com"

    def workload_identity_member(self, project: str) -> str:
        """The Kubernetes service account as a member of the cluster's Workload Identity pool."""
        return f"serviceAccount:{project}.svc.id.goog[{self.namespace}/{self.service_account}]"

    def s3_policy(self, partition: str = "aws") -> dict[str, object]:
        """Read-only on this bucket (and prefix) only: what Mountpoint needs to list and read
        (awslabs/mountpoint-s3 doc/CONFIGURATION.md, IAM permissions: s3:ListBucket, s3:GetObject)."""
        bucket = f"arn:{partition}:s3:::{self.bucket}"
        objects = f"{bucket}/{self.prefix}/*" if self.prefix else f"{bucket}/*"
        listing: dict[str, object] = {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": bucket}
        if self.prefix:
            listing["Condition"] = {"StringLike": {"s3:prefix": [self.prefix, f"{self.prefix}/*"]}}
        return {"Version": "2012-10-17", "Statement": [listing, {"Effect": "Allow", "Action": "s3:GetObject", "Resource": objects}]}


@dataclass(frozen=True)
class SystemPool:
    machine_type: str
    min_nodes: int
    max_nodes: int
    disk_size_gb: int


@dataclass(frozen=True)
class GkeCluster:
    name: str
    project: str
    region: str
    location: str
    """The region for a regional cluster, else the zone."""
    zones: tuple[str, ...]
    release_channel: str
    kubernetes_version: str
    create_network: bool
    network: str | None
    subnetwork: str | None
    node_cidr: str
    pods_cidr: str
    services_cidr: str
    private_endpoint: bool
    """No public IP endpoint; Pulumi and users reach the control plane by its DNS endpoint."""
    authorized_networks: tuple[str, ...]
    managed_dcgm: bool
    system_pool: SystemPool
    deletion_protection: bool
    provider: Literal["gke"] = "gke"


@dataclass(frozen=True)
class EksCluster:
    name: str
    region: str
    zones: tuple[str, ...]
    kubernetes_version: str
    create_network: bool
    vpc_cidr: str
    vpc_id: str | None
    subnet_ids: tuple[str, ...]
    public_endpoint: bool
    """The public endpoint is on (limited to `public_access_cidrs`); the private one always is."""
    public_access_cidrs: tuple[str, ...]
    admins: tuple[str, ...]
    ami_type: str
    node_autoscaler: Literal["karpenter", "cluster-autoscaler"]
    ami: Literal["al2023", "bottlerocket"]
    ami_version: str
    """The Karpenter AMI alias version: `latest`, or a release such as v20250505 (al2023) / 1.40.0 (bottlerocket)."""
    support_type: Literal["STANDARD", "EXTENDED"]
    log_retention_days: int
    kms_key_arn: str | None
    system_pool: SystemPool
    deletion_protection: bool
    provider: Literal["eks"] = "eks"


@dataclass(frozen=True)
class ExistingCluster:
    name: str
    context: str | None
    install_driver: bool
    provider: Literal["existing"] = "existing"


Cluster = Union[GkeCluster, EksCluster, ExistingCluster]


@dataclass(frozen=True)
class GkeClusterArgs:
    """What `GkeCluster` takes: the cluster, its GPU pools, and whether Pulumi protects them."""

    cluster: GkeCluster
    pools: tuple[GpuPool, ...]
    protect: bool
    bucket_readers: tuple[BucketReader, ...] = ()
    """Model service accounts that read weights from GCS buckets (the platform passes the serving layer's)."""


@dataclass(frozen=True)
class EksClusterArgs:
    """What `EksCluster` takes: the cluster, its GPU pools, and whether Pulumi protects them."""

    cluster: EksCluster
    pools: tuple[GpuPool, ...]
    protect: bool
    pins: Pins = field(default_factory=Pins)
    """Karpenter's chart and CRDs come from here."""
    bucket_readers: tuple[BucketReader, ...] = ()
    """Model service accounts that read weights from S3 buckets (the platform passes the serving layer's)."""


@dataclass(frozen=True)
class ExistingClusterArgs:
    """What `ExistingCluster` takes: the cluster and a kubeconfig (pass a Pulumi secret)."""

    cluster: ExistingCluster
    kubeconfig: "pulumi.Input[str]"


@dataclass(frozen=True)
class ClusterOutputs:
    """What the layers above take from the cloud layer, whichever cluster component made it."""

    name: "pulumi.Output[str]"
    endpoint: "pulumi.Output[str]"
    kubeconfig: "pulumi.Output[str]"
    """A secret: it grants access to the cluster."""
    kubernetes: "k8s.Provider"
    """The Kubernetes provider for this cluster; the upper layers register through it."""

    def as_dict(self) -> dict[str, object]:
        return {"clusterName": self.name, "endpoint": self.endpoint, "kubeconfig": self.kubeconfig}
