"""The serving layer's values: each model service and namespace, and what `Serving` takes."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Mapping

from ..catalog.sizing import Fit
from ..core.budget import DEFAULT_BUDGET, StartupBudget
from ..core.spec import Taint
from ..cloud.values import BucketReader
from ..gpu.values import DeviceClaim
from ..core.versions import Charts

if TYPE_CHECKING:
    import pulumi


HOURS_PER_MONTH = 730
"""The month cloud price lists use (365 x 24 / 12)."""


@dataclass(frozen=True)
class ModelService:
    """One vLLM model service, where it runs and how vLLM is configured (typed; `vllm` builds the argv)."""

    name: str
    namespace: str
    model_id: str
    """The Hugging Face repo id; also the name clients ask for (`--served-model-name`)."""
    pool: str
    tensor_parallel: int
    """GPU units per pod (`--tensor-parallel-size`)."""
    gpu_resource: str
    """The resource each of those units is requested as (the GPU layer's value)."""
    replicas: int
    max_replicas: int
    max_model_len: int
    gpu_memory_utilization: float
    max_num_seqs: int
    prefix_caching: bool
    quantization: str | None
    """`fp8` for FP8 weights, None for the checkpoint's own."""
    kv_cache_dtype: str
    extra_args: tuple[str, ...]
    image: str
    cpu: str
    memory: str
    ephemeral_storage: str
    shm_size: str
    hf_token: bool
    """The model is gated: mount the Hugging Face token (a Secret in the namespace) into its pods."""
    node_selector: Mapping[str, str]
    tolerations: tuple[Taint, ...]
    fit: Fit | None
    """The memory fit; None for a model the stack serves `unchecked`."""
    download_gb: float
    """Size of the checkpoint each pod downloads (0 when it reads a pre-staged claim)."""
    gpu_claim: DeviceClaim | None = None
    """DRA pools: the pods claim their GPUs through a ResourceClaimTemplate of this, not `gpu_resource` limits."""
    weights_claim: str | None = None
    """A ReadWriteMany claim holding the hub cache, mounted read-only; the pods then never download."""
    device: str = ""
    """What one GPU unit is, for people: `L4`, `A100-80GB 3g.40gb slice`."""
    usd_per_hour: float | None = None
    """List price of one replica's share of its node (GPUs used / GPUs per node), None when unpriced."""
    mode: str = "vllm"
    """vllm: inferfleet's own Deployment or LeaderWorkerSet; kserve: a KServe LLMInferenceService."""
    pipeline_parallel: int = 1
    """Nodes per replica, one pipeline stage each; > 1 runs as a LeaderWorkerSet of that size."""
    budget: StartupBudget = DEFAULT_BUDGET
    """How long a replica may take to download and load its weights (the startup probe, progress deadline)."""
    longest_request_seconds: int = 300
    """vLLM drains in-flight requests this long on SIGTERM (`--shutdown-timeout`); the grace period is longer."""
    allow_surge: bool = False
    nat_usd_per_gb: float | None = None
    """What the cloud's NAT charges per GB downloaded; None where unknown (an existing cluster)."""
    kserve_api: str = "llmInferenceService"
    """mode kserve: llmInferenceService (v1alpha2) or inferenceService (v1beta1, the Hugging Face runtime)."""
    canary_revision: str | None = None
    canary_percent: int = 0
    """inferenceService: a canary serving this revision takes this share of requests (by replicas, see `canary_replicas`)."""
    weights_bucket: BucketReader | None = None
    """Weights read in place from a bucket (GCS FUSE on GKE, Mountpoint for S3 on EKS) by the model's own service account."""
    google_service_account: str | None = None
    """GKE: the Google service account the model's Kubernetes service account impersonates (Workload Identity)."""
    pod_annotations: Mapping[str, str] = field(default_factory=dict)
    """From the pool (`GpuPool.pod_annotations`): on Karpenter, `karpenter.sh/do-not-disrupt` for the load budget."""

    @property
    def multi_node(self) -> bool:
        return self.pipeline_parallel > 1

    @property
    def canary_replicas(self) -> int:
        """KServe runs ceil(min x percent / 100) canary replicas beside the stable ones, which it lowers by as
        many but to no fewer than 1 (kserve@v0.20.0 pkg/controller/v1beta1/inferenceservice/components/
        predictor.go:795-800, 886-895): what the canary adds to the GPUs in use."""
        if not self.canary_revision:
            return 0
        canary = math.ceil(max(1, self.replicas) * self.canary_percent / 100)
        return canary - (max(1, self.replicas) - max(self.replicas - canary, 1))

    @property
    def gpus_per_replica(self) -> int:
        return self.tensor_parallel * self.pipeline_parallel

    def summary(self) -> list[str]:
        """The plan's lines for this model: placement, memory fit, concurrency and cost."""
        gpus = f"{self.tensor_parallel} x {self.device}" if self.device else f"{self.tensor_parallel} GPU"
        if self.multi_node:
            gpus = f"{self.pipeline_parallel} nodes x {gpus} (a LeaderWorkerSet, pipeline parallel {self.pipeline_parallel})"
        if self.mode == "kserve":
            gpus += " as a KServe InferenceService (Hugging Face runtime)" if self.kserve_api == "inferenceService" else " as a KServe LLMInferenceService"
        lines = [f"{self.model_id} in {self.namespace}: {self.replicas}-{self.max_replicas} replicas of {gpus} on pool {self.pool}"]
        f = self.fit
        if f is None:
            lines.append("unchecked: not sized (outside the catalog, served as the stack says)")
        else:
            lines.append(
                f"weights {f.weights_gib_per_gpu} GiB/GPU, KV cache {f.kv_budget_gib} GiB/GPU = {f.kv_tokens:,} tokens: "
                f"{f.full_length_sequences} request(s) of {f.max_model_len:,} tokens, or {f.concurrent:,} at {f.average_tokens:,} tokens"
            )
        if self.weights_claim:
            lines.append(f"weights read from the claim {self.weights_claim} (pre-staged, offline): nothing downloaded per replica")
        elif self.weights_bucket:
            b = self.weights_bucket
            where = f"{'gs' if b.source == 'gcs' else 's3'}://{b.bucket}/{b.prefix + '/' if b.prefix else ''}"
            lines.append(f"weights read from {where} (pre-staged hub cache, offline) by service account {b.namespace}/{b.service_account}")
        elif self.download_gb:
            total = self.download_gb * self.pipeline_parallel  # every node of a replica downloads the checkpoint
            nat = f", about ${total * self.nat_usd_per_gb:,.2f} of NAT processing" if self.nat_usd_per_gb else ""
            pods = f" on each of its {self.pipeline_parallel} nodes" if self.multi_node else ""
            lines.append(f"each replica start downloads {self.download_gb:g} GB of weights from the Hugging Face hub{pods} into its own disk{nat}")
        if self.canary_revision:
            lines.append(
                f"canary: revision {self.canary_revision} takes {self.canary_percent}% of requests, split by replicas; "
                f"it adds {self.canary_replicas} replica(s) of {self.gpus_per_replica} GPU(s)"
            )
        if self.replicas <= 1 and not self.allow_surge and self.mode != "kserve":
            lines.append("one replica without surge: the model is down while each rollout replaces it (allowSurge or replicas.min >= 2)")
        if self.usd_per_hour is not None:
            month = self.usd_per_hour * self.pipeline_parallel * HOURS_PER_MONTH
            lines.append(
                f"${month:,.0f}/month per replica ({HOURS_PER_MONTH} h at list price), "
                f"${month * self.replicas:,.0f}-${month * self.max_replicas:,.0f}/month for {self.replicas}-{self.max_replicas}"
            )
        return lines


@dataclass(frozen=True)
class Namespace:
    """An inference namespace; `hf_token` puts the token in a Secret there (some model in it is gated)."""

    name: str
    hf_token: bool


@dataclass(frozen=True)
class ServingValues:
    models: tuple[ModelService, ...]
    namespaces: tuple[Namespace, ...]
    warnings: tuple[str, ...] = ()
    """What the plan should say but that does not stop it (e.g. KV heads replicated across GPUs)."""

    @property
    def budget(self) -> StartupBudget:
        """The slowest model's startup budget: the one Kueue waits for (it has one clock for every workload)."""
        return max((m.budget for m in self.models), key=lambda b: b.load_seconds, default=DEFAULT_BUDGET)


@dataclass(frozen=True)
class ServingArgs:
    """What `Serving` takes: namespaces and models, their Kueue queues, the token and the charts."""

    namespaces: tuple[Namespace, ...]
    models: tuple[ModelService, ...]
    queues: Mapping[str, tuple[str, str | None]]
    """By namespace: the Kueue LocalQueue and priority class its models are labelled with (the scheduling layer's)."""
    hf_token: "pulumi.Input[str] | None" = None
    """Pass a Pulumi secret; required when a namespace has `hf_token`."""
    charts: "Charts | None" = None
    """The pinned charts (LeaderWorkerSet, cert-manager, KServe); required when a model spans nodes or uses KServe."""
