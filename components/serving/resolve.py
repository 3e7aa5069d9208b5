"""Resolve the serving layer: architecture, placement on a pool, memory fit, vLLM settings and pod size.

Pure Python. Each model is resolved in steps (architecture, rules, placement, memory fit, pod
size); a model with a problem is left out, and the problems name the config path to change.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable, Mapping

from ..catalog.models import MODELS, PRECISION_BYTES
from ..catalog.sizing import DISK_HEADROOM_GB, Architecture, Fit, disk_gb_for_weights, fit
from ..cloud.values import GpuPool
from ..core.problems import Problems
from ..core.versions import Pins
from ..gpu.values import GpuValues
from .spec import ModelSpec
from .values import ModelService, Namespace, ServingValues
from .vllm import MANAGED_FLAGS

DEFAULT_MAX_MODEL_LEN = 8192
DEFAULT_UTILIZATION = 0.92
SYSTEM_NAMESPACES = frozenset({"default", "kube-system", "kube-public", "kube-node-lease", "gpu-operator", "kueue-system"})
CPU_SHARE = 0.85
"""Share of a node's vCPUs and memory given to model pods; the rest is kubelet and daemons."""
MEMORY_SHARE = 0.8


@dataclass(frozen=True)
class _Described:
    """What sizing knows of a model: its architecture at the chosen precision and its checkpoint."""

    arch: Architecture
    context: int
    download_gb: float
    gated: bool


def resolve(
    models: Mapping[str, ModelSpec],
    pools: Mapping[str, GpuPool],
    gpu: GpuValues,
    pins: Pins,
    problems: Problems,
    *,
    pool_names: Iterable[str],
    reserved_namespaces: Iterable[str] = (),
    has_hf_token: bool,
) -> ServingValues:
    """Every model (in name order) and the namespaces they need.

    `pools` are the resolved pools and `pool_names` every pool the stack declares (a model on a
    pool that failed to resolve is not reported twice). `has_hf_token`: the stack holds a token.
    """
    reserved = SYSTEM_NAMESPACES | set(reserved_namespaces)
    resolved = []
    for name, spec in sorted(models.items()):
        model = resolve_model(name, spec, pools, gpu, pins, problems, pool_names=sorted(pool_names), reserved=reserved, has_hf_token=has_hf_token)
        if model is not None:
            resolved.append(model)
    _check_capacity(pools, resolved, problems)
    namespaces = tuple(
        Namespace(ns, hf_token=any(m.hf_token for m in resolved if m.namespace == ns))
        for ns in sorted({m.namespace for m in resolved})
    )
    return ServingValues(tuple(resolved), namespaces)


def _architecture(name: str, spec: ModelSpec, problems: Problems) -> _Described | None:
    info = MODELS.get(spec.model)
    if spec.size is not None:
        s = spec.size
        return _Described(Architecture(s.layers, s.kv_heads, s.head_dim, s.weights_gb), s.context, s.weights_gb, bool(spec.gated))
    if info is None:
        known = ", ".join(MODELS)
        problems.add(
            f"models.{name}.model",
            f"'{spec.model}' is not in the model catalog; describe it with models.{name}.size "
            f"(weightsGb, layers, kvHeads, headDim) or use one of: {known}",
        )
        return None
    arch = Architecture(info.layers, info.kv_heads, info.head_dim, info.weights_gb[spec.precision])
    return _Described(arch, info.context, info.weights_gb["bf16"], info.gated if spec.gated is None else spec.gated)


def _check_rules(
    path: str, spec: ModelSpec, problems: Problems, *, pool_names: list[str], reserved: frozenset[str] | set[str]
) -> None:
    if spec.pool not in pool_names:
        problems.add(f"{path}.pool", f"no node pool '{spec.pool}'; valid: {', '.join(pool_names)}")
    if spec.namespace in reserved:
        problems.add(f"{path}.namespace", f"'{spec.namespace}' is a system namespace; choose another, e.g. inference")
    if spec.replicas.min > spec.replicas.max:
        problems.add(f"{path}.replicas.min", f"{spec.replicas.min} is more than max {spec.replicas.max}; min must be <= max")
    for arg in spec.vllm.extra_args:
        flag = arg.split("=", 1)[0]
        if flag in MANAGED_FLAGS:
            problems.add(f"{path}.vllm.extraArgs", f"'{flag}' is set by inferfleet; use the model's own keys (gpus, maxModelLen, vllm.*)")


def resolve_model(
    name: str,
    spec: ModelSpec,
    pools: Mapping[str, GpuPool],
    gpu: GpuValues,
    pins: Pins,
    problems: Problems,
    *,
    pool_names: list[str],
    reserved: frozenset[str] | set[str],
    has_hf_token: bool,
) -> ModelService | None:
    path = f"models.{name}"
    before = problems.count()
    _check_rules(path, spec, problems, pool_names=pool_names, reserved=reserved)
    described = _architecture(name, spec, problems)
    if described is not None and described.gated and not has_hf_token:
        problems.add(
            f"{path}.model",
            f"{spec.model} is gated on Hugging Face and needs a token; "
            "set it with: pulumi config set --secret inferfleet:hfToken <token>",
        )
    pool = pools.get(spec.pool)
    if described is None or pool is None or problems.count() > before:
        return None
    placed = _place(path, spec, pool, described, problems)
    if placed is None:
        return None
    max_len, utilization, result = placed
    return _service(name, spec, pool, gpu, pins, described, max_len, utilization, result)


def shared_utilization(clients: int) -> float:
    """The default memory share of one of `clients` pods on a GPU, in hundredths, rounded down:
    rounding 0.92 / 8 up to 0.12 gave 8 pods 0.96 of the GPU, over the limit `_place` sets."""
    return math.floor(round(DEFAULT_UTILIZATION / clients * 100, 6)) / 100


def _place(
    path: str, spec: ModelSpec, pool: GpuPool, described: _Described, problems: Problems
) -> tuple[int, float, Fit] | None:
    """(max model length, GPU memory utilization, memory fit) on the pool, or None with a problem added."""
    divisors = [d for d in range(1, pool.gpus_per_node + 1) if pool.gpus_per_node % d == 0]
    placement = _placement_problem(spec, pool, divisors)
    if placement:
        problems.add(f"{path}.gpus", placement)
        return None
    shared_by = pool.sharing.clients_per_gpu if pool.sharing else 1
    utilization = spec.vllm.gpu_memory_utilization or shared_utilization(shared_by)
    if shared_by > 1 and utilization * shared_by > 0.95:
        problems.add(
            f"{path}.vllm.gpuMemoryUtilization",
            f"{utilization} x {shared_by} pods sharing a GPU is more than the GPU; valid: <= {math.floor(95 / shared_by) / 100}",
        )
        return None
    max_len = spec.max_model_len or min(DEFAULT_MAX_MODEL_LEN, described.context)
    if max_len > described.context:
        problems.add(f"{path}.maxModelLen", f"{max_len} is longer than the model's context of {described.context}; valid: <= {described.context}")
        return None
    sizing = _Sizing(spec, pool, max_len, utilization, divisors)
    result = sizing.fit(described.arch, spec.gpus)
    if not result.fits:
        key, message = sizing.problem(path, described.arch, result)
        what, _, valid = message.partition("; valid: ")
        notes = []  # an error caused by a value the user never set says how it was derived
        if spec.vllm.gpu_memory_utilization is None and pool.sharing:
            notes.append(f"gpuMemoryUtilization {utilization} is derived: {DEFAULT_UTILIZATION} / {shared_by} "
                         f"{pool.sharing.strategy} clients per GPU of pool {pool.name}")
        if spec.max_model_len is None and key.endswith(".maxModelLen"):
            notes.append(f"maxModelLen {max_len} is derived: min({DEFAULT_MAX_MODEL_LEN}, the model's context {described.context})")
        problems.add(key, f"{what} ({'; '.join(notes)}); valid: {valid}" if notes else message)
        return None
    return max_len, utilization, result


def _service(
    name: str, spec: ModelSpec, pool: GpuPool, gpu: GpuValues, pins: Pins, described: _Described,
    max_len: int, utilization: float, result: Fit,
) -> ModelService:
    share = spec.gpus / pool.units_per_node  # of the node: MIG slices and shared GPUs are units too
    return ModelService(
        name=name,
        namespace=spec.namespace,
        model_id=spec.model,
        pool=pool.name,
        tensor_parallel=spec.gpus,
        gpu_resource=gpu.resources[pool.name].name,
        gpu_claim=gpu.resources[pool.name].claim,
        replicas=spec.replicas.min,
        max_replicas=spec.replicas.max,
        max_model_len=max_len,
        gpu_memory_utilization=utilization,
        max_num_seqs=spec.vllm.max_num_seqs,
        prefix_caching=spec.vllm.prefix_caching,
        quantization="fp8" if spec.precision == "fp8" else None,
        kv_cache_dtype=spec.kv_cache_dtype,
        extra_args=spec.vllm.extra_args,
        image=pins.vllm_image,
        cpu=str(max(1, math.floor(pool.vcpus * CPU_SHARE * share))),
        memory=f"{max(4, math.floor(pool.memory_gib * MEMORY_SHARE * share))}Gi",
        ephemeral_storage=f"{disk_gb_for_weights(described.download_gb)}G",
        shm_size="2Gi" if spec.gpus > 1 else "1Gi",
        hf_token=described.gated,
        node_selector=pool.selector,
        tolerations=pool.tolerations,
        fit=result,
        download_gb=described.download_gb,
    )


def _check_capacity(pools: Mapping[str, GpuPool], models: list[ModelService], problems: Problems) -> None:
    """Minimum replicas must fit the pool's maximum; weights of co-located replicas must fit the disk."""
    for pool in pools.values():
        placed = [m for m in models if m.pool == pool.name]
        need = sum(m.replicas * m.tensor_parallel for m in placed)
        if need > pool.max_units:
            listing = ", ".join(f"{m.name} {m.replicas} x {m.tensor_parallel}" for m in placed)
            problems.add(
                f"nodePools.{pool.name}.nodes.max",
                f"the minimum replicas placed here ({listing}) need {need} GPUs but {pool.max_nodes} node(s) give "
                f"{pool.max_units}; valid: nodes.max >= {math.ceil(need / pool.units_per_node)}",
            )
        if placed and pool.created:
            per_node = max((pool.units_per_node // m.tensor_parallel) * disk_gb_for_weights(m.download_gb) for m in placed)
            if per_node + DISK_HEADROOM_GB > pool.disk_size_gb:
                problems.add(
                    f"nodePools.{pool.name}.diskSizeGb",
                    f"{pool.disk_size_gb} GB cannot hold {per_node} GB of model weights per node plus "
                    f"{DISK_HEADROOM_GB} GB for the system; valid: >= {per_node + DISK_HEADROOM_GB}",
                )


def _placement_problem(spec: ModelSpec, pool: GpuPool, divisors: list[int]) -> str | None:
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

    def __init__(self, spec: ModelSpec, pool: GpuPool, max_len: int, utilization: float, divisors: list[int]):
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
