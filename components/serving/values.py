"""The serving layer's values: each model service and namespace, and what `Serving` takes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Mapping

from ..catalog.sizing import Fit
from ..core.budget import StartupBudget
from ..core.spec import Taint
from ..gpu.values import DeviceClaim

if TYPE_CHECKING:
    import pulumi


@dataclass(frozen=True)
class ModelService:
    """One vLLM model service, where it runs and how vLLM is configured (typed; `vllm` builds the argv)."""

    name: str
    namespace: str
    model_id: str
    """The Hugging Face repo id; also the name clients ask for (`--served-model-name`)."""
    pool: str
    tensor_parallel: int
    """GPU units per replica (`--tensor-parallel-size`)."""
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
    fit: Fit
    download_gb: float
    """Size of the checkpoint the pod downloads."""
    gpu_claim: DeviceClaim | None = None
    """DRA pools: the pods claim their GPUs through a ResourceClaimTemplate of this, not `gpu_resource` limits."""


@dataclass(frozen=True)
class Namespace:
    """An inference namespace; `hf_token` puts the token in a Secret there (some model in it is gated)."""

    name: str
    hf_token: bool


@dataclass(frozen=True)
class ServingValues:
    models: tuple[ModelService, ...]
    namespaces: tuple[Namespace, ...]


@dataclass(frozen=True)
class ServingArgs:
    """What `Serving` takes: namespaces and models, their Kueue queue, the token and the load budget."""

    namespaces: tuple[Namespace, ...]
    models: tuple[ModelService, ...]
    queues: Mapping[str, tuple[str, str | None]]
    """By namespace: the Kueue LocalQueue and priority class its models are labelled with (the scheduling layer's)."""
    budget: StartupBudget
    hf_token: "pulumi.Input[str] | None" = None
    """Pass a Pulumi secret; required when a namespace has `hf_token`."""
