"""The scheduling layer's values: Kueue flavors and queues, and what the `Kueue` component takes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Mapping

from ..core.budget import StartupBudget
from ..core.spec import Taint
from ..core.versions import HelmChart

if TYPE_CHECKING:
    import pulumi

QUEUE_LABEL = "kueue.x-k8s.io/queue-name"
"""The label that hands a workload to Kueue, naming its LocalQueue (pkg/controller/constants/constants.go:23@v0.19.2)."""
PRIORITY_LABEL = "kueue.x-k8s.io/priority-class"
"""The label naming a workload's WorkloadPriorityClass (pkg/controller/constants/constants.go:48@v0.19.2)."""
INFERENCE_NAMESPACE_LABEL = "inferfleet.dev/inference"
"""Namespaces whose workloads may use the serving ClusterQueue; Kueue's webhooks manage exactly these."""


@dataclass(frozen=True)
class Flavor:
    """A Kueue ResourceFlavor for one GPU pool; its quota is the pool's capacity at its maximum size."""

    name: str
    node_labels: Mapping[str, str]
    node_taints: tuple[Taint, ...]
    """Every taint the pool's nodes carry, the cloud's own included: Kueue checks pods tolerate them."""
    tolerations: tuple[Taint, ...]
    gpu_resource: str
    """The resource pods on this pool request (the GPU layer's value)."""
    gpus: int
    """Units of `gpu_resource` the pool holds at its maximum size."""
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
class KueueArgs:
    """What `Kueue` takes: the queues, the pinned chart, the model-load budget Kueue waits for, and
    the namespaces (name outputs by key, so their LocalQueues wait for them) whose workloads it queues."""

    queueing: Queueing
    chart: HelmChart
    budget: StartupBudget
    namespaces: "Mapping[str, pulumi.Input[str]]" = field(default_factory=dict)
