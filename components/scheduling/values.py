"""The scheduling layer's values: Kueue flavors and queues, and what the `Kueue` component takes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Mapping

from ..core.budget import StartupBudget
from ..core.spec import Taint
from ..core.versions import HelmChart

if TYPE_CHECKING:
    import pulumi

QUEUE_LABEL = "kueue.x-k8s.io/queue-name"
"""The label that hands a workload to Kueue, naming its LocalQueue (pkg/controller/constants/constants.go:23@v0.19.2)."""
PRIORITY_LABEL = "kueue.x-k8s.io/priority-class"
"""The label naming a workload's WorkloadPriorityClass (pkg/controller/constants/constants.go:48@v0.19.2)."""
FIXED_WHILE_RUNNING = (f'metadata.labels["{QUEUE_LABEL}"]', f'metadata.labels["{PRIORITY_LABEL}"]')
"""Labels Kueue's Deployment webhook will not change on a Deployment with ready pods: the queue, and
a priority class added or removed (deployment_webhook.go ValidateUpdate, jobframework/validation.go
ValidateUpdateForWorkloadPriorityClassName@v0.19.2); changing them means replacing the Deployment."""
INFERENCE_NAMESPACE_LABEL = "inferfleet.dev/inference"
"""On every namespace that holds a LocalQueue (inference and batch alike): the ClusterQueues select
their namespaces by it, and Kueue's webhooks manage exactly these namespaces."""


@dataclass(frozen=True)
class Flavor:
    """A Kueue ResourceFlavor for one GPU pool: what selects and taints its nodes; queues hold its quota."""

    name: str
    node_labels: Mapping[str, str]
    node_taints: tuple[Taint, ...]
    """Every taint the pool's nodes carry, the cloud's own included: Kueue checks pods tolerate them."""
    tolerations: tuple[Taint, ...]
    gpu_resource: str
    """The resource pods on this pool request (the GPU layer's value)."""
    queued: bool = False
    """Nodes come only through ProvisioningRequests (GKE queued provisioning): Kueue must ask for them."""


@dataclass(frozen=True)
class Quota:
    """An amount of one flavor: GPU units and the CPU and memory of the nodes that hold them."""

    units: int
    cpu_m: int
    memory_mi: int


@dataclass(frozen=True)
class QueueQuota:
    flavor: str
    nominal: Quota
    borrowing: Quota | None = None
    """Most borrowed from the cohort; None: unlimited."""
    lending: Quota | None = None
    """Most lent to the cohort; None: all of `nominal`."""


@dataclass(frozen=True)
class ClusterQueue:
    name: str
    namespaces: tuple[str, ...]
    """Each holds a LocalQueue named like the queue."""
    quotas: tuple[QueueQuota, ...]
    """One per flavor the queue may use, in the queueing's flavor order."""
    preemption: Mapping[str, Any]
    """The ClusterQueue's `spec.preemption`, in the CRD's shape."""
    priority: str | None
    """The WorkloadPriorityClass this queue's model services carry."""
    strategy: str = "BestEffortFIFO"
    cohort: str | None = None
    fair_sharing_weight: int | None = None


@dataclass(frozen=True)
class Priority:
    name: str
    value: int
    description: str


@dataclass(frozen=True)
class Queueing:
    flavors: tuple[Flavor, ...]
    queues: tuple[ClusterQueue, ...] = ()
    priorities: tuple[Priority, ...] = ()
    fair_sharing: bool = False
    device_class_mappings: Mapping[str, str] = field(default_factory=dict)
    """The resource name Kueue counts each DRA DeviceClass's claimed devices as, by device class (the GPU layer's)."""

    def queue(self, name: str) -> ClusterQueue:
        return next(q for q in self.queues if q.name == name)

    def queue_of(self, namespace: str) -> ClusterQueue | None:
        """The queue whose LocalQueue a namespace holds."""
        return next((q for q in self.queues if namespace in q.namespaces), None)

    def workload_queues(self) -> dict[str, tuple[str, str | None]]:
        """By namespace: the LocalQueue and priority class its workloads are labelled with."""
        return {ns: (q.name, q.priority) for q in self.queues for ns in q.namespaces}


@dataclass(frozen=True)
class KueueArgs:
    """What `Kueue` takes: the queues, the pinned chart, the model-load budget Kueue waits for, and
    the namespaces other layers create (name outputs by name, so their LocalQueues wait for them);
    `Kueue` creates the queues' other namespaces itself."""

    queueing: Queueing
    chart: HelmChart
    budget: StartupBudget
    namespaces: "Mapping[str, pulumi.Input[str]]" = field(default_factory=dict)
    monitoring: bool = False
    """Prometheus runs: Kueue exports its ClusterQueue quota and usage gauges."""
