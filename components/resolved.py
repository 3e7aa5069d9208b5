"""The resolved platform: plain, immutable values that every component takes.

`stacks.resolve` derives these from a validated stack; a Pulumi project that imports the
components can also build them directly. Nothing here imports Pulumi.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Mapping, Union

from .catalog.gpus import Price
from .sizing import Fit
from .versions import Pins

Effect = Literal["NoSchedule", "PreferNoSchedule", "NoExecute"]
Capacity = Literal["on-demand", "spot", "reservation", "capacity-block", "flex-start", "queued"]

POOL_LABEL = "inferfleet.dev/node-pool"
"""Set on every GPU node inferfleet creates; pods and Kueue flavors select pools by it."""
GPU_TAINT_KEY = "nvidia.com/gpu"


@dataclass(frozen=True)
class Taint:
    key: str
    value: str
    effect: Effect

    def toleration(self) -> dict[str, str]:
        if self.value:
            return {"key": self.key, "operator": "Equal", "value": self.value, "effect": self.effect}
        return {"key": self.key, "operator": "Exists", "effect": self.effect}


@dataclass(frozen=True)
class GpuSharing:
    strategy: Literal["time-slicing", "mps"]
    clients_per_gpu: int


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
    """Usable memory of one schedulable GPU unit (the MIG slice on a MIG pool)."""
    min_nodes: int
    max_nodes: int
    capacity: Capacity
    reservation: str | None
    zones: tuple[str, ...]
    disk_size_gb: int
    mig_profile: str | None
    units_per_gpu: int
    """`nvidia.com/gpu` units a physical GPU advertises: MIG slices, sharing clients, or 1."""
    sharing: GpuSharing | None
    node_labels: Mapping[str, str]
    """Labels the cloud layer puts on the nodes."""
    taints: tuple[Taint, ...]
    """Taints the cloud layer puts on the nodes (clouds may add their own, see `tolerations`)."""
    selector: Mapping[str, str]
    """Node selector that places a pod on this pool."""
    tolerations: tuple[Taint, ...]
    """Taints a pod on this pool must tolerate, the cloud's own included."""
    device_plugin: Literal["cloud", "operator"]
    """Who advertises `nvidia.com/gpu` on these nodes: the cloud (GKE MIG/sharing) or the GPU Operator."""
    price: Price | None

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
class ModelService:
    """One vLLM deployment and where it runs."""

    name: str
    namespace: str
    model_id: str
    pool: str
    gpus: int
    """`nvidia.com/gpu` units per replica (the tensor-parallel size)."""
    replicas: int
    max_replicas: int
    args: tuple[str, ...]
    image: str
    cpu: str
    memory: str
    ephemeral_storage: str
    shm_size: str
    gated: bool
    hf_token: bool
    """Mount the Hugging Face token (a Secret in the namespace) into the pod."""
    node_selector: Mapping[str, str]
    tolerations: tuple[Taint, ...]
    fit: Fit
    download_gb: float
    """Size of the checkpoint the pod downloads."""


@dataclass(frozen=True)
class Flavor:
    """A Kueue ResourceFlavor for one GPU pool, with the pool's capacity as quota."""

    name: str
    node_labels: Mapping[str, str]
    tolerations: tuple[Taint, ...]
    gpus: int
    cpu: int
    memory_gib: int
    queued: bool = False
    """Nodes come only through ProvisioningRequests (GKE queued provisioning): Kueue must ask for them."""


@dataclass(frozen=True)
class Queueing:
    cluster_queue: str
    local_queue: str
    flavors: tuple[Flavor, ...]


@dataclass(frozen=True)
class Namespace:
    """An inference namespace and its models; `hf_token` puts the token in a Secret there."""

    name: str
    models: tuple[str, ...]
    hf_token: bool


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
    private_endpoint: bool
    public_access_cidrs: tuple[str, ...]
    admins: tuple[str, ...]
    ami_type: str
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
class Monitoring:
    enabled: bool
    namespace: str
    release: str
    grafana: bool
    retention: str


@dataclass(frozen=True)
class Platform:
    """Everything `InferencePlatform` registers, resolved from one stack."""

    name: str
    production: bool
    protect: bool
    cluster: Cluster
    pools: tuple[GpuPool, ...]
    models: tuple[ModelService, ...]
    namespaces: tuple[Namespace, ...]
    queueing: Queueing
    monitoring: Monitoring
    pins: Pins = field(default_factory=Pins)
