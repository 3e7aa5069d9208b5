"""Model services: architecture, placement on a pool, memory fit, vLLM arguments and pod size."""

from __future__ import annotations

import math
from typing import Mapping

from components import resolved as r
from components.catalog.models import MODELS, PRECISION_BYTES
from components.sizing import Architecture, Fit, disk_gb_for_weights, fit
from components.versions import Pins

from ..schema import ModelSpec, StackSpec
from .problems import Problems

DEFAULT_MAX_MODEL_LEN = 8192
DEFAULT_UTILIZATION = 0.92
SYSTEM_NAMESPACES = frozenset({"default", "kube-system", "kube-public", "kube-node-lease", "gpu-operator", "kueue-system"})
MANAGED_FLAGS = (
    "--port", "--served-model-name", "--tensor-parallel-size", "-tp", "--gpu-memory-utilization",
    "--max-num-seqs", "--max-model-len", "--enable-prefix-caching", "--no-enable-prefix-caching",
    "--quantization", "-q", "--kv-cache-dtype", "--model",
)
CPU_SHARE = 0.85
"""Share of a node's vCPUs and memory given to model pods; the rest is kubelet and daemons."""
MEMORY_SHARE = 0.8


def _architecture(name: str, spec: ModelSpec, problems: Problems) -> tuple[Architecture, int, float, bool] | None:
    """(architecture at the chosen precision, context, download GB, gated) or None if unknown."""
    info = MODELS.get(spec.model)
    if spec.size is not None:
        s = spec.size
        arch = Architecture(s.layers, s.kv_heads, s.head_dim, s.weights_gb)
        return arch, s.context, s.weights_gb, bool(spec.gated)
    if info is None:
        known = ", ".join(MODELS)
        problems.add(
            f"models.{name}.model",
            f"'{spec.model}' is not in the model catalog; describe it with models.{name}.size "
            f"(weightsGb, layers, kvHeads, headDim) or use one of: {known}",
        )
        return None
    arch = Architecture(info.layers, info.kv_heads, info.head_dim, info.weights_gb[spec.precision])
    gated = info.gated if spec.gated is None else spec.gated
    return arch, info.context, info.weights_gb["bf16"], gated


def resolve_model(
    name: str, spec: ModelSpec, stack: StackSpec, pools: Mapping[str, r.GpuPool], pins: Pins, problems: Problems
) -> r.ModelService | None:
    path = f"models.{name}"
    before = problems.count()
    if spec.pool not in stack.node_pools:
        problems.add(f"{path}.pool", f"no node pool '{spec.pool}'; valid: {', '.join(sorted(stack.node_pools))}")
    if spec.namespace in SYSTEM_NAMESPACES | {stack.monitoring.namespace}:
        problems.add(f"{path}.namespace", f"'{spec.namespace}' is a system namespace; choose another, e.g. inference")
    if spec.replicas.min > spec.replicas.max:
        problems.add(f"{path}.replicas.min", f"{spec.replicas.min} is more than max {spec.replicas.max}; min must be <= max")
    for arg in spec.vllm.extra_args:
        flag = arg.split("=", 1)[0]
        if flag in MANAGED_FLAGS:
            problems.add(f"{path}.vllm.extraArgs", f"'{flag}' is set by inferfleet; use the model's own keys (gpus, maxModelLen, vllm.*)")
    described = _architecture(name, spec, problems)
    if described is not None:
        arch, context, download_gb, gated = described
        if gated and stack.hf_token is None:
            problems.add(
                f"{path}.model",
                f"{spec.model} is gated on Hugging Face and needs a token; "
                "set it with: pulumi config set --secret inferfleet:hfToken <token>",
            )
    pool = pools.get(spec.pool)
    if described is None or pool is None or problems.count() > before:
        return None

    if pool.mig_profile and spec.gpus != 1:
        problems.add(f"{path}.gpus", f"MIG slices cannot be combined for tensor parallelism; valid on pool {pool.name}: 1")
        return None
    if pool.sharing and spec.gpus != 1:
        problems.add(f"{path}.gpus", f"a shared GPU cannot be combined for tensor parallelism; valid on pool {pool.name}: 1")
        return None
    divisors = [d for d in range(1, pool.gpus_per_node + 1) if pool.gpus_per_node % d == 0]
    if spec.gpus not in divisors:
        problems.add(
            f"{path}.gpus",
            f"{spec.gpus} does not divide the {pool.gpus_per_node} GPUs of a {pool.machine_type} node in pool {pool.name}; "
            f"valid: {', '.join(map(str, divisors))}",
        )
        return None

    shared_by = pool.sharing.clients_per_gpu if pool.sharing else 1
    utilization = spec.vllm.gpu_memory_utilization or round(DEFAULT_UTILIZATION / shared_by, 2)
    if shared_by > 1 and utilization * shared_by > 0.95:
        problems.add(
            f"{path}.vllm.gpuMemoryUtilization",
            f"{utilization} x {shared_by} pods sharing a GPU is more than the GPU; valid: <= {math.floor(95 / shared_by) / 100}",
        )
        return None
    max_len = spec.max_model_len or min(DEFAULT_MAX_MODEL_LEN, context)
    if max_len > context:
        problems.add(f"{path}.maxModelLen", f"{max_len} is longer than the model's context of {context}; valid: <= {context}")
        return None
    kv_bytes = PRECISION_BYTES["fp8"] if spec.kv_cache_dtype == "fp8" else PRECISION_BYTES["bf16"]

    def fit_at(architecture: Architecture, tp: int) -> Fit:
        return fit(architecture, device_gib=pool.gpu_memory_gib, tp=tp, utilization=utilization, max_model_len=max_len, kv_bytes=kv_bytes)

    result = fit_at(arch, spec.gpus)
    if not result.fits:
        larger = [d for d in divisors if d > spec.gpus] if not (pool.mig_profile or pool.sharing) else []
        options = []
        if result.kv_budget_gib > 0 and result.kv_tokens >= 256:
            options.append(f"maxModelLen <= {(result.kv_tokens // 256) * 256}")
        more = next((d for d in larger if fit_at(arch, d).fits), None)
        if more is not None:
            options.append(f"gpus: {more}")
        info = MODELS.get(spec.model)
        if spec.precision == "bf16" and info is not None and spec.size is None:
            fp8 = Architecture(arch.layers, arch.kv_heads, arch.head_dim, info.weights_gb["fp8"])
            tp8 = next((d for d in [spec.gpus, *larger] if fit_at(fp8, d).fits), None)
            if tp8 is not None:
                options.append("precision: fp8" + (f" with gpus: {tp8}" if tp8 != spec.gpus else ""))
        if pool.sharing and spec.vllm.gpu_memory_utilization is None:
            fewer = next(
                (c for c in range(pool.sharing.clients_per_gpu - 1, 1, -1)
                 if fit(arch, device_gib=pool.gpu_memory_gib, tp=1, utilization=round(DEFAULT_UTILIZATION / c, 2),
                        max_model_len=max_len, kv_bytes=kv_bytes).fits),
                None,
            )
            if fewer is not None:
                options.append(f"nodePools.{pool.name}.sharing.clientsPerGpu <= {fewer}")
        valid = ", or ".join(options) or "a pool with larger GPUs or more GPUs per node"
        device = f"{pool.gpu}{' ' + pool.mig_profile if pool.mig_profile else ''}"
        if result.kv_budget_gib <= 0:
            problems.add(
                f"{path}.gpus",
                f"{spec.model} ({spec.precision}) needs {result.weights_gib_per_gpu} GiB of weights per GPU at gpus: {spec.gpus}, "
                f"but one {device} gives vLLM {round(pool.gpu_memory_gib * utilization, 1)} GiB; valid: {valid}",
            )
        else:
            problems.add(
                f"{path}.maxModelLen",
                f"{max_len} tokens need {round(max_len * result.kv_bytes_per_token / 2**30, 2)} GiB of KV cache per GPU "
                f"but only {result.kv_budget_gib} GiB remain after the weights on one {device}; valid: {valid}",
            )
        return None

    share = spec.gpus / pool.gpus_per_node / shared_by if not pool.mig_profile else spec.gpus / pool.units_per_node
    cpu = max(1, math.floor(pool.vcpus * CPU_SHARE * share))
    memory = max(4, math.floor(pool.memory_gib * MEMORY_SHARE * share))
    args = [
        spec.model,
        "--port=8000",
        f"--served-model-name={spec.model}",
        f"--tensor-parallel-size={spec.gpus}",
        f"--gpu-memory-utilization={utilization}",
        f"--max-num-seqs={spec.vllm.max_num_seqs}",
        f"--max-model-len={max_len}",
        "--enable-prefix-caching" if spec.vllm.prefix_caching else "--no-enable-prefix-caching",
    ]
    if spec.precision == "fp8":
        args.append("--quantization=fp8")
    if spec.kv_cache_dtype == "fp8":
        args.append("--kv-cache-dtype=fp8")
    args.extend(spec.vllm.extra_args)
    return r.ModelService(
        name=name,
        namespace=spec.namespace,
        model_id=spec.model,
        pool=pool.name,
        gpus=spec.gpus,
        replicas=spec.replicas.min,
        max_replicas=spec.replicas.max,
        args=tuple(args),
        image=pins.vllm_image,
        cpu=str(cpu),
        memory=f"{memory}Gi",
        ephemeral_storage=f"{disk_gb_for_weights(download_gb)}G",
        shm_size="2Gi" if spec.gpus > 1 else "1Gi",
        gated=gated,
        hf_token=stack.hf_token is not None,
        node_selector=pool.selector,
        tolerations=pool.tolerations,
        fit=result,
        download_gb=download_gb,
    )
