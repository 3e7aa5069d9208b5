"""Extra vLLM args are read the way the pinned `vllm serve` parser reads them (vllm@v0.33.0
vllm/utils/argparse_utils.py:313-499), and every flag inferfleet emits is one that version knows."""

from __future__ import annotations

import pytest

from components.core.problems import ConfigError
from components.serving import vllm, vllm_flags
from components.serving.vllm_flags import TABLES, FlagError, FlagTable

from ..conftest import GKE, config, resolved

V0_33 = TABLES["v0.33.0"]


@pytest.mark.parametrize(
    ("extra", "argv", "dests"),
    [
        (["--max_model_len=4096"], ["--max-model-len=4096"], ["max_model_len"]),  # `_` is `-` before the first `.`
        (["--max-model 4096"], ["--max-model-len=4096"], ["max_model_len"]),  # one string with a space; a unique prefix
        (["--seed", "-1"], ["--seed=-1"], ["seed"]),  # a negative number is a value, not a flag
        (["-O3"], ["--optimization-level=3"], ["optimization_level"]),
        (["--compilation-config.mode", "3"], ["--compilation-config.mode=3"], ["compilation_config"]),
        (["--no-enable-chunked-prefill"], ["--no-enable-chunked-prefill"], ["enable_chunked_prefill"]),  # hidden spelling
        (["--lora-modules a=/a b=/b", "--enforce-eager"], ["--lora-modules", "a=/a", "b=/b", "--enforce-eager"],
         ["lora_modules", "enforce_eager"]),  # nargs + takes every value up to the next flag
        (["-ep"], ["-ep"], ["enable_expert_parallel"]),  # short forms are not rewritten
    ],
)
def test_extra_args_are_normalised_like_vllm_parses_them(extra: list[str], argv: list[str], dests: list[str]) -> None:
    parsed = V0_33.parse(extra)
    assert [w for a in parsed for w in a.argv()] == argv
    assert [a.dest for a in parsed] == dests


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--max-modle-len=5"], "'--max-modle-len' is not a flag of vLLM v0.33.0; valid: a flag `vllm serve` v0.33.0 accepts, e.g. --max-model-len"),
        (["--max=1"], "'--max' is ambiguous in vLLM v0.33.0; valid: one of --max-cpu-loras,"),
        (["qwen"], "'qwen' is not a flag; extraArgs holds vLLM flags and their values, e.g. --seed=1"),
        (["--seed"], "'--seed' needs a value; valid: --seed=<value>"),
        (["--enforce-eager=true"], "'--enforce-eager' takes no value; valid: --enforce-eager alone"),
    ],
)
def test_what_vllm_would_reject_is_an_error(extra: list[str], message: str) -> None:
    with pytest.raises(FlagError) as error:
        V0_33.parse(extra)
    assert str(error.value).startswith(message)


def test_every_flag_inferfleet_emits_is_a_flag_of_the_pinned_vllm() -> None:
    for flag in vllm.TYPED_FLAGS:
        assert V0_33.options[flag.option].dest == flag.dest, flag
    model = resolved(config(GKE, models={"q": {"model": "Qwen/Qwen3-8B", "pool": "l4", "kvCacheDtype": "fp8",
                                                "precision": "fp8", "vllm": {"prefixCaching": False}}})).serving.models[0]
    emitted = [w.split("=", 1)[0] for w in vllm.args(model)[1:]]
    assert set(emitted) <= {f.option for f in vllm.TYPED_FLAGS}
    assert "--disable-prefix-caching" in emitted and "--quantization" in emitted and "--kv-cache-dtype" in emitted


def problems(values) -> list[str]:
    with pytest.raises(ConfigError) as error:
        resolved(values)
    return [p.line() for p in error.value.problems]


def with_extra(*extra: str):
    return config(GKE, models={"qwen": {"model": "Qwen/Qwen3-8B", "pool": "l4", "vllm": {"extraArgs": list(extra)}}})


@pytest.mark.parametrize(
    ("extra", "line"),
    [
        ("-tp 2", "'-tp' sets tensor_parallel_size, which inferfleet sets from models.qwen.gpus; valid: set models.qwen.gpus and drop the flag"),
        ("--max_model_len=4096", "'--max_model_len' sets max_model_len, which inferfleet sets from models.qwen.maxModelLen;"),
        ("--no-enable-prefix-caching", "'--no-enable-prefix-caching' sets enable_prefix_caching, which inferfleet sets from models.qwen.vllm.prefixCaching;"),
        ("--device-memory-utilization=0.5", "'--device-memory-utilization' sets gpu_memory_utilization, which inferfleet sets from models.qwen.vllm.gpuMemoryUtilization;"),
        ("--port=9000", "'--port' sets the port, which inferfleet fixes at 8000 for probes, Services and policies; valid: drop the flag"),
        ("-pp 2", "'-pp' sets pipeline_parallel_size, which inferfleet sets from models.qwen.nodes; valid: set models.qwen.nodes and drop the flag"),
        ("-dp 2", "'-dp' sets data_parallel_size; valid: drop the flag (inferfleet sizes and places each replica from models.qwen.gpus and nodes)"),
        ("--hf-token=hf_x", "'--hf-token' sets hf_token; valid: drop the flag (the token is mounted from inferfleet:hfToken"),
    ],
)
def test_extra_args_may_not_set_what_inferfleet_sets(extra: str, line: str) -> None:
    found = problems(with_extra(extra))
    assert len(found) == 1 and found[0].startswith(f"inferfleet:models.qwen.vllm.extraArgs: {line}")


def test_a_flag_given_twice_is_an_error() -> None:
    assert problems(with_extra("--seed=1", "--seed 2")) == [
        "inferfleet:models.qwen.vllm.extraArgs: '--seed' sets seed again after '--seed'; valid: one of them"
    ]


def test_valid_extra_args_reach_the_container_normalised() -> None:
    model = resolved(with_extra("--enforce_eager", "--max-num-batched-tokens 4096")).serving.models[0]
    assert vllm.args(model)[-2:] == ["--enforce-eager", "--max-num-batched-tokens=4096"]


def test_a_vllm_version_without_a_table_is_a_plan_error() -> None:
    assert problems(config(GKE, versions={"vllm": "v0.34.0"})) == [
        "inferfleet:versions.vllm: inferfleet has no `vllm serve` flag table for v0.34.0; valid: v0.33.0"
    ]


def test_a_flag_inferfleet_emits_that_the_pinned_vllm_lacks_is_a_plan_error(monkeypatch: pytest.MonkeyPatch) -> None:
    rows = "\n".join(line for line in vllm_flags._V0_33_0.splitlines() if not line.startswith("max_num_seqs "))
    monkeypatch.setitem(vllm_flags.TABLES, "v0.33.0", FlagTable("v0.33.0", rows))
    assert problems(GKE) == [
        "inferfleet:versions.vllm: vLLM v0.33.0 has no --max-num-seqs, which inferfleet sets from models.*.vllm.maxNumSeqs; valid: v0.33.0"
    ]
