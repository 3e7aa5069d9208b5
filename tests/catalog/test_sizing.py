"""Memory fit, checked against published figures and an independent calculation.

Sources: shared/reference/vllm.md (KV per token and KV budgets at util 0.92, ~3 GiB overhead);
the research brief's table (/tmp/research/issue-11.md section 4, computed with a separate script
from the formulas of vllm@v0.33.0 vllm/v1/kv_cache_interface.py:586-601,918-958 and
vllm/config/model.py:1673-1683); measured vLLM logs in vllm-project/vllm#6746 and #21348.
"""

from __future__ import annotations

import pytest

from components.catalog.gpus import GPUS
from components.catalog.models import MODELS, PRECISION_BYTES
from components.catalog.sizing import Architecture, default_batched_tokens, fit, kv_bytes_per_token, tp_problem


def arch(model: str, precision: str = "native") -> Architecture:
    return MODELS[model].architecture(precision)


LLAMA_8B = "meta-llama/Llama-3.1-8B-Instruct"
LLAMA_70B = "meta-llama/Llama-3.1-70B-Instruct"
USABLE = {name: g.usable_gib for name, g in GPUS.items()} | {"1g.10gb": 9.75, "3g.40gb": 39.5}
"""GiB vLLM can budget per device: the GPU catalog's, and the MIG slice sizes the brief's table assumed."""


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
    """shared/reference/vllm.md, "KV budgets" table."""
    result = fit(arch(model, precision), device_gib=GPUS[gpu].usable_gib, tp=tp, utilization=0.92, max_model_len=8192,
                 kv_bytes=PRECISION_BYTES["bf16"])
    assert result.kv_budget_gib * tp == pytest.approx(budget_all_gpus, rel=0.03)
    assert result.kv_tokens == pytest.approx(tokens, rel=0.03)


# (model, precision, device, TP, PP, maxModelLen, fits, weights GiB/GPU, KV budget GiB/GPU, KV tokens, source)
CASES = [
    (LLAMA_8B, "native", "L4", 1, 1, 8192, True, 14.96, 2.74, 22470, "vllm.md: ~22k tokens on one L4; brief row 1"),
    (LLAMA_8B, "native", "L4", 1, 1, 32768, False, 14.96, 2.74, 22470, "brief row 2: 32k tokens need more than the 22k that fit"),
    (LLAMA_8B, "native", "H100-80GB", 1, 1, 131072, True, 14.96, 55.27, 452812, "vllm.md: ~450k on one H100; brief row 3"),
    (LLAMA_70B, "native", "H100-80GB", 1, 1, 8192, False, 131.32, -61.06, 0, "brief row 4: 141 GB of weights on one 80 GB GPU"),
    (LLAMA_70B, "native", "H100-80GB", 2, 1, 8192, True, 65.66, 4.57, 29669, "brief row 5"),
    (LLAMA_70B, "fp8", "H100-80GB", 1, 1, 8192, True, 65.66, 4.57, 14682, "brief row 6: FP8 weights (half of 141 GB)"),
    (LLAMA_70B, "native", "A100-80GB", 4, 1, 8192, True, 32.83, 37.77, 494765, "brief row 7: the blog's TP 4 on A100-80GB"),
    (LLAMA_70B, "fp8", "H100-80GB", 2, 1, 32768, True, 32.83, 37.40, 244818, "vllm.md: ~245k at FP8 TP 2 on H100; brief row 8"),
    (LLAMA_70B, "native", "A100-40GB", 8, 1, 8192, True, 16.41, 17.39, 455443, "vllm.md: ~455k at TP 8 on A100-40GB; brief row 9"),
    ("meta-llama/Llama-3.1-405B-Instruct-FP8", "native", "H100-80GB", 8, 1, 131072, True, 57.74, 12.48, 207717,
     "vllm#6746: 57.75 GiB of weights per GPU at TP 8; brief row 10"),
    ("meta-llama/Llama-3.1-405B-Instruct", "native", "H100-80GB", 8, 1, 8192, False, 94.53, -24.30, 0, "brief row 11: 812 GB over 8 GPUs"),
    ("meta-llama/Llama-3.1-405B-Instruct", "native", "H100-80GB", 8, 2, 32768, True, 47.26, 22.97, 764541,
     "brief row 12: two nodes, pipeline parallel 2"),
    ("Qwen/Qwen3-8B", "native", "3g.40gb", 1, 1, 40960, True, 15.27, 18.07, 131554, "brief row 13: a MIG 3g.40gb slice"),
    ("Qwen/Qwen3-8B", "native", "1g.10gb", 1, 1, 8192, False, 15.27, -9.30, 0, "brief row 14: a MIG slice too small"),
    ("Qwen/Qwen3-32B", "native", "L40S", 2, 1, 40960, True, 30.55, 7.39, 60560, "brief row 15"),
    ("Qwen/Qwen3-235B-A22B", "native", "H100-80GB", 8, 1, 40960, True, 54.72, 15.52, 346181,
     "brief row 16: TP 8 over 4 KV heads replicates them"),
    ("Qwen/Qwen2.5-7B-Instruct", "native", "L4", 4, 1, 32768, True, 3.54, 14.16, 1060632, "brief row 17"),
    ("Qwen/Qwen2.5-72B-Instruct", "native", "H100-80GB", 4, 1, 32768, True, 33.76, 36.47, 478039, "brief row 18"),
    ("mistralai/Mistral-7B-Instruct-v0.3", "native", "L4", 1, 1, 32768, True, 13.50, 4.20, 34372, "brief row 19"),
    ("mistralai/Mixtral-8x7B-Instruct-v0.1", "native", "H100-80GB", 2, 1, 32768, True, 43.49, 26.74, 438095, "brief row 20"),
    ("openai/gpt-oss-120b", "native", "H100-80GB", 1, 1, 131072, True, 60.82, 9.42, 243566,
     "gpt-oss README: one 80 GB GPU; brief row 21 (18 sliding layers of 128 tokens)"),
    ("openai/gpt-oss-20b", "native", "L4", 1, 1, 32768, True, 12.85, 4.85, 187535, "gpt-oss README: within 16 GB; brief row 22"),
    ("deepseek-ai/DeepSeek-V3", "native", "H100-80GB", 8, 1, 8192, False, 80.21, -9.98, 0, "brief row 23: FP8 weights exceed 8 x H100"),
    ("deepseek-ai/DeepSeek-V3", "native", "H200-141GB", 8, 1, 131072, True, 80.21, 45.96, 702937,
     "brief row 24: MLA 70,272 B/token, not split by TP"),
    ("google/gemma-3-27b-it", "native", "H100-80GB", 1, 1, 131072, True, 51.13, 19.10, 148042,
     "brief row 25: fits only because 52 of 62 layers slide over 1024 tokens"),
    ("microsoft/phi-4", "native", "L4", 1, 1, 16384, False, 27.29, -9.59, 0, "brief row 26: 29.3 GB on a 24 GB GPU"),
    ("microsoft/phi-4", "fp8", "L4", 1, 1, 16384, True, 13.64, 4.06, 21021, "brief row 27"),
]


@pytest.mark.parametrize(
    ("model", "precision", "device", "tp", "pp", "context", "fits", "weights", "budget", "tokens", "source"),
    CASES,
    ids=[f"{c[0].split('/')[1]}-{c[1]}-{c[2]}-tp{c[3]}-pp{c[4]}-{c[5]}" for c in CASES],
)
def test_fit_verdict_and_kv_tokens(model, precision, device, tp, pp, context, fits, weights, budget, tokens, source) -> None:
    gpu = device if device in GPUS else "A100-80GB"
    result = fit(arch(model, precision), device_gib=USABLE[device], tp=tp, pp=pp, utilization=0.92, max_model_len=context,
                 kv_bytes=2, batched_tokens=default_batched_tokens(gpu, USABLE[device]))
    assert result.fits is fits, source
    assert result.weights_gib_per_gpu == pytest.approx(weights, rel=0.01), source
    assert result.kv_budget_gib == pytest.approx(budget, rel=0.05, abs=0.1), source
    assert result.kv_tokens == pytest.approx(tokens, rel=0.05), source


@pytest.mark.parametrize(
    ("model", "kib"),
    [(LLAMA_8B, 128), (LLAMA_70B, 320), ("Qwen/Qwen3-8B", 144), ("Qwen/Qwen3-32B", 256), ("Qwen/Qwen3-235B-A22B", 188),
     ("meta-llama/Llama-3.1-405B-Instruct", 504), ("deepseek-ai/DeepSeek-V3", 68.625)],
)
def test_kv_per_token_matches_the_published_figures(model: str, kib: float) -> None:
    """vllm.md's table (128 and 320 KiB are also the HF blog's 0.125 / 0.313 GB per 1k tokens);
    DeepSeek-V3: 61 layers x (512 + 64) x 2 bytes = 70,272 B (MLA)."""
    assert kv_bytes_per_token(arch(model), tp=1, kv_bytes=2) == kib * 1024


def test_kv_per_gpu_matches_a_measured_vllm_log() -> None:
    """vllm-project/vllm#21348: Qwen3-235B-A22B-FP8 at TP 4 on H100 logged "Available KV cache memory:
    8.11 GiB" and "GPU KV cache size: 178,880 tokens"; 4 KV heads over 4 GPUs leave one per GPU."""
    per_token = kv_bytes_per_token(arch("Qwen/Qwen3-235B-A22B"), tp=4, kv_bytes=2)
    assert per_token == 48128
    assert 8.11 * 2**30 / per_token == pytest.approx(178_880, rel=0.02)


def test_tensor_parallelism_splits_kv_heads_until_they_run_out() -> None:
    a = arch(LLAMA_70B)  # 8 KV heads
    assert kv_bytes_per_token(a, tp=4, kv_bytes=2) == 320 * 1024 // 4
    assert kv_bytes_per_token(a, tp=8, kv_bytes=2) == kv_bytes_per_token(a, tp=16, kv_bytes=2)


def test_mla_is_not_split_by_tensor_parallelism() -> None:
    a = arch("deepseek-ai/DeepSeek-V3")
    assert kv_bytes_per_token(a, tp=8, kv_bytes=2) == kv_bytes_per_token(a, tp=1, kv_bytes=2) == 70272


def test_sliding_layers_hold_only_their_window() -> None:
    """Without the window, Gemma 3 27B needs its full 62 layers x 128k tokens: no sequence fits one H100."""
    from dataclasses import replace

    gemma = arch("google/gemma-3-27b-it")
    args = dict(device_gib=USABLE["H100-80GB"], tp=1, utilization=0.92, max_model_len=131072, kv_bytes=2, batched_tokens=8192)
    assert fit(gemma, **args).fits
    assert not fit(replace(gemma, sliding=None), **args).fits


def test_fp8_kv_cache_halves_the_bytes_per_token() -> None:
    a = arch(LLAMA_8B)
    assert kv_bytes_per_token(a, tp=1, kv_bytes=1) * 2 == kv_bytes_per_token(a, tp=1, kv_bytes=2)


def test_a_model_fits_only_when_one_full_length_sequence_fits() -> None:
    a = arch(LLAMA_8B)
    l4 = GPUS["L4"].usable_gib
    roomy = fit(a, device_gib=l4, tp=1, utilization=0.92, max_model_len=8192, kv_bytes=2)
    tight = fit(a, device_gib=l4, tp=1, utilization=0.92, max_model_len=roomy.kv_tokens + 1, kv_bytes=2)
    assert roomy.fits and roomy.full_length_sequences >= 2
    assert not tight.fits


def test_concurrency_counts_requests_of_the_average_length() -> None:
    a = arch(LLAMA_8B)
    result = fit(a, device_gib=GPUS["H100-80GB"].usable_gib, tp=1, utilization=0.92, max_model_len=8192, kv_bytes=2, average_tokens=2048)
    assert result.concurrent == result.kv_tokens // 2048


@pytest.mark.parametrize(
    ("model", "tp", "problem"),
    [
        ("microsoft/phi-4", 4, "4 neither divides nor is a multiple of the model's 10 KV heads"),  # 40/10 heads
        ("Qwen/Qwen2.5-7B-Instruct", 8, "8 does not divide the model's 28 attention heads"),
        ("Qwen/Qwen3-235B-A22B", 8, None),  # 8 is a multiple of the 4 KV heads: replicated
        (LLAMA_70B, 8, None),
    ],
)
def test_tensor_parallelism_must_suit_the_heads(model: str, tp: int, problem: str | None) -> None:
    """vllm@v0.33.0 vllm/config/model.py:1557-1564 and model_executor/layers/linear.py:1066-1071."""
    assert tp_problem(arch(model), tp) == problem


def test_the_catalog_covers_the_widely_served_models() -> None:
    assert len(MODELS) >= 15
    assert MODELS["deepseek-ai/DeepSeek-V3"].mla is not None and MODELS["openai/gpt-oss-120b"].sliding is not None
    assert {m.dtype for m in MODELS.values()} == {"bf16", "fp8", "mxfp4"}


def test_allocatable_ephemeral_storage_follows_each_clouds_reservation() -> None:
    """GKE's "About GKE node sizing" page: a 100 GB boot disk leaves 47060071478 bytes allocatable;
    EKS AL2023: 10% eviction and 1 GiB reserved (amazon-eks-ami nodeadm kubelet config)."""
    from components.catalog.sizing import allocatable_ephemeral_gb

    assert allocatable_ephemeral_gb("gke", 100) == pytest.approx(47.06, abs=0.1)
    # The OS share of the disk follows kubernetes/autoscaler's reserved.go, which reproduces the one published point above.
    assert allocatable_ephemeral_gb("gke", 200) == pytest.approx(97.4 * 2**30 / 1e9, rel=0.01)
    assert allocatable_ephemeral_gb("eks", 500) == pytest.approx((500 * 0.9 - 1) * 2**30 / 1e9, rel=0.001)
    assert allocatable_ephemeral_gb("existing", 500) is None


GIB_ = 2**30


@pytest.mark.parametrize(
    ("cloud", "machine", "count", "expected_bytes"),
    [
        # GKE on N Local SSDs: 0.9 x (N x 375 GiB - cluster-autoscaler's measured COS overhead) - GKE's reserve.
        ("gke", "a2-ultragpu-1g", 1, 0.9 * (375 * GIB_ - 7289472 * 1024) - 50 * GIB_),
        ("gke", "a2-ultragpu-2g", 2, 0.9 * (750 * GIB_ - 13725224 * 1024) - 75 * GIB_),
        ("gke", "a2-ultragpu-8g", 8, 0.9 * (3000 * GIB_ - 51556096 * 1024) - 100 * GIB_),
        ("gke", "a3-highgpu-8g", 16, 0.9 * (6000 * GIB_ - 52837800 * 1024) - 100 * GIB_),
        # 32 disks: the 24-disk overhead scaled by 32/24.
        ("gke", "a3-ultragpu-8g", 32, 0.9 * (12000 * GIB_ - 78686620 * 1024 * 32 / 24) - 100 * GIB_),
        # EKS on the RAID0 of the instance store: nodeadm's 10% eviction and 1 GiB, after 1% for XFS.
        ("eks", "p4d.24xlarge", 8, 0.9 * 8000e9 * 0.99 - GIB_),
        ("eks", "p5.48xlarge", 8, 0.9 * 30720e9 * 0.99 - GIB_),
    ],
)
def test_ephemeral_storage_on_local_nvme_ignores_the_boot_disk(cloud: str, machine: str, count: int, expected_bytes: float) -> None:
    from components.catalog.gpus import local_disks
    from components.catalog.sizing import ephemeral_bytes

    local = local_disks(machine)
    assert local is not None and local.count == count
    assert ephemeral_bytes(cloud, 100, local) == int(expected_bytes)
    assert ephemeral_bytes(cloud, 100, local) == ephemeral_bytes(cloud, 2000, local), "the boot disk holds none of it"
    assert ephemeral_bytes(cloud, 100, local) > ephemeral_bytes(cloud, 100)  # type: ignore[operator]
