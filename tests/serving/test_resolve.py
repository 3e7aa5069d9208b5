"""The serving resolver: tensor parallelism chosen when not given, sizing errors with numbers and
the smallest fix, the checks of issue 11 (heads, context, MIG slices, unchecked models)."""

from __future__ import annotations

from typing import Any

import pytest

from components.core.problems import ConfigError
from stacks.plan.cli import main

from ..conftest import GKE, config, resolved, write_stack

H100_1 = {"h100": {"gpu": "H100-80GB", "gpusPerNode": 1, "nodes": {"min": 0, "max": 2}, "diskSizeGb": 300}}
H100_8 = {"h100": {"gpu": "H100-80GB", "gpusPerNode": 8, "nodes": {"min": 0, "max": 2}, "diskSizeGb": 1200}}


def stack(pools: dict[str, Any], **model: Any) -> dict[str, Any]:
    return config(GKE, hfToken="hf_test", nodePools=pools, models={"m": {"pool": next(iter(pools)), **model}})


def problems(values: dict[str, Any]) -> list[str]:
    with pytest.raises(ConfigError) as error:
        resolved(values)
    return [p.line() for p in error.value.problems]


def test_llama_70b_bf16_on_one_h100_exits_2_with_the_numbers_and_the_smallest_fix(tmp_path, capsys) -> None:
    """141 GB of BF16 weights is 131.32 GiB; one H100 gives vLLM 0.92 x 79.6 = 73.23 GiB. Keeping
    the hardware, FP8 weights (65.66 GiB) fit; otherwise two GPUs per node at TP 2 (brief rows 4-6)."""
    values = {**stack(H100_1, model="meta-llama/Llama-3.1-70B-Instruct"), "hfToken": {"secure": "v1:placeholder"}}
    status = main(["plan", str(write_stack(tmp_path, values))])
    err = capsys.readouterr().err.splitlines()
    assert status == 2
    assert err[1:] == [
        "inferfleet:models.m.gpus: meta-llama/Llama-3.1-70B-Instruct (bf16) needs 131.32 GiB of weights per GPU at gpus: 1, "
        "but one H100-80GB gives vLLM 73.23 GiB (0.92 x 79.6 GiB, less 3 GiB for activations); valid: precision: fp8, "
        "or nodePools.h100.gpusPerNode: 2 with gpus: 2, or nodePools.h100.gpu: B200 with gpusPerNode: 8"
    ]


def test_tensor_parallelism_is_the_fewest_gpus_that_fit_and_divide_the_node() -> None:
    chosen = {
        model: resolved(stack(H100_8, model=model)).serving.models[0].tensor_parallel
        for model in ("Qwen/Qwen3-8B", "meta-llama/Llama-3.1-70B-Instruct", "Qwen/Qwen3-235B-A22B", "microsoft/phi-4")
    }
    # 70B BF16: 131 GiB; two H100s hold it. 235B: 438 GiB; 8 x 73 GiB. Phi-4: 1 fits.
    assert chosen == {"Qwen/Qwen3-8B": 1, "meta-llama/Llama-3.1-70B-Instruct": 2, "Qwen/Qwen3-235B-A22B": 8, "microsoft/phi-4": 1}


def test_no_gpu_count_on_the_node_fits_names_the_most_tried() -> None:
    assert problems(stack(H100_8, model="meta-llama/Llama-3.1-405B-Instruct")) == [
        "inferfleet:models.m.gpus: meta-llama/Llama-3.1-405B-Instruct (bf16) needs 94.53 GiB of weights per GPU at gpus: 8, "
        "the most a a3-highgpu-8g node allows, but one H100-80GB gives vLLM 73.23 GiB (0.92 x 79.6 GiB, less 3 GiB for "
        "activations); valid: precision: fp8 with gpus: 8, or nodes: 2, or nodePools.h100.gpu: H200-141GB"
    ]


def test_more_gpus_than_kv_heads_is_a_warning_not_an_error() -> None:
    values = resolved(stack(H100_8, model="Qwen/Qwen3-235B-A22B")).serving
    assert values.warnings == (
        "models.m: 8 GPUs exceed the model's 4 KV heads, so vLLM replicates each KV head on 2 GPUs; "
        "KV per token per GPU stays 47.0 KiB (bf16) instead of shrinking with more GPUs",
    )
    assert resolved(stack(H100_8, model="meta-llama/Llama-3.1-70B-Instruct", gpus=8)).serving.warnings == ()


def test_tensor_parallelism_must_divide_the_attention_heads() -> None:
    assert problems(stack(H100_8, model="microsoft/phi-4", gpus=4)) == [
        "inferfleet:models.m.gpus: 4 neither divides nor is a multiple of the model's 10 KV heads; valid on pool h100: 1, 2"
    ]


def test_a_context_longer_than_the_model_is_an_error() -> None:
    assert problems(stack(H100_1, model="Qwen/Qwen3-8B", maxModelLen=65536)) == [
        "inferfleet:models.m.maxModelLen: 65536 is longer than the model's context of 40960; valid: <= 40960"
    ]


def test_a_mig_slice_too_small_names_the_slice_that_fits() -> None:
    pools = {"mig": {"gpu": "A100-80GB", "mig": "1g.10gb", "nodes": {"min": 0, "max": 2}}}
    assert problems(stack(pools, model="Qwen/Qwen3-8B")) == [
        "inferfleet:models.m.gpus: Qwen/Qwen3-8B (bf16) needs 15.27 GiB of weights per GPU at gpus: 1, but one A100-80GB "
        "1g.10gb slice gives vLLM 8.74 GiB (0.92 x 9.5 GiB, less 3 GiB for activations); valid: nodePools.mig.mig: 3g.40gb"
    ]


def test_a_checkpoint_is_served_at_its_own_precision() -> None:
    assert problems(stack(H100_8, model="openai/gpt-oss-120b", precision="bf16")) == [
        "inferfleet:models.m.precision: openai/gpt-oss-120b ships mxfp4 weights only; valid: native"
    ]
    h200 = {"h200": {"gpu": "H200-141GB", "gpusPerNode": 8, "nodes": {"min": 0, "max": 1}, "diskSizeGb": 2000}}
    model = resolved(stack(h200, model="deepseek-ai/DeepSeek-V3", precision="fp8")).serving.models[0]
    # The FP8 checkpoint declares its own quantization: no --quantization flag; MLA is not split by TP.
    assert model.quantization is None and model.tensor_parallel == 8 and model.fit is not None
    assert model.fit.kv_bytes_per_token == 70272


def test_fp8_of_a_bf16_checkpoint_quantises_online() -> None:
    model = resolved(stack(H100_1, model="meta-llama/Llama-3.1-70B-Instruct", precision="fp8")).serving.models[0]
    assert model.quantization == "fp8" and model.fit is not None and model.fit.weights_gib_per_gpu == 65.66


def test_a_model_outside_the_catalog_is_described_or_explicitly_unchecked() -> None:
    described = resolved(stack(H100_1, model="acme/latent-7b", size={
        "weightsGb": 14, "layers": 30, "kvHeads": 32, "headDim": 128, "mla": {"kvLoraRank": 512, "qkRopeHeadDim": 64}}))
    fit = described.serving.models[0].fit
    assert fit is not None and fit.kv_bytes_per_token == 30 * 576 * 2
    assert problems(stack(H100_1, model="acme/foo-7b", unchecked=True)) == [
        "inferfleet:models.m.gpus: an unchecked model is not sized, so gpus and maxModelLen must be set; valid: e.g. gpus: 1, maxModelLen: 8192"
    ]
    unchecked = resolved(stack(H100_1, model="acme/foo-7b", unchecked=True, gpus=1, maxModelLen=4096)).serving.models[0]
    assert unchecked.fit is None and unchecked.max_model_len == 4096
    assert unchecked.budget.load_seconds == 3600  # nothing known of its size: the default hour
    assert unchecked.summary()[1].startswith("unchecked: not sized")


def test_the_summary_states_gpus_weights_kv_concurrency_and_cost() -> None:
    model = resolved(stack(H100_8, model="meta-llama/Llama-3.1-70B-Instruct", gpus=4, replicas={"min": 1, "max": 2})).serving.models[0]
    assert model.summary() == [
        "meta-llama/Llama-3.1-70B-Instruct in inference: 1-2 replicas of 4 x H100-80GB on pool h100",
        "weights 32.83 GiB/GPU, KV cache 37.4 GiB/GPU = 490,247 tokens: 59 request(s) of 8,192 tokens, or 239 at 2,048 tokens",
        "each replica start downloads 141 GB of weights from the Hugging Face hub into its own disk, about $5.91 of NAT processing",
        "one replica without surge: the model is down while each rollout replaces it (allowSurge or replicas.min >= 2)",
        "$32,299/month per replica (730 h at list price), $32,299-$64,598/month for 1-2",
    ]


def test_one_model_is_served_once_per_namespace() -> None:
    values = config(GKE, nodePools={"l4": {"gpu": "L4", "nodes": {"max": 4}}}, models={
        "a": {"model": "Qwen/Qwen3-8B", "pool": "l4"}, "b": {"model": "Qwen/Qwen3-8B", "pool": "l4"},
        "c": {"model": "Qwen/Qwen3-8B", "pool": "l4", "namespace": "tools"}})
    assert problems(values) == [
        "inferfleet:models.b.model: Qwen/Qwen3-8B is already served in namespace inference by models.a; "
        "valid: one model service per model and namespace (raise its replicas, or use another namespace)"
    ]


def test_the_summary_states_what_each_replica_downloads_and_nat_charges() -> None:
    model = resolved(stack(H100_8, model="meta-llama/Llama-3.1-70B-Instruct", gpus=4)).serving.models[0]
    # Cloud NAT: $0.045 per GiB; 141 GB is 131.3 GiB.
    assert ("each replica start downloads 141 GB of weights from the Hugging Face hub into its own disk, "
            "about $5.91 of NAT processing") in model.summary()


def test_the_weights_must_fit_what_the_cloud_leaves_pods_of_the_boot_disk() -> None:
    """Audit finding 7: a 70B FP8 replica (161 GB with room for shards in flight) on GKE's default
    200 GB disk passed the old disk - 30 GB check but is unschedulable: GKE leaves ~100 GB.
    (g2 machines have no bundled Local SSD, so the boot disk holds the weights.)"""
    pool = {"l4": {"gpu": "L4", "gpusPerNode": 4, "nodes": {"min": 0, "max": 2}, "diskSizeGb": 200}}
    assert problems(stack(pool, model="meta-llama/Llama-3.1-70B-Instruct", precision="fp8")) == [
        "inferfleet:nodePools.l4.diskSizeGb: a 200 GB boot disk leaves pods 104.5 GB of ephemeral storage on GKE, "
        "less than the 161 GB of model weights its replicas download per node; valid: >= 287, or fewer replicas per node"
    ]


def test_on_local_ssd_the_boot_disk_does_not_hold_the_weights() -> None:
    """a3-highgpu-1g comes with 2 x 375 GiB Local SSD, which the cloud layer makes the ephemeral storage:
    the same 161 GB replica fits beside a 200 GB boot disk (it would not on the boot disk, see above)."""
    pool = {"h100": {**H100_1["h100"], "diskSizeGb": 200}}
    model = resolved(stack(pool, model="meta-llama/Llama-3.1-70B-Instruct", precision="fp8")).serving.models[0]
    assert model.ephemeral_storage == "161G"


def test_the_plan_summary_prints_the_serving_warnings(plan_of) -> None:
    from stacks.plan import summary

    plan = plan_of({**stack(H100_8, model="Qwen/Qwen3-235B-A22B"), "hfToken": {"secure": "v1:placeholder"}})
    assert "warning: models.m: 8 GPUs exceed the model's 4 KV heads" in summary.summary(plan)


@pytest.mark.parametrize(("download_gb", "expected"), [
    (5000, []),
    # Past what the 16 Local SSDs of an a3-highgpu-8g leave pods, no boot disk is the fix.
    (6000, ["inferfleet:nodePools.h100.gpusPerNode: the 16 local NVMe disks of a3-highgpu-8g leave pods 5642.1 GB of ephemeral "
            "storage, less than the 6000 GB of model weights its replicas download per node; valid: fewer replicas per node"]),
])
def test_weights_past_the_local_nvme_name_no_boot_disk(download_gb: int, expected: list[str]) -> None:
    from dataclasses import replace

    from components.core.problems import Problems
    from components.serving import resolve as serving

    platform = resolved(stack(H100_8, model="meta-llama/Llama-3.1-70B-Instruct", gpus=8))
    pool = platform.pools[0]
    assert pool.local_disks is not None and pool.local_disks.count == 16
    model = replace(platform.serving.models[0], ephemeral_storage=f"{download_gb}G")
    found = Problems()
    serving._check_capacity({pool.name: pool}, [model], found, "gke")
    assert [p.line() for p in found.items] == expected
