"""The model catalog: architecture facts vLLM sizing needs, for models people commonly serve.

Numbers from shared/reference/vllm.md (layers, KV heads, head size, weights per precision).
A model outside the catalog is described in the stack with `size`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

PRECISION_BYTES: Mapping[str, float] = {"bf16": 2.0, "fp8": 1.0}


@dataclass(frozen=True)
class ModelInfo:
    """What sizing needs to know about a model's weights and KV cache."""

    id: str
    layers: int
    kv_heads: int
    head_dim: int
    weights_gb: Mapping[str, float]
    """Weights in GB (1e9 bytes) per precision."""
    context: int
    """Longest context the model supports."""
    gated: bool
    """Hugging Face requires an accepted licence and a token to download it."""


def _llama(id_: str, layers: int, bf16: float, fp8: float) -> ModelInfo:
    return ModelInfo(id_, layers, 8, 128, {"bf16": bf16, "fp8": fp8}, 131072, gated=True)


MODELS: Mapping[str, ModelInfo] = {
    m.id: m
    for m in (
        _llama("meta-llama/Llama-3.1-8B-Instruct", 32, 16.1, 8.0),
        _llama("meta-llama/Llama-3.1-70B-Instruct", 80, 141.0, 70.6),
        _llama("meta-llama/Llama-3.3-70B-Instruct", 80, 141.0, 70.6),
        _llama("meta-llama/Llama-3.1-405B-Instruct", 126, 812.0, 406.0),
        ModelInfo("mistralai/Mistral-7B-Instruct-v0.3", 32, 8, 128, {"bf16": 14.5, "fp8": 7.2}, 32768, gated=True),
        ModelInfo("Qwen/Qwen2.5-72B-Instruct", 80, 8, 128, {"bf16": 145.0, "fp8": 72.7}, 32768, gated=False),
        ModelInfo("Qwen/Qwen3-8B", 36, 8, 128, {"bf16": 16.4, "fp8": 8.2}, 40960, gated=False),
        ModelInfo("Qwen/Qwen3-32B", 64, 8, 128, {"bf16": 65.6, "fp8": 32.8}, 40960, gated=False),
        ModelInfo("Qwen/Qwen3-235B-A22B", 94, 4, 128, {"bf16": 470.0, "fp8": 235.0}, 40960, gated=False),
    )
}
