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


class ModelSize(SpecModel):
    """Architecture of a model outside the catalog."""

    # Upper bounds well above any published model (the largest have ~2 TB of bf16 weights, 126 layers,
    # 128 KV heads, head_dim 256, 10M tokens of context), so sizing arithmetic stays finite and exact.
    weights_gb: float = Field(..., gt=0, le=10_000, description="Weights in GB at the chosen precision, up to 10000.")
    layers: int = Field(..., ge=1, le=1024, description="Transformer layers (num_hidden_layers in config.json).")
    kv_heads: int = Field(..., ge=1, le=1024, description="KV heads (num_key_value_heads in config.json).")
    head_dim: int = Field(..., ge=1, le=4096, description="Size of one attention head (head_dim in config.json).")
    context: int = Field(8192, ge=256, le=MAX_CONTEXT, description="Longest context the model supports.")


class Vllm(SpecModel):
    gpu_memory_utilization: float | None = Field(
        # vLLM takes (0, 1] (vllm-project/vllm vllm/config/cache.py CacheConfig.gpu_memory_utilization:
        # Field(default=0.9, gt=0, le=1), read through code search, not at the pinned v0.33.0: the repository
        # is too large to fetch here); no floor above 0, since 0.92 / 16 clients of a shared GPU is 0.05.
        None, gt=0, le=0.98, description="Default 0.92, divided by the clients on a shared GPU."
    )
    max_num_seqs: int = Field(256, ge=1, le=4096, description="Most sequences vLLM batches at once.")
    prefix_caching: bool = Field(True, description="Reuse the KV cache of shared prompt prefixes.")
    extra_args: tuple[str, ...] = Field((), description="Further vLLM flags, passed as written.")


class ModelSpec(SpecModel):
    model: str = Field(..., pattern=r"^[\w.-]+/[\w.-]+$", description="a Hugging Face repo id, org/name, e.g. Qwen/Qwen3-8B")
    pool: Name = Field(..., description="GPU node pool the model runs on.")
    gpus: int = Field(1, ge=1, le=16, description="GPUs per replica (tensor-parallel size).")
    replicas: Replicas = Field(Replicas(), description="Replica range, e.g. {min: 1, max: 6}.")
    namespace: Name = Field("inference", description="Namespace of the model service.")
    max_model_len: int | None = Field(None, ge=256, le=MAX_CONTEXT, description="Context per request; default min(8192, model's).")
    precision: Literal["bf16", "fp8"] = Field("bf16", description="Weights precision: bf16 or fp8.")
    kv_cache_dtype: Literal["auto", "fp8"] = Field("auto", description="KV cache dtype: auto or fp8.")
    vllm: Vllm = Field(Vllm(), description="vLLM engine settings.")
    size: ModelSize | None = Field(None, description="Required for a model outside the catalog.")
    gated: bool | None = Field(None, description="Needs a Hugging Face token; default from the catalog.")
