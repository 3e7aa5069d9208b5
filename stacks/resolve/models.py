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

    divisors = [d for d in range(1, pool.gpus_per_node + 1) if pool.gpus_per_node % d == 0]
    placement = _placement_problem(spec, pool, divisors)
    if placement:
        problems.add(f"{path}.gpus", placement)
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
    sizing = _Sizing(spec, pool, max_len, utilization, divisors)
    result = sizing.fit(arch, spec.gpus)
    if not result.fits:
        problems.add(*sizing.problem(path, arch, result))
        return None

    share = spec.gpus / pool.units_per_node  # of the node: MIG slices and shared GPUs are units too
    return r.ModelService(
        name=name,
        namespace=spec.namespace,
        model_id=spec.model,
        pool=pool.name,
        gpus=spec.gpus,
        replicas=spec.replicas.min,
        max_replicas=spec.replicas.max,
        args=_vllm_args(spec, max_len, utilization),
        image=pins.vllm_image,
        cpu=str(max(1, math.floor(pool.vcpus * CPU_SHARE * share))),
        memory=f"{max(4, math.floor(pool.memory_gib * MEMORY_SHARE * share))}Gi",
        ephemeral_storage=f"{disk_gb_for_weights(download_gb)}G",
        shm_size="2Gi" if spec.gpus > 1 else "1Gi",
        gated=gated,
        hf_token=stack.hf_token is not None,
        node_selector=pool.selector,
        tolerations=pool.tolerations,
        fit=result,
        download_gb=download_gb,
    )


def _placement_problem(spec: ModelSpec, pool: r.GpuPool, divisors: list[int]) -> str | None:
    """Why `spec.gpus` GPUs per replica cannot be placed on the pool's nodes, if they cannot."""
    if pool.mig_profile and spec.gpus != 1:
        return f"MIG slices cannot be combined for tensor parallelism; valid on pool {pool.name}: 1"
    if pool.sharing and spec.gpus != 1:
        return f"a shared GPU cannot be combined for tensor parallelism; valid on pool {pool.name}: 1"
    if spec.gpus not in divisors:
        return (
            f"{spec.gpus} does not divide the {pool.gpus_per_node} GPUs of a {pool.machine_type} node in pool {pool.name}; "
            f"valid: {', '.join(map(str, divisors))}"
        )
    return None


class _Sizing:
    """Memory fit of one model on one pool, and what would make it fit when it does not."""

    def __init__(self, spec: ModelSpec, pool: r.GpuPool, max_len: int, utilization: float, divisors: list[int]):
        self.spec, self.pool, self.max_len, self.utilization = spec, pool, max_len, utilization
        self.kv_bytes = PRECISION_BYTES["fp8"] if spec.kv_cache_dtype == "fp8" else PRECISION_BYTES["bf16"]
        self.larger = [] if (pool.mig_profile or pool.sharing) else [d for d in divisors if d > spec.gpus]

    def fit(self, arch: Architecture, tp: int, utilization: float | None = None) -> Fit:
        return fit(
            arch, device_gib=self.pool.gpu_memory_gib, tp=tp, utilization=utilization or self.utilization,
            max_model_len=self.max_len, kv_bytes=self.kv_bytes,
        )

    def problem(self, path: str, arch: Architecture, result: Fit) -> tuple[str, str]:
        spec, pool = self.spec, self.pool
        valid = ", or ".join(self._options(arch, result)) or "a pool with larger GPUs or more GPUs per node"
        device = f"{pool.gpu}{' ' + pool.mig_profile if pool.mig_profile else ''}"
        if result.kv_budget_gib <= 0:
            return (
                f"{path}.gpus",
                f"{spec.model} ({spec.precision}) needs {result.weights_gib_per_gpu} GiB of weights per GPU at gpus: {spec.gpus}, "
                f"but one {device} gives vLLM {round(pool.gpu_memory_gib * self.utilization, 1)} GiB; valid: {valid}",
            )
        return (
            f"{path}.maxModelLen",
            f"{self.max_len} tokens need {round(self.max_len * result.kv_bytes_per_token / 2**30, 2)} GiB of KV cache per GPU "
            f"but only {result.kv_budget_gib} GiB remain after the weights on one {device}; valid: {valid}",
        )

    def _options(self, arch: Architecture, result: Fit) -> list[str]:
        """Changes that would make the model fit, most local first."""
        spec, pool = self.spec, self.pool
        options = []
        if result.kv_budget_gib > 0 and result.kv_tokens >= 256:
            options.append(f"maxModelLen <= {(result.kv_tokens // 256) * 256}")
        more = next((d for d in self.larger if self.fit(arch, d).fits), None)
        if more is not None:
            options.append(f"gpus: {more}")
        info = MODELS.get(spec.model)
        if spec.precision == "bf16" and info is not None and spec.size is None:
            fp8 = Architecture(arch.layers, arch.kv_heads, arch.head_dim, info.weights_gb["fp8"])
            tp8 = next((d for d in [spec.gpus, *self.larger] if self.fit(fp8, d).fits), None)
            if tp8 is not None:
                options.append("precision: fp8" + (f" with gpus: {tp8}" if tp8 != spec.gpus else ""))
        if pool.sharing and spec.vllm.gpu_memory_utilization is None:
            clients = range(pool.sharing.clients_per_gpu - 1, 1, -1)
            fewer = next((c for c in clients if self.fit(arch, 1, round(DEFAULT_UTILIZATION / c, 2)).fits), None)
            if fewer is not None:
                options.append(f"nodePools.{pool.name}.sharing.clientsPerGpu <= {fewer}")
        return options


def _vllm_args(spec: ModelSpec, max_len: int, utilization: float) -> tuple[str, ...]:
    args = [
        spec.model,
        "--port=8000",
        f"--served-model-name={spec.model}",
        f"--tensor-parallel-size={spec.gpus}",
        f"--gpu-memory-utilization={utilization}",
        f"--max-num-seqs={spec.vllm.max_num_seqs}",
        f"--max-model-len={max_len}",
        # vLLM's boolean flags are argparse BooleanOptionalAction, hence `--no-`; unverified against v0.33.0.
        "--enable-prefix-caching" if spec.vllm.prefix_caching else "--no-enable-prefix-caching",
    ]
    if spec.precision == "fp8":
        args.append("--quantization=fp8")
    if spec.kv_cache_dtype == "fp8":
        args.append("--kv-cache-dtype=fp8")
    return (*args, *spec.vllm.extra_args)
