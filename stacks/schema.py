"""The typed stack: one pydantic model for everything under the `inferfleet:` config namespace.

Keys are camelCase as written in `Pulumi.<stack>.yaml`; unknown keys are errors. This module
checks shape, types and ranges; `stacks.checks` checks what needs the catalogs or several keys.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal, Union

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, SecretStr
from pydantic.alias_generators import to_camel

_NAME = re.compile(r"^[a-z]([-a-z0-9]{0,28}[a-z0-9])?$")


def _name(value: str) -> str:
    if not _NAME.match(value):
        raise ValueError(
            f"'{value}' is not a valid name; use 1-30 lowercase letters, digits and '-', "
            "starting with a letter and not ending with '-'"
        )
    return value


def _cidr(value: str) -> str:
    import ipaddress

    try:
        ipaddress.ip_network(value, strict=True)
    except ValueError:
        raise ValueError(f"'{value}' is not a CIDR block; write it like 10.0.0.0/16") from None
    return value


def _kubernetes_minor(value: str) -> str:
    match = re.fullmatch(r"1\.(\d+)", value)
    if not match or int(match.group(1)) < 34:
        raise ValueError(f"'{value}' is not a supported Kubernetes minor; valid: 1.34 or newer (DRA v1 is GA from 1.34), written like 1.34")
    return value


Name = Annotated[str, AfterValidator(_name)]
"""A config key that names a pool, model, namespace or cluster: a DNS label of at most 30 chars."""
Cidr = Annotated[str, AfterValidator(_cidr)]


class _Model(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, alias_generator=to_camel, populate_by_name=True, hide_input_in_errors=True
    )


class NodeCount(_Model):
    min: int = Field(0, ge=0, le=1000, description="Fewest nodes; 0 lets the pool scale to zero.")
    max: int = Field(..., ge=1, le=1000, description="Most nodes; GPU capacity and queue quota derive from it.")


class Sharing(_Model):
    strategy: Literal["time-slicing", "mps"] = Field(..., description="How pods share one physical GPU.")
    clients_per_gpu: int = Field(..., ge=2, le=48, description="Pods that share one GPU.")


class Taint(_Model):
    key: str = Field(..., min_length=1, max_length=253)
    value: str = Field("", max_length=63)
    effect: Literal["NoSchedule", "PreferNoSchedule", "NoExecute"]


class NodeShape(_Model):
    vcpus: int = Field(..., ge=1, le=1024)
    memory_gib: int = Field(..., ge=1, le=65536)


class NodePool(_Model):
    gpu: str = Field(..., description="GPU from the catalog, e.g. L4, A100-80GB, H100-80GB.")
    gpus_per_node: int = Field(1, ge=1, le=16, description="GPUs on each node; picks the machine type.")
    machine_type: str | None = Field(None, description="One of the catalog's machines for this GPU count.")
    nodes: NodeCount = Field(..., description="Node count range; min may be 0.")
    capacity: Literal["on-demand", "spot", "reservation", "capacity-block", "flex-start", "queued"] = Field(
        "on-demand", description="How nodes are bought; reservation and capacity-block need `reservation`."
    )
    reservation: str | None = Field(None, description="GKE reservation name, or EC2 capacity reservation id.")
    zones: tuple[str, ...] | None = Field(None, min_length=1, description="Zones for this pool; default: the cluster's.")
    mig: str | None = Field(None, description="MIG profile every GPU is split into, e.g. 1g.10gb.")
    sharing: Sharing | None = Field(None, description="Time-slicing or MPS; not with `mig`.")
    labels: dict[str, str] = Field(default_factory=dict, description="Extra node labels.")
    taints: tuple[Taint, ...] = Field((), description="Extra node taints; model pods tolerate them.")
    disk_size_gb: int = Field(200, ge=50, le=65536, description="Boot disk; holds images and model weights.")
    node_selector: dict[str, str] | None = Field(
        None, description="Existing clusters only: labels that select this pool's nodes."
    )
    node: NodeShape | None = Field(
        None, description="Existing clusters only: vCPUs and memory of one node, e.g. {vcpus: 48, memoryGib: 384}"
    )


class SystemPool(_Model):
    machine_type: str | None = Field(None, description="Default: e2-standard-8 on GKE, m7i.2xlarge on EKS.")
    nodes: NodeCount = Field(NodeCount(min=1, max=3), description="Nodes for platform components.")
    disk_size_gb: int = Field(100, ge=20, le=65536)


class Endpoint(_Model):
    private: bool = Field(False, description="Control plane reachable only from inside the network.")
    authorized_networks: tuple[Cidr, ...] = Field((), description="CIDRs allowed to reach a public endpoint.")


class GkeNetwork(_Model):
    network: str | None = Field(None, description="Existing VPC network; default: create one.")
    subnetwork: str | None = Field(None, description="Existing subnetwork; required with `network`.")
    node_cidr: Cidr = "10.10.0.0/20"
    pods_cidr: Cidr = "10.16.0.0/14"
    services_cidr: Cidr = "10.20.0.0/20"


class Preflight(_Model):
    mode: Literal["error", "warn", "off"] = Field("error", description="What a failed capacity check does.")
    in_plan: bool = Field(False, description="EKS: also call AWS from the offline plan.")


class GkeClusterSpec(_Model):
    provider: Literal["gke"]
    project: str = Field(..., min_length=6, max_length=30, description="the Google Cloud project id, e.g. acme-inference")
    region: str = Field(..., description="the region, e.g. us-central1")
    zones: tuple[str, ...] = Field(..., min_length=1, description="zones for nodes, within the region, e.g. [us-central1-a]")
    regional: bool = Field(True, description="Regional control plane (else zonal, in the first zone).")
    name: Name | None = Field(None, description="Cluster name; default: <project>-<stack>.")
    release_channel: Literal["RAPID", "REGULAR", "STABLE", "EXTENDED"] = "REGULAR"
    network: GkeNetwork = GkeNetwork()
    endpoint: Endpoint = Endpoint()
    system_pool: SystemPool = SystemPool()
    managed_dcgm: bool = Field(False, description="GKE-managed DCGM metrics to Cloud Monitoring.")
    preflight: Preflight = Preflight()
    protect: bool | None = Field(None, description="Deletion protection; default: on in production.")


class EksNetwork(_Model):
    vpc_id: str | None = Field(None, description="Existing VPC; default: create one.")
    subnet_ids: tuple[str, ...] = Field((), description="Existing private subnets, one per zone; with `vpcId`.")
    vpc_cidr: Cidr = "10.0.0.0/16"


class EksClusterSpec(_Model):
    provider: Literal["eks"]
    region: str = Field(..., description="the region, e.g. us-east-1")
    zones: tuple[str, ...] = Field(..., min_length=2, description="EKS needs subnets in two zones at least, e.g. [us-east-1a, us-east-1b]")
    name: Name | None = None
    network: EksNetwork = EksNetwork()
    endpoint: Endpoint = Endpoint()
    system_pool: SystemPool = SystemPool()
    admins: tuple[str, ...] = Field((), description="IAM principal ARNs given cluster-admin access entries.")
    ami: Literal["al2023", "bottlerocket"] = "al2023"
    kms_key_arn: str | None = Field(None, description="KMS key for secrets encryption; default: create one.")
    preflight: Preflight = Preflight()
    protect: bool | None = None


class ExistingClusterSpec(_Model):
    provider: Literal["existing"]
    name: Name = Field("existing", description="A label for outputs and resource names.")
    context: str | None = Field(None, description="Context within `inferfleet:kubeconfig`; default: current.")
    install_driver: bool = Field(False, description="Let the GPU Operator install the NVIDIA driver.")


ClusterSpec = Annotated[Union[GkeClusterSpec, EksClusterSpec, ExistingClusterSpec], Field(discriminator="provider")]


class Replicas(_Model):
    min: int = Field(1, ge=0, le=1000)
    max: int = Field(6, ge=1, le=1000)


class ModelSize(_Model):
    """Architecture of a model outside the catalog."""

    weights_gb: float = Field(..., gt=0, description="Weights in GB at the chosen precision.")
    layers: int = Field(..., ge=1)
    kv_heads: int = Field(..., ge=1)
    head_dim: int = Field(..., ge=1)
    context: int = Field(8192, ge=256, description="Longest context the model supports.")


class Vllm(_Model):
    gpu_memory_utilization: float | None = Field(
        None, gt=0.1, le=0.98, description="Default 0.92, divided by the clients on a shared GPU."
    )
    max_num_seqs: int = Field(256, ge=1, le=4096)
    prefix_caching: bool = True
    extra_args: tuple[str, ...] = Field((), description="Further vLLM flags, passed as written.")


class ModelSpec(_Model):
    model: str = Field(..., pattern=r"^[\w.-]+/[\w.-]+$", description="Hugging Face repo id, org/name.")
    pool: Name = Field(..., description="GPU node pool the model runs on.")
    gpus: int = Field(1, ge=1, le=16, description="GPUs per replica (tensor-parallel size).")
    replicas: Replicas = Replicas()
    namespace: Name = "inference"
    max_model_len: int | None = Field(None, ge=256, description="Context per request; default min(8192, model's).")
    precision: Literal["bf16", "fp8"] = "bf16"
    kv_cache_dtype: Literal["auto", "fp8"] = "auto"
    vllm: Vllm = Vllm()
    size: ModelSize | None = Field(None, description="Required for a model outside the catalog.")
    gated: bool | None = Field(None, description="Needs a Hugging Face token; default from the catalog.")


class Monitoring(_Model):
    enabled: bool = True
    namespace: Name = "monitoring"
    grafana: bool = Field(False, description="Needs inferfleet:grafanaAdminPassword (a secret).")
    retention: str = Field("15d", pattern=r"^\d+[smhdwy]$")


class Versions(_Model):
    kubernetes: Annotated[str, AfterValidator(_kubernetes_minor)] | None = Field(None, description="Target minor, >= 1.34.")
    gpu_operator: str | None = None
    kueue: str | None = None
    kube_prometheus_stack: str | None = None
    vllm: str | None = None
    vllm_digest: str | None = Field(None, pattern=r"^sha256:[0-9a-f]{64}$")


class StackSpec(_Model):
    """Everything under `inferfleet:` in a stack file."""

    environment: Literal["development", "staging", "production"] = "development"
    cluster: ClusterSpec
    node_pools: dict[Name, NodePool] = Field(..., min_length=1, description="GPU node pools by name.")
    models: dict[Name, ModelSpec] = Field(default_factory=dict, description="vLLM model services by name.")
    monitoring: Monitoring = Monitoring()
    versions: Versions = Versions()
    hf_token: SecretStr | None = Field(None, description="Hugging Face token (a secret) for gated models.")
    kubeconfig: SecretStr | None = Field(None, description="Kubeconfig (a secret) for provider: existing.")
    grafana_admin_password: SecretStr | None = Field(None, description="Grafana admin password (a secret).")


SECRET_KEYS = ("hfToken", "kubeconfig", "grafanaAdminPassword")
"""Top-level keys that must be stored as Pulumi secrets."""
