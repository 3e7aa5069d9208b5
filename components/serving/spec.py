"""The serving layer's intent: the models to serve (`inferfleet:models`)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ..core.spec import Name, SpecModel

MAX_CONTEXT = 16_777_216
"""Tokens: above the longest context any model offers (10M), below where token arithmetic gets silly."""


class Replicas(SpecModel):
    min: int = Field(1, ge=0, le=1000, description="Replicas that always run, 0 to 1000.")
    max: int = Field(6, ge=1, le=1000, description="Most replicas, 1 to 1000.")


class Mla(SpecModel):
    kv_lora_rank: int = Field(..., ge=1, le=65536, description="kv_lora_rank in config.json (512 for DeepSeek-V3).")
    qk_rope_head_dim: int = Field(..., ge=0, le=4096, description="qk_rope_head_dim in config.json (64 for DeepSeek-V3).")


class SlidingWindow(SpecModel):
    window: int = Field(..., ge=1, le=MAX_CONTEXT, description="sliding_window in config.json.")
    layers: int = Field(..., ge=1, le=1024, description="How many layers use the window (layer_types in config.json).")


class ModelSize(SpecModel):
    """Architecture of a model outside the catalog, from its config.json."""

    # Upper bounds well above any published model (the largest have ~2 TB of bf16 weights, 126 layers,
    # 128 KV heads, head_dim 256, 10M tokens of context), so sizing arithmetic stays finite and exact.
    weights_gb: float = Field(..., gt=0, le=10_000, description="Weights in GB at the precision served, up to 10000.")
    layers: int = Field(..., ge=1, le=1024, description="Transformer layers (num_hidden_layers in config.json).")
    attention_heads: int | None = Field(None, ge=1, le=4096, description="Query heads (num_attention_heads); TP must divide them.")
    kv_heads: int = Field(..., ge=1, le=1024, description="KV heads (num_key_value_heads in config.json).")
    head_dim: int = Field(..., ge=1, le=4096, description="Size of one attention head (head_dim in config.json).")
    mla: Mla | None = Field(None, description="Multi-head latent attention, e.g. {kvLoraRank: 512, qkRopeHeadDim: 64}.")
    sliding_window: SlidingWindow | None = Field(None, description="Sliding-window layers, e.g. {window: 1024, layers: 52}.")
    context: int = Field(8192, ge=256, le=MAX_CONTEXT, description="Longest context the model supports (max_position_embeddings).")


class Vllm(SpecModel):
    gpu_memory_utilization: float | None = Field(
        # vLLM takes (0, 1] (vllm-project/vllm vllm/config/cache.py CacheConfig.gpu_memory_utilization:
        # Field(default=0.9, gt=0, le=1), read through code search, not at the pinned v0.33.0: the repository
        # is too large to fetch here); no floor above 0, since 0.92 / 16 clients of a shared GPU is 0.05.
        None, gt=0, le=0.98, description="Default 0.92, divided by the clients on a shared GPU."
    )
    max_num_seqs: int = Field(256, ge=1, le=4096, description="Most sequences vLLM batches at once.")
    prefix_caching: bool = Field(True, description="Reuse the KV cache of shared prompt prefixes.")
    extra_args: tuple[str, ...] = Field((), description="Further `vllm serve` flags, checked against the pinned vLLM.")


class Weights(SpecModel):
    """Where the pods read the checkpoint: downloaded from the hub per replica, a shared volume or a bucket."""

    source: Literal["hub", "pvc", "gcs", "s3"] = Field(
        "hub",
        description="hub (each replica downloads), pvc (a pre-staged shared claim), gcs (GKE, GCS FUSE) or s3 (EKS, Mountpoint for S3).",
    )
    claim: Name | None = Field(
        None, description="For source pvc: a ReadWriteMany claim in the model's namespace holding the Hugging Face hub cache."
    )
    # Bucket names: GCS and S3 both take 3-63 lowercase letters, digits, '-', '.' and GCS also '_'
    # (cloud.google.com/storage/docs/buckets#naming; docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html).
    bucket: str | None = Field(
        None, pattern=r"^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$",
        description="For source gcs or s3: the bucket holding the Hugging Face hub cache (its models--org--name folders), no gs:// or s3://.",
    )
    prefix: str | None = Field(
        None, pattern=r"^[A-Za-z0-9!_.*'()-]+(/[A-Za-z0-9!_.*'()-]+)*$",
        description="For source gcs or s3: the folder in the bucket that is the hub cache, without slashes at either end.",
    )


class Canary(SpecModel):
    """A new version of the model beside the stable one, taking a share of the traffic (KServe InferenceService)."""

    revision: str = Field(
        ..., pattern=r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,99}$", description="The Hugging Face revision (commit or branch) the canary serves."
    )
    traffic_percent: int = Field(..., ge=1, le=99, description="Share of requests for the canary, 1 to 99.")


class Kserve(SpecModel):
    api: Literal["llmInferenceService", "inferenceService"] = Field(
        "llmInferenceService",
        description="llmInferenceService (v1alpha2, inferfleet's checked vLLM pod) or inferenceService (v1beta1, the Hugging Face runtime).",
    )
    canary: Canary | None = Field(None, description="inferenceService only: a canary version, e.g. {revision: <sha>, trafficPercent: 10}.")


class ModelSpec(SpecModel):
    model: str = Field(..., pattern=r"^[\w.-]+/[\w.-]+$", description="a Hugging Face repo id, org/name, e.g. Qwen/Qwen3-8B")
    pool: Name = Field(..., description="GPU node pool the model runs on.")
    gpus: int | None = Field(
        None, ge=1, le=16, description="GPUs per replica (tensor-parallel size); default the fewest that fit and divide a node."
    )
    mode: Literal["vllm", "kserve"] = Field(
        "vllm", description="vllm (a Deployment, or a LeaderWorkerSet across nodes) or kserve (a KServe LLMInferenceService)."
    )
    nodes: int | None = Field(
        None, ge=1, le=64,
        description="Nodes per replica (pipeline-parallel stages of a whole node each, a LeaderWorkerSet when > 1); default 1.",
    )
    replicas: Replicas = Field(Replicas(), description="Replica range, e.g. {min: 1, max: 6}.")
    namespace: Name = Field("inference", description="Namespace of the model service.")
    max_model_len: int | None = Field(None, ge=256, le=MAX_CONTEXT, description="Context per request; default min(8192, model's).")
    precision: Literal["native", "bf16", "fp8"] = Field(
        "native", description="Weights: native (the checkpoint's), bf16, or fp8 (bf16 quantised online)."
    )
    kv_cache_dtype: Literal["auto", "fp8"] = Field("auto", description="KV cache dtype: auto or fp8.")
    vllm: Vllm = Field(Vllm(), description="vLLM engine settings.")
    kserve: Kserve = Field(Kserve(), description="mode kserve: which KServe API, and a canary, e.g. {api: inferenceService}.")
    size: ModelSize | None = Field(None, description="Required for a model outside the catalog unless `unchecked`.")
    unchecked: bool = Field(False, description="Serve a model outside the catalog without sizing it (needs gpus and maxModelLen).")
    average_request_tokens: int | None = Field(
        None, ge=1, description="Prompt plus output tokens of a typical request, for the plan's concurrency; default min(2048, maxModelLen)."
    )
    gated: bool | None = Field(None, description="Needs a Hugging Face token; default from the catalog.")
    weights: Weights = Field(Weights(), description="Where the weights come from, e.g. {source: pvc, claim: llama-weights}.")
    longest_request_seconds: int = Field(
        300, ge=1, le=3600, description="Longest request to finish on shutdown; vLLM drains this long before it stops."
    )
    allow_surge: bool = Field(
        False, description="Start a new replica before stopping an old one on rollout (needs a spare GPU node and quota)."
    )
