"""The options `vllm serve` accepts, per vLLM version, and the parsing of a stack's extra args against them.

Derived data, not upstream code. The `vllm serve` parser is `make_arg_parser` (vllm@v0.33.0
vllm/entrypoints/common/cli_args.py:431-477): the positional model (:438), `FrontendArgs.add_cli_args`
(:474) and `AsyncEngineArgs.add_cli_args` (:475, vllm/engine/arg_utils.py:959+). Each line of a
table is `dest nargs option...` with nargs 0 (a switch), 1 (one value), + (one or more) or ? (optional
value), dumped from the v0.33.0 wheel (CUDA sees the same set: only ROCm overrides
`pre_register_and_update`, vllm/platforms/interface.py:639):

    VLLM_TARGET_DEVICE=cpu python -c 'from vllm.entrypoints.common.cli_args import make_arg_parser
    from vllm.utils.argparse_utils import FlexibleArgumentParser
    p = make_arg_parser(FlexibleArgumentParser()); by = {}
    for o, a in p._option_string_actions.items(): by.setdefault(a.dest, [set(), a.nargs])[0].add(o)
    for d, (o, n) in sorted(by.items()): print(d, {0: "0", None: "1"}.get(n, n), *sorted(o))'

Hidden spellings count: `EnableDisableAction` pairs `--enable-x` with `--disable-x` and still accepts
`--no-enable-x` (vllm/utils/argparse_utils.py:120-153, registered at :179).
"""

from __future__ import annotations

import difflib
import re
import shlex
from dataclasses import dataclass
from typing import Iterable, Mapping


@dataclass(frozen=True)
class Option:
    dest: str
    nargs: str
    """0, 1, + or ?, as argparse takes values for it."""


@dataclass(frozen=True)
class Arg:
    """One flag of the extra args, normalised: the full option string and its values."""

    given: str
    """As the stack wrote it (the option part), for messages."""
    option: str
    dest: str
    values: tuple[str, ...]

    def argv(self) -> list[str]:
        if len(self.values) == 1:
            return [f"{self.option}={self.values[0]}"]
        return [self.option, *self.values]


class FlagError(ValueError):
    """An extra arg `vllm serve` would reject or misread; the message says what would be valid."""


_NUMBER = re.compile(r"-?\d+(\.\d*)?([eE][-+]?\d+)?")


class FlagTable:
    """The options of one vLLM version, looked up the way its parser does."""

    def __init__(self, version: str, rows: str):
        self.version = version
        self.options: dict[str, Option] = {}
        for line in rows.strip().splitlines():
            dest, nargs, *opts = line.split()
            for opt in opts:
                self.options[opt] = Option(dest, nargs)

    def lookup(self, option: str) -> tuple[str, Option]:
        """The full option string and its definition for `option` as written; FlagError if vLLM rejects it.

        `--x_y` is `--x-y` before the first `.` (vllm@v0.33.0 vllm/utils/argparse_utils.py:375-392);
        `-O3` is `--optimization-level 3` (:393-404); `--x.key` sets one key of the JSON option `--x`
        (:444-491); a unique prefix of a long option is that option (argparse's allow_abbrev, left True).
        """
        if option.startswith("--"):
            head, dot, rest = option[2:].partition(".")
            option = "--" + head.replace("_", "-")
            if dot and option in self.options:
                return f"{option}.{rest}", self.options[option]
        if option in self.options:
            return option, self.options[option]
        if option.startswith("--"):
            matches = sorted(o for o in self.options if o.startswith(option))
            if len(matches) == 1:
                return matches[0], self.options[matches[0]]
            if matches:
                raise FlagError(f"'{option}' is ambiguous in vLLM {self.version}; valid: one of {', '.join(matches[:6])}")
        close = difflib.get_close_matches(option, [o for o in self.options if o.startswith("--")], n=1)
        raise FlagError(
            f"'{option}' is not a flag of vLLM {self.version}; valid: a flag `vllm serve` {self.version} accepts"
            + (f", e.g. {close[0]}" if close else "")
        )

    def parse(self, extra_args: Iterable[str]) -> list[Arg]:
        """The extra args as flags with their values; each item may hold several words (`--seed 1`)."""
        words = [w for item in extra_args for w in shlex.split(item)]
        out: list[Arg] = []
        i = 0
        while i < len(words):
            word = words[i]
            if not word.startswith("-") or _NUMBER.fullmatch(word):
                raise FlagError(f"'{word}' is not a flag; extraArgs holds vLLM flags and their values, e.g. --seed=1")
            given, _, inline = word.partition("=")
            if given.startswith("-O") and not given.startswith("--"):
                given, inline = "--optimization-level", inline or given[2:].lstrip("=")
            option, spec = self.lookup(given)
            i += 1
            values: list[str] = [inline] if "=" in word or inline else []
            if not values and spec.nargs in ("1", "+"):
                while i < len(words) and (not words[i].startswith("-") or _NUMBER.fullmatch(words[i])):
                    values.append(words[i])
                    i += 1
                    if spec.nargs == "1":
                        break
                if not values:
                    raise FlagError(f"'{given}' needs a value; valid: {option}=<value>")
            elif spec.nargs == "0" and values:
                raise FlagError(f"'{given}' takes no value; valid: {option} alone")
            elif spec.nargs == "?" and not values and i < len(words) and not words[i].startswith("-"):
                values.append(words[i])
                i += 1
            out.append(Arg(given, option, spec.dest, tuple(values)))
        return out


_V0_33_0 = """
additional_config 1 --additional-config
aggregate_engine_logging 0 --aggregate-engine-logging
all2all_backend 1 --all2all-backend
allow_credentials 0 --allow-credentials --no-allow-credentials
allow_deprecated_quantization 0 --allow-deprecated-quantization --no-allow-deprecated-quantization
allowed_headers 1 --allowed-headers
allowed_local_media_path 1 --allowed-local-media-path
allowed_media_domains + --allowed-media-domains
allowed_methods 1 --allowed-methods
allowed_origins 1 --allowed-origins
anthropic_disabled_thinking_effort 1 --anthropic-disabled-thinking-effort
api_key + --api-key
api_server_count 1 --api-server-count -asc
async_scheduling 0 --async-scheduling --no-async-scheduling
attention_backend 1 --attention-backend
attention_config 1 --attention-config -ac
aux_output_config 1 --aux-output-config
block_size 1 --block-size
chat_template 1 --chat-template
chat_template_content_format 1 --chat-template-content-format
code_revision 1 --code-revision
cohere_format 1 --cohere-format
cohere_is_reasoning_model 0 --cohere-is-reasoning-model --no-cohere-is-reasoning-model
collect_detailed_traces + --collect-detailed-traces
compilation_config 1 --compilation-config -cc
config 1 --config
config_format 1 --config-format
convert 1 --convert
cp_kv_cache_interleave_size 1 --cp-kv-cache-interleave-size
cpu_distributed_timeout_seconds 1 --cpu-distributed-timeout-seconds
cpu_offload_gb 1 --cpu-offload-gb
cpu_offload_params + --cpu-offload-params
cudagraph_capture_sizes + --cudagraph-capture-sizes
cudagraph_metrics 0 --cudagraph-metrics --no-cudagraph-metrics
custom_histogram_buckets 1 --custom-histogram-buckets
data_parallel_address 1 --data-parallel-address -dpa
data_parallel_backend 1 --data-parallel-backend -dpb
data_parallel_external_lb 0 --data-parallel-external-lb --no-data-parallel-external-lb -dpe
data_parallel_hybrid_lb 0 --data-parallel-hybrid-lb --no-data-parallel-hybrid-lb -dph
data_parallel_multi_port_external_lb 0 --data-parallel-multi-port-external-lb -dpm
data_parallel_rank 1 --data-parallel-rank -dpn
data_parallel_rpc_port 1 --data-parallel-rpc-port -dpp
data_parallel_size 1 --data-parallel-size -dp
data_parallel_size_local 1 --data-parallel-size-local -dpl
data_parallel_start_rank 1 --data-parallel-start-rank -dpr
data_parallel_supervisor_port 1 --data-parallel-supervisor-port
dbo_decode_token_threshold 1 --dbo-decode-token-threshold
dbo_prefill_token_threshold 1 --dbo-prefill-token-threshold
dcp_comm_backend 1 --dcp-comm-backend
dcp_kv_cache_interleave_size 1 --dcp-kv-cache-interleave-size
dcp_q_replicate 0 --dcp-q-replicate --no-dcp-q-replicate
decode_context_parallel_size 1 --decode-context-parallel-size -dcp
default_chat_template_kwargs 1 --default-chat-template-kwargs
default_mm_loras 1 --default-mm-loras
device_ids 1 --device-ids
diffusion_config 1 --diffusion-config -dc
disable_access_log_for_endpoints 1 --disable-access-log-for-endpoints
disable_cascade_attn 0 --disable-cascade-attn --enable-cascade-attn --no-disable-cascade-attn
disable_chunked_mm_input 0 --disable-chunked-mm-input --enable-chunked-mm-input --no-disable-chunked-mm-input
disable_custom_all_reduce 0 --disable-custom-all-reduce --enable-custom-all-reduce --no-disable-custom-all-reduce
disable_fastapi_docs 0 --disable-fastapi-docs --enable-fastapi-docs --no-disable-fastapi-docs
disable_hybrid_kv_cache_manager 0 --disable-hybrid-kv-cache-manager --enable-hybrid-kv-cache-manager --no-disable-hybrid-kv-cache-manager
disable_log_stats 0 --disable-log-stats
disable_nccl_for_dp_synchronization 0 --disable-nccl-for-dp-synchronization --enable-nccl-for-dp-synchronization --no-disable-nccl-for-dp-synchronization
disable_sliding_window 0 --disable-sliding-window --enable-sliding-window --no-disable-sliding-window
disable_uvicorn_access_log 0 --disable-uvicorn-access-log --enable-uvicorn-access-log --no-disable-uvicorn-access-log
distributed_executor_backend 1 --distributed-executor-backend
distributed_timeout_seconds 1 --distributed-timeout-seconds
download_dir 1 --download-dir
dp_supervisor_probe_failure_threshold 1 --dp-supervisor-probe-failure-threshold
dp_supervisor_probe_interval_s 1 --dp-supervisor-probe-interval-s
dp_supervisor_probe_timeout_s 1 --dp-supervisor-probe-timeout-s
dp_sync_interval 1 --dp-sync-interval
dtype 1 --dtype
ec_manager_config 1 --ec-manager-config
ec_transfer_config 1 --ec-transfer-config
elastic_ep_max_dp_size 1 --elastic-ep-max-dp-size
enable_auto_tool_choice 0 --disable-auto-tool-choice --enable-auto-tool-choice --no-enable-auto-tool-choice
enable_batch_sharded_sampling 0 --disable-batch-sharded-sampling --enable-batch-sharded-sampling --no-enable-batch-sharded-sampling
enable_chunked_prefill 0 --disable-chunked-prefill --enable-chunked-prefill --no-enable-chunked-prefill
enable_cumem_allocator 0 --disable-cumem-allocator --enable-cumem-allocator --no-enable-cumem-allocator
enable_dbo 0 --disable-dbo --enable-dbo --no-enable-dbo
enable_elastic_ep 0 --disable-elastic-ep --enable-elastic-ep --no-enable-elastic-ep
enable_ep_weight_filter 0 --disable-ep-weight-filter --enable-ep-weight-filter --no-enable-ep-weight-filter
enable_eplb 0 --disable-eplb --enable-eplb --no-enable-eplb
enable_expert_parallel 0 --disable-expert-parallel --enable-expert-parallel --no-enable-expert-parallel -ep
enable_fault_tolerance 0 --disable-fault-tolerance --enable-fault-tolerance --no-enable-fault-tolerance
enable_flash_late_interaction 0 --disable-flash-late-interaction --enable-flash-late-interaction --no-enable-flash-late-interaction
enable_flashinfer_autotune 0 --disable-flashinfer-autotune --enable-flashinfer-autotune --no-enable-flashinfer-autotune
enable_force_include_usage 0 --disable-force-include-usage --enable-force-include-usage --no-enable-force-include-usage
enable_hc_sp 0 --disable-hc-sp --enable-hc-sp --no-enable-hc-sp
enable_layerwise_nvtx_tracing 0 --disable-layerwise-nvtx-tracing --enable-layerwise-nvtx-tracing --no-enable-layerwise-nvtx-tracing
enable_log_deltas 0 --disable-log-deltas --enable-log-deltas --no-enable-log-deltas
enable_log_outputs 0 --disable-log-outputs --enable-log-outputs --no-enable-log-outputs
enable_log_requests 0 --disable-log-requests --enable-log-requests --no-enable-log-requests
enable_logging_iteration_details 0 --disable-logging-iteration-details --enable-logging-iteration-details --no-enable-logging-iteration-details
enable_lora 0 --disable-lora --enable-lora --no-enable-lora
enable_mamba_cache_stochastic_rounding 0 --disable-mamba-cache-stochastic-rounding --enable-mamba-cache-stochastic-rounding --no-enable-mamba-cache-stochastic-rounding
enable_mamba_shared_prefix_checkpoint 0 --disable-mamba-shared-prefix-checkpoint --enable-mamba-shared-prefix-checkpoint --no-enable-mamba-shared-prefix-checkpoint
enable_mfu_metrics 0 --disable-mfu-metrics --enable-mfu-metrics --no-enable-mfu-metrics
enable_mixed_moe_lora_format 0 --disable-mixed-moe-lora-format --enable-mixed-moe-lora-format --no-enable-mixed-moe-lora-format
enable_mm_embeds 0 --disable-mm-embeds --enable-mm-embeds --no-enable-mm-embeds
enable_moe_shared_loras 0 --disable-moe-shared-loras --enable-moe-shared-loras --no-enable-moe-shared-loras
enable_nccl_comm_suspend 0 --disable-nccl-comm-suspend --enable-nccl-comm-suspend --no-enable-nccl-comm-suspend
enable_offline_docs 0 --disable-offline-docs --enable-offline-docs --no-enable-offline-docs
enable_per_request_metrics 0 --disable-per-request-metrics --enable-per-request-metrics --no-enable-per-request-metrics
enable_prefix_caching 0 --disable-prefix-caching --enable-prefix-caching --no-enable-prefix-caching
enable_prompt_embeds 0 --disable-prompt-embeds --enable-prompt-embeds --no-enable-prompt-embeds
enable_prompt_tokens_details 0 --disable-prompt-tokens-details --enable-prompt-tokens-details --no-enable-prompt-tokens-details
enable_request_id_headers 0 --disable-request-id-headers --enable-request-id-headers --no-enable-request-id-headers
enable_return_routed_experts 0 --disable-return-routed-experts --enable-return-routed-experts --no-enable-return-routed-experts
enable_scale_out 0 --disable-scale-out --enable-scale-out --no-enable-scale-out
enable_server_load_tracking 0 --disable-server-load-tracking --enable-server-load-tracking --no-enable-server-load-tracking
enable_shm_tensor_arena 0 --disable-shm-tensor-arena --enable-shm-tensor-arena --no-enable-shm-tensor-arena
enable_sleep_mode 0 --disable-sleep-mode --enable-sleep-mode --no-enable-sleep-mode
enable_ssl_refresh 0 --disable-ssl-refresh --enable-ssl-refresh --no-enable-ssl-refresh
enable_tokenizer_info_endpoint 0 --disable-tokenizer-info-endpoint --enable-tokenizer-info-endpoint --no-enable-tokenizer-info-endpoint
enable_tower_connector_lora 0 --disable-tower-connector-lora --enable-tower-connector-lora --no-enable-tower-connector-lora
enable_trace_replay 0 --disable-trace-replay --enable-trace-replay --no-enable-trace-replay
enforce_eager 0 --enforce-eager --no-enforce-eager
engram_config 1 --engram-config
eplb_config 1 --eplb-config
exclude_tools_when_tool_choice_none 0 --exclude-tools-when-tool-choice-none --no-exclude-tools-when-tool-choice-none
expert_placement_strategy 1 --expert-placement-strategy
fail_on_environ_validation 0 --fail-on-environ-validation --no-fail-on-environ-validation
fault_tolerance_config 1 --fault-tolerance-config
fingerprint_mode 1 --fingerprint-mode
fingerprint_value 1 --fingerprint-value
fully_sharded_loras 0 --fully-sharded-loras --no-fully-sharded-loras
gdn_prefill_backend 1 --gdn-prefill-backend
generation_config 1 --generation-config
gpu_memory_utilization 1 --device-memory-utilization --gpu-memory-utilization
grpc 0 --grpc
grpc_port 1 --grpc-port
h11_max_header_count 1 --h11-max-header-count
h11_max_incomplete_event_size 1 --h11-max-incomplete-event-size
headless 0 --headless
help 0 --help -h
hf_config_path 1 --hf-config-path
hf_overrides 1 --hf-overrides
hf_token ? --hf-token
host 1 --host
ignore_patterns + --ignore-patterns
interleave_mm_strings 0 --interleave-mm-strings --no-interleave-mm-strings
io_processor_plugin 1 --io-processor-plugin
ir_op_priority 1 --ir-op-priority
jit_monitor_mode 1 --jit-monitor-mode
jit_monitor_verbose 0 --jit-monitor-verbose --no-jit-monitor-verbose
kda_decode_backend 1 --kda-decode-backend
kda_prefill_backend 1 --kda-prefill-backend
kernel_config 1 --kernel-config
kv_cache_dtype 1 --kv-cache-dtype
kv_cache_dtype_skip_layers + --kv-cache-dtype-skip-layers
kv_cache_memory_bytes 1 --kv-cache-memory-bytes
kv_cache_metrics 0 --kv-cache-metrics --no-kv-cache-metrics
kv_cache_metrics_sample 1 --kv-cache-metrics-sample
kv_events_config 1 --kv-events-config
kv_offloading_backend 1 --kv-offloading-backend
kv_offloading_size 1 --kv-offloading-size
kv_sharing_fast_prefill 0 --kv-sharing-fast-prefill --no-kv-sharing-fast-prefill
kv_transfer_config 1 --kv-transfer-config
language_model_only 0 --language-model-only --no-language-model-only
limit_mm_per_prompt 1 --limit-mm-per-prompt
linear_backend 1 --linear-backend
load_format 1 --load-format
log_config_file 1 --log-config-file
log_error_stack 0 --log-error-stack --no-log-error-stack
log_level 1 --log-level
logging_config 1 --logging-config
logits_processors + --logits-processors
logprobs_mode 1 --logprobs-mode
long_prefill_token_threshold 1 --long-prefill-token-threshold
long_prefill_token_threshold_adaptive 0 --long-prefill-token-threshold-adaptive --no-long-prefill-token-threshold-adaptive
lora_dtype 1 --lora-dtype
lora_modules + --lora-modules
lora_target_modules + --lora-target-modules
mamba_backend 1 --mamba-backend
mamba_block_size 1 --mamba-block-size
mamba_cache_dtype 1 --mamba-cache-dtype
mamba_cache_mode 1 --mamba-cache-mode
mamba_cache_philox_rounds 1 --mamba-cache-philox-rounds
mamba_ssm_cache_dtype 1 --mamba-ssm-cache-dtype
mamba_ssu_algorithm 1 --mamba-ssu-algorithm
master_addr 1 --master-addr
master_port 1 --master-port
max_cpu_loras 1 --max-cpu-loras
max_cudagraph_capture_size 1 --max-cudagraph-capture-size
max_log_len 1 --max-log-len
max_logprobs 1 --max-logprobs
max_lora_cls_labels 1 --max-lora-cls-labels
max_lora_rank 1 --max-lora-rank
max_loras 1 --max-loras
max_model_len 1 --max-model-len
max_num_active_seqs 1 --max-num-active-seqs
max_num_batched_tokens 1 --max-num-batched-tokens
max_num_queued_reqs 1 --max-num-queued-reqs
max_num_queued_tokens 1 --max-num-queued-tokens
max_num_scheduled_tokens 1 --max-num-scheduled-tokens
max_num_seqs 1 --max-num-seqs
max_parallel_loading_workers 1 --max-parallel-loading-workers
media_io_kwargs 1 --media-io-kwargs
middleware 1 --middleware
mm_device_do_normalize 0 --mm-device-do-normalize --no-mm-device-do-normalize
mm_encoder_attn_backend 1 --mm-encoder-attn-backend
mm_encoder_attn_dtype 1 --mm-encoder-attn-dtype
mm_encoder_fp8_scale_path 1 --mm-encoder-fp8-scale-path
mm_encoder_fp8_scale_save_margin 1 --mm-encoder-fp8-scale-save-margin
mm_encoder_fp8_scale_save_path 1 --mm-encoder-fp8-scale-save-path
mm_encoder_only 0 --mm-encoder-only --no-mm-encoder-only
mm_encoder_tp_mode 1 --mm-encoder-tp-mode
mm_hasher_algorithm 1 --mm-hasher-algorithm
mm_ipc_gpu_memory_gb 1 --mm-ipc-gpu-memory-gb
mm_processor_cache_gb 1 --mm-processor-cache-gb
mm_processor_cache_type 1 --mm-processor-cache-type
mm_processor_device 1 --mm-processor-device
mm_processor_kwargs 1 --mm-processor-kwargs
mm_shm_cache_max_object_size_mb 1 --mm-shm-cache-max-object-size-mb
mm_tensor_ipc 1 --mm-tensor-ipc
model 1 --model
model_class_overrides 1 --model-class-overrides
model_impl 1 --model-impl
model_loader_extra_config 1 --model-loader-extra-config
moe_backend 1 --moe-backend
monokernel 0 --monokernel --no-monokernel
nnodes 1 --nnodes -n
node_rank 1 --node-rank -r
num_gpu_blocks_override 1 --num-gpu-blocks-override
numa_bind 0 --no-numa-bind --numa-bind
numa_bind_cpus + --numa-bind-cpus
numa_bind_nodes + --numa-bind-nodes
offload_backend 1 --offload-backend
offload_group_size 1 --offload-group-size
offload_num_in_group 1 --offload-num-in-group
offload_params + --offload-params
offload_prefetch_step 1 --offload-prefetch-step
optimization_level 1 --optimization-level
otlp_traces_endpoint 1 --otlp-traces-endpoint
override_generation_config 1 --override-generation-config
per_request_spec_decode_metrics 1 --per-request-spec-decode-metrics
performance_mode 1 --performance-mode
pipeline_parallel_size 1 --pipeline-parallel-size -pp
pooler_config 1 --pooler-config
port 1 --port
prefill_context_parallel_size 1 --prefill-context-parallel-size -pcp
prefill_schedule_interval 1 --prefill-schedule-interval
prefix_cache_retention_interval 1 --prefix-cache-retention-interval
prefix_caching_hash_algo 1 --prefix-caching-hash-algo
prefix_match_unit 1 --prefix-match-unit
profiler_config 1 --profiler-config
pt_load_map_location 1 --pt-load-map-location
quantization 1 --quantization -q
quantization_config 1 --quantization-config
ray_workers_use_nsight 0 --no-ray-workers-use-nsight --ray-workers-use-nsight
reasoning_config 1 --reasoning-config
reasoning_effort_map 1 --reasoning-effort-map
reasoning_parser 1 --reasoning-parser
reasoning_parser_plugin 1 --reasoning-parser-plugin
renderer_num_workers 1 --renderer-num-workers
replayssm_buffer_len 1 --replayssm-buffer-len
response_role 1 --response-role
return_sampling_mask 0 --no-return-sampling-mask --return-sampling-mask
return_tokens_as_token_ids 0 --no-return-tokens-as-token-ids --return-tokens-as-token-ids
revision 1 --revision
root_path 1 --root-path
runner 1 --runner
safetensors_load_strategy 1 --safetensors-load-strategy
safetensors_prefetch_block_size 1 --safetensors-prefetch-block-size
safetensors_prefetch_num_threads 1 --safetensors-prefetch-num-threads
scheduler_cls 1 --scheduler-cls
scheduler_reserve_full_isl 0 --no-scheduler-reserve-full-isl --scheduler-reserve-full-isl
scheduling_policy 1 --scheduling-policy
seed 1 --seed
served_model_name + --served-model-name
show_hidden_metrics_for_version 1 --show-hidden-metrics-for-version
shutdown_timeout 1 --shutdown-timeout
skip_mm_profiling 0 --no-skip-mm-profiling --skip-mm-profiling
skip_tokenizer_init 0 --no-skip-tokenizer-init --skip-tokenizer-init
sleep_mode_backend 1 --sleep-mode-backend
sleep_mode_offload_cudagraph 0 --no-sleep-mode-offload-cudagraph --sleep-mode-offload-cudagraph
sleep_preserve_parameter_names + --sleep-preserve-parameter-names
sparse_indexer_topk_backend 1 --sparse-indexer-topk-backend
spec_method 1 --spec-method
spec_model 1 --spec-model
spec_tokens 1 --spec-tokens
specialize_active_lora 0 --no-specialize-active-lora --specialize-active-lora
speculative_config 1 --speculative-config -sc
sse_keep_alive_interval 1 --sse-keep-alive-interval
ssl_ca_certs 1 --ssl-ca-certs
ssl_cert_reqs 1 --ssl-cert-reqs
ssl_certfile 1 --ssl-certfile
ssl_ciphers 1 --ssl-ciphers
ssl_keyfile 1 --ssl-keyfile
stream_interval 1 --stream-interval
structured_outputs_config 1 --structured-outputs-config
swa_bounded_replay 0 --no-swa-bounded-replay --swa-bounded-replay
tensor_parallel_size 1 --tensor-parallel-size -tp
tokenizer 1 --tokenizer
tokenizer_mode 1 --tokenizer-mode
tokenizer_revision 1 --tokenizer-revision
tokens_only 0 --no-tokens-only --tokens-only
tool_call_parser 1 --tool-call-parser
tool_parser_plugin 1 --tool-parser-plugin
tool_server 1 --tool-server
tool_strict_level 1 --tool-strict-level
trust_remote_code 0 --no-trust-remote-code --trust-remote-code
trust_request_chat_template 0 --no-trust-request-chat-template --trust-request-chat-template
trust_request_mm_kwargs 0 --no-trust-request-mm-kwargs --trust-request-mm-kwargs
ubatch_size 1 --ubatch-size
uds 1 --uds
use_fp64_gumbel 0 --no-use-fp64-gumbel --use-fp64-gumbel
use_replayssm 0 --no-use-replayssm --use-replayssm
use_tqdm_on_load 0 --no-use-tqdm-on-load --use-tqdm-on-load
uvicorn_log_level 1 --uvicorn-log-level
video_pruning_method 1 --video-pruning-method
video_pruning_rate 1 --video-pruning-rate
watchdog_config 1 --watchdog-config
watermark 1 --watermark
watermark_config 1 --watermark-config
weight_transfer_config 1 --weight-transfer-config
worker_cls 1 --worker-cls
worker_extension_cls 1 --worker-extension-cls
"""

TABLES: Mapping[str, FlagTable] = {"v0.33.0": FlagTable("v0.33.0", _V0_33_0)}
"""The flag table of each vLLM version inferfleet can check, by image tag."""
