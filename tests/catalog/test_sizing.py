"""Memory fit, checked against the KV budgets in shared/reference/vllm.md (util 0.92, ~3 GiB overhead)."""

from __future__ import annotations

import pytest

from components.catalog.gpus import GPUS
from components.catalog.models import MODELS, PRECISION_BYTES
from components.catalog.sizing import Architecture, fit, kv_bytes_per_token


def arch(model: str, precision: str) -> Architecture:
    info = MODELS[model]
    return Architecture(info.layers, info.kv_heads, info.head_dim, info.weights_gb[precision])


LLAMA_8B = "meta-llama/Llama-3.1-8B-Instruct"
LLAMA_70B = "meta-llama/Llama-3.1-70B-Instruct"


@pytest.mark.parametrize(
    ("model", "precision", "gpu", "tp", "budget_all_gpus", "tokens"),
    [
        (LLAMA_8B, "bf16", "L4", 1, 2.7, 22_000),
        (LLAMA_8B, "bf16", "L40S", 1, 23, 188_000),
        (LLAMA_8B, "bf16", "H100-80GB", 1, 55, 450_000),
        (LLAMA_70B, "fp8", "H200-141GB", 1, 60, 198_000),
        (LLAMA_70B, "fp8", "H100-80GB", 2, 75, 245_000),
        (LLAMA_70B, "bf16", "H100-80GB", 4, 149, 490_000),
        (LLAMA_70B, "bf16", "A100-40GB", 8, 139, 455_000),
    ],
    ids=["8b-l4", "8b-l40s", "8b-h100", "70b-fp8-h200", "70b-fp8-tp2-h100", "70b-tp4-h100", "70b-tp8-a100-40"],
)
def test_kv_budget_matches_the_reference_table(model, precision, gpu, tp, budget_all_gpus, tokens) -> None:
    result = fit(arch(model, precision), device_gib=GPUS[gpu].usable_gib, tp=tp, utilization=0.92, max_model_len=8192,
                 kv_bytes=PRECISION_BYTES["bf16"])
    assert result.kv_budget_gib * tp == pytest.approx(budget_all_gpus, rel=0.03)
    assert result.kv_tokens == pytest.approx(tokens, rel=0.03)


@pytest.mark.parametrize(
    ("model", "kib"),
    [(LLAMA_8B, 128), (LLAMA_70B, 320), ("Qwen/Qwen3-8B", 144), ("Qwen/Qwen3-32B", 256), ("Qwen/Qwen3-235B-A22B", 188)],
)
def test_kv_per_token_matches_the_reference_table(model: str, kib: int) -> None:
    assert kv_bytes_per_token(arch(model, "bf16"), tp=1, kv_bytes=2) == kib * 1024


def test_tensor_parallelism_splits_kv_heads_until_they_run_out() -> None:
    a = arch(LLAMA_70B, "bf16")  # 8 KV heads
    assert kv_bytes_per_token(a, tp=4, kv_bytes=2) == 320 * 1024 // 4
    assert kv_bytes_per_token(a, tp=8, kv_bytes=2) == kv_bytes_per_token(a, tp=16, kv_bytes=2)


def test_fp8_kv_cache_halves_the_bytes_per_token() -> None:
    a = arch(LLAMA_8B, "bf16")
    assert kv_bytes_per_token(a, tp=1, kv_bytes=1) * 2 == kv_bytes_per_token(a, tp=1, kv_bytes=2)


def test_a_model_fits_only_when_one_full_length_sequence_fits() -> None:
    a = arch(LLAMA_8B, "bf16")
    l4 = GPUS["L4"].usable_gib
    roomy = fit(a, device_gib=l4, tp=1, utilization=0.92, max_model_len=8192, kv_bytes=2)
    tight = fit(a, device_gib=l4, tp=1, utilization=0.92, max_model_len=roomy.kv_tokens + 1, kv_bytes=2)
    assert roomy.fits and roomy.full_length_sequences >= 2
    assert not tight.fits
