"""Memory fit of a model on a GPU (or MIG slice), the way vLLM budgets it.

vLLM takes `gpu_memory_utilization` of the device, loads its shard of the weights, keeps room
for activations and CUDA graphs, and gives the rest to the KV cache. A replica is only useful
if that cache holds at least one sequence of `max_model_len` tokens.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

GIB = 1024**3
OVERHEAD_GIB = 3.0
"""Activations, CUDA graphs and non-torch memory per GPU (reference/vllm.md: ~3 GiB)."""
DISK_HEADROOM_GB = 30
"""Boot disk kept for the OS, container images and logs."""


@dataclass(frozen=True)
class Architecture:
    layers: int
    kv_heads: int
    head_dim: int
    weights_gb: float


@dataclass(frozen=True)
class Fit:
    weights_gib_per_gpu: float
    kv_budget_gib: float
    kv_bytes_per_token: int
    """KV bytes per token on one GPU (heads split across TP up to the KV head count)."""
    kv_tokens: int
    max_model_len: int

    @property
    def fits(self) -> bool:
        return self.kv_tokens >= self.max_model_len

    @property
    def full_length_sequences(self) -> int:
        return self.kv_tokens // self.max_model_len if self.max_model_len else 0


def kv_bytes_per_token(arch: Architecture, tp: int, kv_bytes: float) -> int:
    shards = min(tp, arch.kv_heads)
    return math.ceil(2 * arch.layers * (arch.kv_heads / shards) * arch.head_dim * kv_bytes)


def fit(arch: Architecture, *, device_gib: float, tp: int, utilization: float, max_model_len: int, kv_bytes: float) -> Fit:
    weights = arch.weights_gb * 1e9 / GIB / tp
    budget = device_gib * utilization - weights - OVERHEAD_GIB
    per_token = kv_bytes_per_token(arch, tp, kv_bytes)
    tokens = max(0, int(budget * GIB // per_token))
    return Fit(round(weights, 2), round(budget, 2), per_token, tokens, max_model_len)


def disk_gb_for_weights(weights_gb: float) -> int:
    """Local disk one replica needs to download and hold its weights (10% for shards in flight)."""
    return math.ceil(weights_gb * 1.1) + 5
