"""The cloud layer's intent: the cluster (`inferfleet:cluster`) and its GPU pools (`inferfleet:nodePools`).

GPU capacity is declared once, here, on the pools; every other layer derives from it.
"""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import Field

from ..core.spec import (
    AwsRegion,
    AwsZone,
    Cidr,
    GcpProject,
    GcpRegion,
    GcpZone,
    LabelKey,
    LabelValue,
    Name,
    NodeCount,
    SpecModel,
    Taint,
    ZoneLabel,
)

Capacity = Literal["on-demand", "spot", "reservation", "capacity-block", "flex-start", "queued"]
"""How a pool's nodes are bought."""


class Sharing(SpecModel):
    strategy: Literal["time-slicing", "mps"] = Field(..., description="How pods share one physical GPU: time-slicing or mps.")
    clients_per_gpu: int = Field(..., ge=2, le=48, description="Pods that share one GPU, 2 to 48.")


class NodeShape(SpecModel):
    vcpus: int = Field(..., ge=1, le=1024, description="vCPUs of one node, e.g. 48.")
    memory_gib: int = Field(..., ge=1, le=65536, description="Memory of one node in GiB, e.g. 384.")


class NodePool(SpecModel):
    gpu: str = Field(..., description="GPU from the catalog, e.g. L4, A100-80GB, H100-80GB.")
    gpus_per_node: int = Field(1, ge=1, le=16, description="GPUs on each node; picks the machine type.")
    machine_type: str | None = Field(None, description="One of the catalog's machines for this GPU count.")
    nodes: NodeCount = Field(..., description="Node count range; min may be 0.")
    capacity: Capacity = Field(
        "on-demand", description="How nodes are bought; reservation and capacity-block need `reservation`."
    )
    reservation: str | None = Field(None, description="GKE reservation name, or EC2 capacity reservation id.")
    zones: tuple[ZoneLabel, ...] | None = Field(None, min_length=1, description="Zones for this pool; default: the cluster's.")
    mig: str | None = Field(None, description="MIG profile every GPU is split into, e.g. 1g.10gb.")
    sharing: Sharing | None = Field(None, description="Time-slicing or MPS; not with `mig`.")
    allocation: Literal["device-plugin", "dra"] = Field(
        "device-plugin", description="How pods get GPUs: the device plugin's nvidia.com/gpu, or DRA ResourceClaims (NVIDIA DRA driver)."
    )
    labels: dict[LabelKey, LabelValue] = Field(default_factory=dict, description="Extra node labels.")
    taints: tuple[Taint, ...] = Field((), description="Extra node taints; model pods tolerate them.")
    disk_size_gb: int = Field(
        200, ge=50, le=65536, description="Boot disk in GB; holds images and model weights, unless the machine has local NVMe (which then does)."
    )
    suspend: bool = Field(
        False,
        description="EKS: run no nodes in this pool (e.g. to upgrade a Capacity Block node group); Kueue admits nothing on it meanwhile.",
    )
    node_selector: dict[LabelKey, LabelValue] | None = Field(
        None, description="Existing clusters only: labels that select this pool's nodes."
    )
    node: NodeShape | None = Field(
        None, description="Existing clusters only: vCPUs and memory of one node, e.g. {vcpus: 48, memoryGib: 384}"
    )


class SystemPool(SpecModel):
    machine_type: str | None = Field(None, description="Default: e2-standard-8 on GKE, m7i.2xlarge on EKS.")
    nodes: NodeCount = Field(NodeCount(min=1, max=3), description="Nodes for platform components.")
    disk_size_gb: int = Field(100, ge=20, le=65536, description="Boot disk of each system node in GB.")


class Endpoint(SpecModel):
    private: bool = Field(False, description="Control plane reachable only from inside the network.")
    authorized_networks: tuple[Cidr, ...] = Field(
        (), description="CIDRs allowed to reach the endpoint: the public one, or on GKE with private: true the private one (RFC 1918 only)."
    )


class EksEndpoint(Endpoint):
    runner_in_network: bool = Field(
        False,
        description="With private: true, Pulumi runs inside the VPC; otherwise EKS keeps a public endpoint limited to authorizedNetworks.",
    )


class GkeNetwork(SpecModel):
    network: str | None = Field(None, description="Existing VPC network; default: create one.")
    subnetwork: str | None = Field(None, description="Existing subnetwork; required with `network`.")
    node_cidr: Cidr = Field("10.10.0.0/20", description="Node range of a new subnetwork, a CIDR block.")
    pods_cidr: Cidr = Field("10.16.0.0/14", description="Secondary range for pods, a CIDR block.")
    services_cidr: Cidr = Field("10.20.0.0/20", description="Secondary range for Services, a CIDR block.")


class Preflight(SpecModel):
    mode: Literal["error", "warn", "off"] = Field("error", description="What a failed capacity check does.")
    in_plan: bool = Field(False, description="EKS: also call AWS from the offline plan.")


class GkeClusterSpec(SpecModel):
    provider: Literal["gke"] = Field(..., description="gke, eks or existing.")
    project: GcpProject = Field(..., description="the Google Cloud project id, e.g. acme-inference")
    region: GcpRegion = Field(..., description="the region, e.g. us-central1")
    zones: tuple[GcpZone, ...] = Field(..., min_length=1, description="zones for nodes, within the region, e.g. [us-central1-a]")
    regional: bool = Field(True, description="Regional control plane (else zonal, in the first zone).")
    name: Name | None = Field(None, description="Cluster name; default: <project>-<stack>.")
    release_channel: Literal["RAPID", "REGULAR", "STABLE", "EXTENDED"] = Field(
        "REGULAR", description="GKE release channel: RAPID, REGULAR, STABLE or EXTENDED."
    )
    network: GkeNetwork = Field(GkeNetwork(), description="The VPC: created by default, or an existing one.")
    endpoint: Endpoint = Field(Endpoint(), description="Who can reach the control plane.")
    system_pool: SystemPool = Field(SystemPool(), description="The node pool for platform components.")
    managed_dcgm: bool = Field(False, description="GKE-managed DCGM metrics to Cloud Monitoring.")
    preflight: Preflight = Field(Preflight(), description="Capacity and quota checks before any resource.")
    protect: bool | None = Field(None, description="Deletion protection; default: on in production.")


LogRetention = Literal[1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653]
"""CloudWatch Logs retention values (pulumi-aws 7.51.1 cloudwatch/log_group.py:42-44), 0 (for ever) left out."""


class EksNetwork(SpecModel):
    vpc_id: str | None = Field(None, description="Existing VPC; default: create one.")
    subnet_ids: tuple[str, ...] = Field((), description="Existing private subnets, one per zone; with `vpcId`.")
    vpc_cidr: Cidr = Field("10.0.0.0/16", description="Block of a new VPC, a CIDR block of /20 or larger.")


class EksClusterSpec(SpecModel):
    provider: Literal["eks"] = Field(..., description="gke, eks or existing.")
    region: AwsRegion = Field(..., description="the region, e.g. us-east-1")
    zones: tuple[AwsZone, ...] = Field(..., min_length=2, description="EKS needs subnets in two zones at least, e.g. [us-east-1a, us-east-1b]")
    name: Name | None = Field(None, description="Cluster name; default: <project>-<stack>.")
    network: EksNetwork = Field(EksNetwork(), description="The VPC: created by default, or an existing one.")
    endpoint: EksEndpoint = Field(EksEndpoint(), description="Who can reach the control plane.")
    system_pool: SystemPool = Field(SystemPool(), description="The node group for platform components.")
    admins: tuple[str, ...] = Field((), description="IAM principal ARNs given cluster-admin access entries.")
    ami: Literal["al2023", "bottlerocket"] = Field("al2023", description="GPU node OS: al2023 or bottlerocket.")
    ami_version: str = Field(
        "latest",
        pattern=r"^(latest|v\d{8}|\d+\.\d+\.\d+)$",
        description="GPU node AMI release for Karpenter's alias: latest, vYYYYMMDD (al2023) or 1.x.y (bottlerocket).",
    )
    node_autoscaler: Literal["karpenter", "cluster-autoscaler"] = Field(
        "karpenter",
        description="What starts GPU nodes: karpenter (NodePools, min 0) or cluster-autoscaler (one managed node group per pool).",
    )
    support_type: Literal["STANDARD", "EXTENDED"] = Field(
        "STANDARD", description="EKS upgrade policy: STANDARD (upgraded at end of support) or EXTENDED (paid extended support)."
    )
    log_retention_days: LogRetention = Field(90, description="Days the control-plane logs are kept, a CloudWatch retention value.")
    kms_key_arn: str | None = Field(None, description="KMS key for secrets encryption; default: create one.")
    preflight: Preflight = Field(Preflight(), description="Capacity and quota checks before any resource.")
    protect: bool | None = Field(None, description="Deletion protection; default: on in production.")


class ExistingClusterSpec(SpecModel):
    provider: Literal["existing"] = Field(..., description="gke, eks or existing.")
    name: Name = Field("existing", description="A label for outputs and resource names.")
    context: str | None = Field(None, description="Context within `inferfleet:kubeconfig`; default: current.")
    install_driver: bool = Field(False, description="Let the GPU Operator install the NVIDIA driver.")


ClusterSpec = Annotated[Union[GkeClusterSpec, EksClusterSpec, ExistingClusterSpec], Field(discriminator="provider")]
