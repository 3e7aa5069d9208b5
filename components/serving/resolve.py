"""Resolve the serving layer: architecture, placement on a pool, memory fit, vLLM settings and pod size.

Pure Python. Each model is resolved in steps (architecture, rules, placement, memory fit, pod
size); a model with a problem is left out, and the problems name the config path to change.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Iterable, Literal, Mapping

from ..catalog.gpus import GPUS
from ..catalog.models import MODELS, PRECISION_BYTES, ModelInfo
from ..catalog.sizing import (
    OVERHEAD_GIB,
    Architecture,
    Fit,
    Mla,
    SlidingWindow,
    allocatable_ephemeral_gb,
    default_batched_tokens,
    disk_gb_for_weights,
    fit,
    kv_bytes_per_token,
    tp_problem,
)
from ..cloud.values import BucketReader, Cluster, GpuPool
from ..core.budget import DEFAULT_BUDGET, StartupBudget
from ..core.problems import Problems
from ..core.versions import Pins
from ..gpu.values import GpuValues
from .spec import ModelSpec
from .values import ModelService, Namespace, ServingValues
from .vllm import PORT, RESERVED_DESTS, TYPED_FLAGS
from .vllm_flags import TABLES, Arg, FlagError, FlagTable

DEFAULT_MAX_MODEL_LEN = 8192
DEFAULT_UTILIZATION = 0.92
ENGINE_START_SECONDS = 600
"""torch.compile, CUDA-graph capture and engine start after the weights are in GPU memory (an assumption)."""
DOWNLOAD_GB_PER_SECOND = 0.1
"""A conservative Hugging Face download rate through NAT (100 MB/s; an assumption, not a measurement)."""
LOAD_GB_PER_SECOND = 0.5
"""Reading safetensors from local disk into GPU memory (an assumption)."""
MIN_LOAD_SECONDS = 1200
NAT_USD_PER_GB = {"gke": 0.045 * 1e9 / 2**30, "eks": 0.045}
"""What NAT charges per GB a replica downloads: Cloud NAT $0.045 per GiB processed (cloud.google.com/nat/pricing);
the AWS NAT Gateway's $0.045 per GB is unverified."""
CACHE_GB = 20
"""Scratch a pod needs besides its weights: compile, Triton and FlashInfer caches."""
DEFAULT_AVERAGE_TOKENS = 2048
"""Prompt plus output tokens of the request the plan's concurrency is counted in, unless the stack says."""
SYSTEM_NAMESPACES = frozenset({"default", "kube-system", "kube-public", "kube-node-lease", "gpu-operator", "kueue-system", "lws-system"})
CPU_SHARE = 0.85
"""Share of a node's vCPUs and memory given to model pods; the rest is kubelet and daemons."""
MEMORY_SHARE = 0.8


@dataclass(frozen=True)
class _Described:
    """What sizing knows of a model: its architecture at the chosen precision and its checkpoint.

    `arch` is None for a model served `unchecked`: nothing is sized.
    """

    arch: Architecture | None
    context: int | None
    download_gb: float
    gated: bool
    catalog: ModelInfo | None


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
    cloud: str = "",
    cluster: Cluster | None = None,
) -> ServingValues:
    """Every model (in name order) and the namespaces they need.

    `pools` are the resolved pools and `pool_names` every pool the stack declares (a model on a
    pool that failed to resolve is not reported twice). `has_hf_token`: the stack holds a token.
    `cloud` (gke, eks, existing) lets a sizing problem suggest the machines that cloud sells.
    """
    reserved = SYSTEM_NAMESPACES | set(reserved_namespaces)
    flags = _flag_table(pins.vllm, problems) if models else None
    resolved = []
    warnings: list[str] = []
    for name, spec in sorted(models.items()):
        model = resolve_model(
            name, spec, pools, gpu, pins, problems, pool_names=sorted(pool_names), reserved=reserved,
            has_hf_token=has_hf_token, flags=flags, cloud=cloud, warnings=warnings, cluster=cluster,
        )
        if model is not None:
            resolved.append(model)
    _check_capacity(pools, resolved, problems, cloud)
    _check_served_names(resolved, problems)
    namespaces = tuple(
        Namespace(ns, hf_token=any(m.hf_token for m in resolved if m.namespace == ns))
        for ns in sorted({m.namespace for m in resolved})
    )
    return ServingValues(tuple(resolved), namespaces, tuple(warnings))


def _flag_table(version: str, problems: Problems) -> FlagTable | None:
    """The pinned vLLM's flag table, with every flag inferfleet emits known to it; None with a problem if not."""
    table = TABLES.get(version)
    if table is None:
        problems.add("versions.vllm", f"inferfleet has no `vllm serve` flag table for {version}; valid: {', '.join(TABLES)}")
        return None
    for flag in TYPED_FLAGS:
        known = table.options.get(flag.option)
        if known is None or known.dest != flag.dest:
            problems.add(
                "versions.vllm",
                f"vLLM {version} has no {flag.option}, which inferfleet sets from models.*.{flag.key or 'port'}; valid: {', '.join(TABLES)}",
            )
            return None
    return table


def _extra_args(path: str, spec: ModelSpec, table: FlagTable, problems: Problems) -> list[Arg]:
    """The extra args, parsed as vLLM parses them; problems for flags vLLM rejects or inferfleet sets."""
    at = f"{path}.vllm.extraArgs"
    try:
        parsed = table.parse(spec.vllm.extra_args)
    except FlagError as error:
        problems.add(at, str(error))
        return []
    typed = {f.dest: f.key for f in TYPED_FLAGS}
    seen: dict[str, str] = {}
    for arg in parsed:
        if arg.dest in typed and typed[arg.dest]:
            key = f"{path}.{typed[arg.dest]}"
            problems.add(at, f"'{arg.given}' sets {arg.dest}, which inferfleet sets from {key}; valid: set {key} and drop the flag")
        elif arg.dest in typed:
            problems.add(at, f"'{arg.given}' sets the port, which inferfleet fixes at {PORT} for probes, Services and policies; valid: drop the flag")
        elif arg.dest in RESERVED_DESTS:
            reason = RESERVED_DESTS[arg.dest].replace("models.<name>", path)
            problems.add(at, f"'{arg.given}' sets {arg.dest}; valid: drop the flag ({reason})")
        elif arg.dest in seen:
            problems.add(at, f"'{arg.given}' sets {arg.dest} again after '{seen[arg.dest]}'; valid: one of them")
        seen.setdefault(arg.dest, arg.given)
    return parsed


def _architecture(path: str, spec: ModelSpec, problems: Problems) -> _Described | None:
    info = MODELS.get(spec.model)
    gated = bool(spec.gated) if info is None or spec.gated is not None else info.gated
    if spec.size is not None:
        z = spec.size
        arch = Architecture(
            z.layers, z.kv_heads, z.head_dim, z.weights_gb, attention_heads=z.attention_heads,
            mla=Mla(z.mla.kv_lora_rank, z.mla.qk_rope_head_dim) if z.mla else None,
            sliding=SlidingWindow(z.sliding_window.window, z.sliding_window.layers) if z.sliding_window else None,
        )
        return _Described(arch, z.context, z.weights_gb, gated, None)
    if info is None and spec.unchecked:
        missing = [key for key, value in (("gpus", spec.gpus), ("maxModelLen", spec.max_model_len)) if value is None]
        if missing:
            problems.add(f"{path}.{missing[0]}", f"an unchecked model is not sized, so {' and '.join(missing)} must be set; valid: e.g. gpus: 1, maxModelLen: 8192")
            return None
        return _Described(None, None, 0.0, gated, None)
    if info is None:
        problems.add(
            f"{path}.model",
            f"'{spec.model}' is not in the model catalog; describe it with {path}.size (weightsGb, layers, kvHeads, headDim), "
            f"set {path}.unchecked: true to serve it unsized, or use one of: {', '.join(MODELS)}",
        )
        return None
    try:
        arch = info.architecture(spec.precision)
    except ValueError:
        problems.add(f"{path}.precision", f"{spec.model} ships {info.dtype} weights only; valid: native")
        return None
    return _Described(arch, info.context, info.weights_gb, gated, info)


def _check_rules(
    path: str, spec: ModelSpec, problems: Problems, *, pool_names: list[str], reserved: frozenset[str] | set[str]
) -> None:
    if spec.pool not in pool_names:
        problems.add(f"{path}.pool", f"no node pool '{spec.pool}'; valid: {', '.join(pool_names)}")
    if spec.namespace in reserved:
        problems.add(f"{path}.namespace", f"'{spec.namespace}' is a system namespace; choose another, e.g. inference")
    if spec.replicas.min > spec.replicas.max:
        problems.add(f"{path}.replicas.min", f"{spec.replicas.min} is more than max {spec.replicas.max}; min must be <= max")


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
    flags: FlagTable | None,
    cloud: str = "",
    warnings: list[str] | None = None,
    cluster: Cluster | None = None,
) -> ModelService | None:
    path = f"models.{name}"
    before = problems.count()
    _check_rules(path, spec, problems, pool_names=pool_names, reserved=reserved)
    extra = _extra_args(path, spec, flags, problems) if flags is not None else []
    described = _architecture(path, spec, problems)
    if spec.mode == "kserve" and (spec.nodes or 1) > 1:
        # KServe v0.20.0's multi-node presets are data-parallel only (config/llmisvcconfig/
        # config-llm-worker-data-parallel.yaml:188-199); TP x PP across nodes is the vllm mode's LeaderWorkerSet.
        problems.add(f"{path}.mode", "KServe's multi-node presets are data-parallel only; valid: mode: vllm for nodes > 1")
    _check_kserve(path, spec, problems)
    if spec.mode == "kserve" and spec.weights.source != "hub":
        problems.add(f"{path}.weights.source", "inferfleet's KServe mode downloads from the hub only; valid: hub, or mode: vllm")
    if spec.weights.source == "pvc" and spec.weights.claim is None:
        problems.add(f"{path}.weights.claim", "source pvc needs the claim holding the weights; valid: the name of a ReadWriteMany PVC in the model's namespace")
    _check_bucket(path, spec, cloud, problems)
    offline = spec.weights.source != "hub"
    if described is not None and described.gated and not has_hf_token and not offline:
        problems.add(
            f"{path}.model",
            f"{spec.model} is gated on Hugging Face and needs a token; "
            "set it with: pulumi config set --secret inferfleet:hfToken <token>",
        )
    pool = pools.get(spec.pool)
    if described is None or pool is None or flags is None or problems.count() > before:
        return None
    placed = _place(path, spec, pool, described, extra, problems, cloud=cloud)
    if placed is None:
        return None
    if warnings is not None and described.arch is not None:
        warnings.extend(_warnings(path, described.arch, placed.tp))
    return _service(name, spec, pool, gpu, pins, described, placed, tuple(w for a in extra for w in a.argv()), cloud, cluster)


def _check_kserve(path: str, spec: ModelSpec, problems: Problems) -> None:
    k = spec.kserve
    if spec.mode != "kserve" and (k.api != "llmInferenceService" or k.canary is not None):
        problems.add(f"{path}.kserve", "is read only with mode: kserve; valid: mode: kserve, or drop kserve")
        return
    if k.canary is not None and k.api != "inferenceService":
        # Only the v1beta1 InferenceService has spec.canary (kserve@v0.20.0 pkg/apis/serving/v1beta1/inference_service.go:36-59).
        problems.add(f"{path}.kserve.canary", "a canary is an InferenceService's; valid: kserve.api: inferenceService, or drop canary")
    if k.api == "inferenceService" and spec.vllm.extra_args:
        # The Hugging Face server parses with parse_known_args and drops what it does not know, and it runs
        # vllm 0.24.0, not the pinned one (kserve@v0.20.0 python/huggingfaceserver/huggingfaceserver/__main__.py:168,213;
        # python/kserve/pyproject.toml:78): extra flags cannot be checked.
        problems.add(
            f"{path}.vllm.extraArgs",
            "the InferenceService's Hugging Face runtime silently drops flags it does not know, so they cannot be checked; "
            "valid: no extraArgs, or kserve.api: llmInferenceService",
        )


BUCKET_CLOUDS = {"gcs": "gke", "s3": "eks"}
"""The cluster each bucket source is mounted on: GCS FUSE is GKE's add-on, Mountpoint for S3 an EKS add-on."""


def _check_bucket(path: str, spec: ModelSpec, cloud: str, problems: Problems) -> None:
    w = spec.weights
    if w.source in BUCKET_CLOUDS:
        if BUCKET_CLOUDS[w.source] != cloud:
            valid = [s for s, c in BUCKET_CLOUDS.items() if c == cloud]
            problems.add(
                f"{path}.weights.source",
                f"{w.source} buckets are mounted on {BUCKET_CLOUDS[w.source].upper()} clusters only, this one is {cloud or 'unknown'}; "
                f"valid: {', '.join(['hub', 'pvc', *valid])}",
            )
        if w.bucket is None:
            problems.add(f"{path}.weights.bucket", f"source {w.source} needs the bucket holding the hub cache; valid: a bucket name such as acme-weights")
    elif w.bucket is not None or w.prefix is not None:
        problems.add(f"{path}.weights.bucket", f"bucket and prefix are for source gcs or s3, not {w.source}; valid: drop them, or source: gcs/s3")


def _bucket(name: str, spec: ModelSpec, cluster: Cluster | None) -> BucketReader | None:
    w = spec.weights
    if w.source not in BUCKET_CLOUDS or w.bucket is None:
        return None
    region = getattr(cluster, "region", None) if w.source == "s3" else None
    source: Literal["gcs", "s3"] = "gcs" if w.source == "gcs" else "s3"
    return BucketReader(source, w.bucket, w.prefix, spec.namespace, f"{name}-weights", region=region)


@dataclass(frozen=True)
class _Placed:
    tp: int
    pp: int
    max_len: int
    utilization: float
    fit: Fit | None
    """None for an unchecked model."""


def shared_utilization(clients: int) -> float:
    """The default memory share of one of `clients` pods on a GPU, in hundredths, rounded down:
    rounding 0.92 / 8 up to 0.12 gave 8 pods 0.96 of the GPU, over the limit `_place` sets."""
    return math.floor(round(DEFAULT_UTILIZATION / clients * 100, 6)) / 100


def _place(
    path: str, spec: ModelSpec, pool: GpuPool, described: _Described, extra: list[Arg], problems: Problems, *, cloud: str
) -> _Placed | None:
    """Tensor parallelism, max model length, GPU memory utilization and memory fit on the pool; None with a problem."""
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
    nodes = spec.nodes or 1
    if nodes > 1 and (pool.mig_profile or pool.sharing or (spec.gpus is not None and spec.gpus != pool.gpus_per_node)):
        problems.add(f"{path}.gpus", f"a multi-node replica takes whole GPUs of whole nodes; valid on pool {pool.name}: gpus: {pool.gpus_per_node} without MIG or sharing")
        return None
    if nodes > pool.max_nodes:
        problems.add(
            f"{path}.nodes",
            f"{nodes} nodes per replica but pool {pool.name} has at most {pool.max_nodes}; valid: nodePools.{pool.name}.nodes.max >= {nodes}",
        )
        return None
    arch = described.arch
    if arch is None:  # unchecked: the stack gave gpus and maxModelLen (checked in _architecture)
        assert spec.gpus is not None and spec.max_model_len is not None
        return _Placed(spec.gpus, nodes, spec.max_model_len, utilization, None)
    context = described.context or DEFAULT_MAX_MODEL_LEN
    max_len = spec.max_model_len or min(DEFAULT_MAX_MODEL_LEN, context)
    if max_len > context:
        problems.add(f"{path}.maxModelLen", f"{max_len} is longer than the model's context of {context}; valid: <= {context}")
        return None
    single = bool(pool.mig_profile or pool.sharing)
    allowed = [d for d in ([1] if single else divisors) if tp_problem(arch, d) is None]
    if spec.gpus is not None and tp_problem(arch, spec.gpus):
        valid = ", ".join(map(str, allowed)) or "none on this pool"
        problems.add(f"{path}.gpus", f"{tp_problem(arch, spec.gpus)}; valid on pool {pool.name}: {valid}")
        return None
    if not allowed:
        problems.add(f"{path}.gpus", f"no GPU count a {pool.machine_type} node offers suits the model's attention heads; valid: a pool with other GPU counts")
        return None
    sizing = _Sizing(spec, pool, max_len, utilization, allowed, extra, described, cloud)
    if nodes > 1:
        return _place_nodes(path, pool, arch, sizing, problems, nodes, max_len, utilization)
    candidates = [spec.gpus] if spec.gpus is not None else allowed
    for tp in candidates:
        result = sizing.fit(arch, tp)
        if result.fits:
            return _Placed(tp, 1, max_len, utilization, result)
    problems.add(*_derived(sizing.problem(path, arch, candidates), spec, pool, max_len, utilization, described))
    return None


def _derived(
    problem: tuple[str, str], spec: ModelSpec, pool: GpuPool, max_len: int, utilization: float, described: _Described
) -> tuple[str, str]:
    """A sizing problem that a value the user never set caused says how that value was derived."""
    key, message = problem
    what, _, valid = message.partition("; valid: ")
    notes = []
    if spec.vllm.gpu_memory_utilization is None and pool.sharing:
        notes.append(
            f"gpuMemoryUtilization {utilization} is derived: {DEFAULT_UTILIZATION} / {pool.sharing.clients_per_gpu} "
            f"{pool.sharing.strategy} clients per GPU of pool {pool.name}"
        )
    if spec.max_model_len is None and key.endswith(".maxModelLen"):
        notes.append(f"maxModelLen {max_len} is derived: min({DEFAULT_MAX_MODEL_LEN}, the model's context {described.context})")
    return (key, f"{what} ({'; '.join(notes)}); valid: {valid}") if notes else problem


def _place_nodes(
    path: str, pool: GpuPool, arch: Architecture, sizing: "_Sizing", problems: Problems, nodes: int,
    max_len: int, utilization: float,
) -> _Placed | None:
    """A replica of `nodes` whole nodes: tensor parallel across each node's GPUs, pipeline parallel across nodes."""
    heads = tp_problem(arch, pool.gpus_per_node)
    if heads:
        problems.add(f"{path}.nodes", f"a multi-node replica is tensor parallel over all {pool.gpus_per_node} GPUs of a node, but {heads}; valid: nodes: 1, or a pool with another GPU count")
        return None
    result = sizing.fit(arch, pool.gpus_per_node, pp=nodes)
    if not result.fits:
        problems.add(*_derived(sizing.problem(path, arch, [pool.gpus_per_node], pp=nodes), sizing.spec, pool, max_len, utilization, sizing.described))
        return None
    return _Placed(pool.gpus_per_node, nodes, max_len, utilization, result)


def startup_budget(download_gb: float, weights_gb: float) -> StartupBudget:
    """The load budget of one replica: download, load into GPU memory, compile, in whole minutes."""
    seconds = ENGINE_START_SECONDS + download_gb / DOWNLOAD_GB_PER_SECOND + weights_gb / LOAD_GB_PER_SECOND
    return StartupBudget(load_seconds=max(MIN_LOAD_SECONDS, math.ceil(seconds / 60) * 60))


def _warnings(path: str, arch: Architecture, tp: int) -> list[str]:
    if arch.mla is None and tp > arch.kv_heads:
        per_gpu = round(kv_bytes_per_token(arch, tp, 2) / 1024, 1)
        return [
            f"{path}: {tp} GPUs exceed the model's {arch.kv_heads} KV heads, so vLLM replicates each KV head on "
            f"{tp // arch.kv_heads} GPUs; KV per token per GPU stays {per_gpu} KiB (bf16) instead of shrinking with more GPUs"
        ]
    return []


def _service(
    name: str, spec: ModelSpec, pool: GpuPool, gpu: GpuValues, pins: Pins, described: _Described,
    placed: _Placed, extra_args: tuple[str, ...], cloud: str, cluster: Cluster | None = None,
) -> ModelService:
    share = placed.tp / pool.units_per_node  # of the node (per pod): MIG slices and shared GPUs are units too
    claim = spec.weights.claim if spec.weights.source == "pvc" else None
    bucket = _bucket(name, spec, cluster)
    offline = claim is not None or bucket is not None
    project = getattr(cluster, "project", None)
    google_account = bucket.google_service_account(cluster.name, project) if bucket and bucket.source == "gcs" and cluster and project else None
    bf16_checkpoint = described.catalog is not None and described.catalog.dtype == "bf16"
    # Unchecked: nothing is known of the checkpoint, so the platform's default hour.
    budget = startup_budget(0.0 if offline else described.download_gb, described.arch.weights_gb) if described.arch else DEFAULT_BUDGET
    return ModelService(
        name=name,
        namespace=spec.namespace,
        model_id=spec.model,
        pool=pool.name,
        tensor_parallel=placed.tp,
        pipeline_parallel=placed.pp,
        mode=spec.mode,
        gpu_resource=gpu.resources[pool.name].name,
        gpu_claim=gpu.resources[pool.name].claim,
        replicas=spec.replicas.min,
        max_replicas=spec.replicas.max,
        max_model_len=placed.max_len,
        gpu_memory_utilization=placed.utilization,
        max_num_seqs=spec.vllm.max_num_seqs,
        prefix_caching=spec.vllm.prefix_caching,
        # Online FP8 quantisation of bf16 weights; an fp8 or mxfp4 checkpoint declares its own.
        quantization="fp8" if spec.precision == "fp8" and (bf16_checkpoint or described.catalog is None) else None,
        kv_cache_dtype=spec.kv_cache_dtype,
        extra_args=extra_args,
        image=pins.vllm_image,
        cpu=str(max(1, math.floor(pool.vcpus * CPU_SHARE * share))),
        memory=f"{max(4, math.floor(pool.memory_gib * MEMORY_SHARE * share))}Gi",
        ephemeral_storage=f"{CACHE_GB if offline else disk_gb_for_weights(described.download_gb)}G",
        shm_size="2Gi" if placed.tp > 1 else "1Gi",
        hf_token=described.gated and not offline,  # offline from the claim or bucket: the hub is never asked
        node_selector=pool.selector,
        tolerations=pool.tolerations,
        fit=placed.fit,
        download_gb=0.0 if offline else described.download_gb,
        weights_claim=claim,
        weights_bucket=bucket,
        google_service_account=google_account,
        kserve_api=spec.kserve.api if spec.mode == "kserve" else "llmInferenceService",
        canary_revision=spec.kserve.canary.revision if spec.kserve.canary else None,
        canary_percent=spec.kserve.canary.traffic_percent if spec.kserve.canary else 0,
        device=f"{pool.gpu} {pool.mig_profile} slice" if pool.mig_profile else f"{pool.gpu} (shared)" if pool.sharing else pool.gpu,
        usd_per_hour=round(pool.price.usd_per_hour * share, 4) if pool.price else None,
        budget=budget,
        longest_request_seconds=spec.longest_request_seconds,
        allow_surge=spec.allow_surge,
        nat_usd_per_gb=NAT_USD_PER_GB.get(cloud),
        # Karpenter would consolidate a node under a pod still downloading and loading its weights.
        pod_annotations=pool.pod_annotations(budget),
    )


def _check_served_names(models: list[ModelService], problems: Problems) -> None:
    """One served name per namespace: vLLM's metrics label (`model_name`) and a router's model list key on it."""
    first: dict[tuple[str, str], str] = {}
    for m in models:
        key = (m.namespace, m.model_id)
        if key in first:
            problems.add(
                f"models.{m.name}.model",
                f"{m.model_id} is already served in namespace {m.namespace} by models.{first[key]}; "
                "valid: one model service per model and namespace (raise its replicas, or use another namespace)",
            )
        first.setdefault(key, m.name)


def _check_capacity(pools: Mapping[str, GpuPool], models: list[ModelService], problems: Problems, cloud: str) -> None:
    """Minimum replicas must fit the pool's maximum; weights of co-located replicas must fit the disk."""
    for pool in pools.values():
        placed = [m for m in models if m.pool == pool.name]
        need = sum((m.replicas + m.canary_replicas) * m.gpus_per_replica for m in placed)
        if need > pool.max_units:
            listing = ", ".join(f"{m.name} {m.replicas} x {m.gpus_per_replica}" for m in placed)
            problems.add(
                f"nodePools.{pool.name}.nodes.max",
                f"the minimum replicas placed here ({listing}) need {need} GPUs but {pool.max_nodes} node(s) give "
                f"{pool.max_units}; valid: nodes.max >= {math.ceil(need / pool.units_per_node)}",
            )
        allocatable = allocatable_ephemeral_gb(cloud, pool.disk_size_gb, pool.local_disks) if placed and pool.created else None
        if allocatable is not None:
            per_node = max((pool.units_per_node // m.tensor_parallel) * int(m.ephemeral_storage.removesuffix("G")) for m in placed)
            if per_node > allocatable and pool.local_disks is not None:
                local = pool.local_disks
                problems.add(
                    f"nodePools.{pool.name}.gpusPerNode",
                    f"the {local.count} local NVMe disks of {pool.machine_type} leave pods {allocatable} GB of ephemeral storage, "
                    f"less than the {per_node} GB of model weights its replicas download per node; valid: fewer replicas per node",
                )
            elif per_node > allocatable:
                enough = next(d for d in range(pool.disk_size_gb, 65536) if (allocatable_ephemeral_gb(cloud, d) or 0) >= per_node)
                problems.add(
                    f"nodePools.{pool.name}.diskSizeGb",
                    f"a {pool.disk_size_gb} GB boot disk leaves pods {allocatable} GB of ephemeral storage on {cloud.upper()}, "
                    f"less than the {per_node} GB of model weights its replicas download per node; valid: >= {enough}, "
                    "or fewer replicas per node",
                )


def _placement_problem(spec: ModelSpec, pool: GpuPool, divisors: list[int]) -> str | None:
    """Why `spec.gpus` GPUs per replica cannot be placed on the pool's nodes, if they cannot."""
    if spec.gpus is None:
        return None
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

    def __init__(
        self, spec: ModelSpec, pool: GpuPool, max_len: int, utilization: float, allowed: list[int],
        extra: list[Arg], described: _Described, cloud: str,
    ):
        self.spec, self.pool, self.max_len, self.utilization = spec, pool, max_len, utilization
        self.allowed, self.described, self.cloud = allowed, described, cloud
        self.kv_bytes = PRECISION_BYTES["fp8"] if spec.kv_cache_dtype == "fp8" else PRECISION_BYTES["bf16"]
        given = {a.dest: a for a in extra}
        batched = given.get("max_num_batched_tokens")
        self.batched = int(batched.values[0]) if batched else default_batched_tokens(pool.gpu, pool.gpu_memory_gib)
        hybrid = given.get("disable_hybrid_kv_cache_manager")
        # Without the hybrid allocator vLLM sizes sliding layers like full ones (kv_cache_interface.py:621-627).
        self.hybrid = hybrid is None or hybrid.option != "--disable-hybrid-kv-cache-manager"
        self.average = spec.average_request_tokens or min(DEFAULT_AVERAGE_TOKENS, max_len)

    def fit(
        self, arch: Architecture, tp: int, *, utilization: float | None = None, device_gib: float | None = None,
        max_len: int | None = None, kv_bytes: float | None = None, pp: int = 1,
    ) -> Fit:
        return fit(
            arch if self.hybrid else replace(arch, sliding=None), pp=pp,
            device_gib=device_gib or self.pool.gpu_memory_gib, tp=tp, utilization=utilization or self.utilization,
            max_model_len=max_len or self.max_len, kv_bytes=kv_bytes or self.kv_bytes,
            batched_tokens=self.batched, average_tokens=self.average,
        )

    def problem(self, path: str, arch: Architecture, candidates: list[int], pp: int = 1) -> tuple[str, str]:
        spec, pool = self.spec, self.pool
        tp = candidates[-1]  # the most GPUs tried
        result = self.fit(arch, tp, pp=pp)
        options = self._options(arch, tp, result) if pp == 1 else self._more_nodes(arch, pp)
        valid = ", or ".join(options) or "a pool with larger GPUs or more GPUs per node"
        device = f"{pool.gpu}{' ' + pool.mig_profile + ' slice' if pool.mig_profile else ''}"
        tried = f"gpus: {tp}" if spec.gpus is not None or len(candidates) == 1 else f"gpus: {tp}, the most a {pool.machine_type} node allows"
        if pp > 1:
            tried += f" on each of nodes: {pp}"
        if result.kv_budget_gib <= 0:
            return (
                f"{path}.gpus",
                f"{spec.model} ({self._precision()}) needs {result.weights_gib_per_gpu} GiB of weights per GPU at {tried}, "
                f"but one {device} gives vLLM {round(pool.gpu_memory_gib * self.utilization, 2)} GiB "
                f"({self.utilization} x {pool.gpu_memory_gib} GiB, less {OVERHEAD_GIB:g} GiB for activations); valid: {valid}",
            )
        return (
            f"{path}.maxModelLen",
            f"{self.max_len} tokens need {result.sequence_gib} GiB of KV cache per GPU at {tried} but only "
            f"{result.kv_budget_gib} GiB remain after the weights on one {device}; valid: {valid}",
        )

    def _more_nodes(self, arch: Architecture, pp: int) -> list[str]:
        """More nodes per replica (pipeline parallel), only once the pool's nodes are the largest the cloud sells."""
        pool = self.pool
        if pool.mig_profile or pool.sharing or pool.gpus_per_node not in self.allowed or self.spec.gpus not in (None, pool.gpus_per_node):
            return []
        if pool.gpus_per_node < max(_gpu_counts(pool.gpu, self.cloud), default=0):
            return []
        more = next((n for n in range(pp + 1, max(pool.max_nodes, pp + 8) + 1) if self.fit(arch, pool.gpus_per_node, pp=n).fits), None)
        if more is None:
            return []
        grow = f" with nodePools.{pool.name}.nodes.max >= {more}" if more > pool.max_nodes else ""
        return [f"nodes: {more}{grow}"]

    def _precision(self) -> str:
        info = self.described.catalog
        return info.dtype if self.spec.precision == "native" and info is not None else self.spec.precision

    def _longest(self, arch: Architecture, tp: int) -> int:
        """The longest max model length (a multiple of 256) that fits at `tp`, 0 if none."""
        low, high = 0, self.max_len // 256
        while low < high:
            mid = (low + high + 1) // 2
            if self.fit(arch, tp, max_len=mid * 256).fits:
                low = mid
            else:
                high = mid - 1
        return low * 256

    def _options(self, arch: Architecture, tp: int, result: Fit) -> list[str]:
        """Changes that would make the model fit, those that keep the hardware first."""
        spec, pool, info = self.spec, self.pool, self.described.catalog
        options = []
        if result.kv_budget_gib > 0:
            longest = self._longest(arch, tp)
            if longest:
                options.append(f"maxModelLen <= {longest}")
            if spec.kv_cache_dtype == "auto" and self.fit(arch, tp, kv_bytes=PRECISION_BYTES["fp8"]).fits:
                options.append("kvCacheDtype: fp8")
        more = next((d for d in self.allowed if d > tp and self.fit(arch, d).fits), None)
        if more is not None:
            options.append(f"gpus: {more}")
        if info is not None and info.dtype == "bf16" and spec.precision != "fp8" and spec.size is None:
            fp8 = info.architecture("fp8")
            tp8 = next((d for d in self.allowed if d >= (spec.gpus or 1) and self.fit(fp8, d).fits), None)
            if tp8 is not None:
                options.append("precision: fp8" + (f" with gpus: {tp8}" if tp8 != (spec.gpus or 1) else ""))
        if pool.sharing and spec.vllm.gpu_memory_utilization is None:
            clients = range(pool.sharing.clients_per_gpu - 1, 1, -1)
            fewer = next((c for c in clients if self.fit(arch, 1, utilization=round(DEFAULT_UTILIZATION / c, 2)).fits), None)
            if fewer is not None:
                options.append(f"nodePools.{pool.name}.sharing.clientsPerGpu <= {fewer}")
        options += self._more_nodes(arch, 1)
        options += self._hardware(arch)
        return options

    def _hardware(self, arch: Architecture) -> list[str]:
        """The nearest pool change that fits: a larger MIG slice, more GPUs per node, or a larger GPU."""
        pool = self.pool
        at = f"nodePools.{pool.name}"
        entry = GPUS.get(pool.gpu)
        if entry is None or pool.sharing:
            return []
        if pool.mig_profile:
            current = entry.mig_profile(pool.mig_profile)
            usable = pool.gpu_memory_gib / current.memory_gb if current else 1.0  # the cloud layer's share of a slice
            for profile in sorted(entry.mig_profiles, key=lambda p: p.memory_gb):
                if profile.memory_gb * usable > pool.gpu_memory_gib and self.fit(arch, 1, device_gib=profile.memory_gb * usable).fits:
                    return [f"{at}.mig: {profile.name}"]
            return []
        out = []
        counts = _gpu_counts(pool.gpu, self.cloud)
        for count in (c for c in counts if c > pool.gpus_per_node):
            tp = next((d for d in range(1, count + 1) if count % d == 0 and not tp_problem(arch, d) and self.fit(arch, d).fits), None)
            if tp is not None:
                out.append(f"{at}.gpusPerNode: {count} with gpus: {tp}")
                break
        tp = self.spec.gpus or self.allowed[-1]
        for other in sorted(GPUS.values(), key=lambda g: g.usable_gib):
            if other.usable_gib <= pool.gpu_memory_gib or not self.fit(arch, tp, device_gib=other.usable_gib).fits:
                continue
            counts = _gpu_counts(other.name, self.cloud)
            if pool.gpus_per_node in counts:
                out.append(f"{at}.gpu: {other.name}")
                break
            node = next((c for c in counts if c % tp == 0), None)
            if node is not None:
                out.append(f"{at}.gpu: {other.name} with gpusPerNode: {node}")
                break
        return out


def _gpu_counts(gpu_name: str, cloud: str) -> tuple[int, ...]:
    entry = GPUS.get(gpu_name)
    return entry.offerings[cloud].gpu_counts() if entry is not None and cloud in entry.offerings else ()
