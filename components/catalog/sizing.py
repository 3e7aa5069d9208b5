"""Memory fit of a model on a GPU (or MIG slice), the way vLLM v0.33.0 budgets it.

vLLM takes `gpu_memory_utilization` of the device (vllm@v0.33.0 vllm/v1/worker/utils.py:724-726),
subtracts the weights, peak activations, non-torch memory and CUDA graphs (gpu_worker.py:707-757;
`OVERHEAD_GIB` here) and gives the rest to the KV cache. A replica is only useful if that cache
holds one request of `max_model_len` tokens; vLLM refuses to start otherwise
(vllm/v1/core/kv_cache_planning.py:151-184).

KV per layer and token on one GPU is `(head_size + head_size_v) x bytes x kv_heads_per_gpu`
(vllm/v1/kv_cache_interface.py:586-601) with `kv_heads_per_gpu = max(1, kv_heads // tp)`
(vllm/config/model.py:1677-1683): tensor parallelism splits KV heads until each GPU holds one, then
replicates them. MLA caches one latent of `kv_lora_rank + qk_rope_head_dim` per layer, not split by
TP (model.py:1673-1675, kv_cache_interface.py:743). A sliding-window layer holds at most
`window - 1 + max_in_flight_tokens` tokens plus one block (kv_cache_interface.py:918-958), with
two batches of `max_num_batched_tokens` in flight under the default async scheduling
(vllm/config/vllm.py:588-609); pipeline parallelism splits the layers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .gpus import LocalDisks

GIB = 1024**3
OVERHEAD_GIB = 3.0
"""Activations, CUDA graphs and non-torch memory per GPU (reference/vllm.md: ~3 GiB; optimistic for large MoE)."""
BLOCK_TOKENS = 16
"""vLLM's KV block on CUDA; a sequence takes whole blocks."""


@dataclass(frozen=True)
class Mla:
    """Multi-head latent attention: the KV cache holds one compressed latent per token and layer."""

    kv_lora_rank: int
    rope_dim: int
    """`qk_rope_head_dim`."""


@dataclass(frozen=True)
class SlidingWindow:
    window: int
    """Tokens a sliding layer attends to."""
    layers: int
    """How many of the model's layers slide; the rest attend to the whole sequence."""


@dataclass(frozen=True)
class Architecture:
    layers: int
    kv_heads: int
    head_dim: int
    weights_gb: float
    """GB of weights at the precision served."""
    attention_heads: int | None = None
    mla: Mla | None = None
    sliding: SlidingWindow | None = None


@dataclass(frozen=True)
class Fit:
    tensor_parallel: int
    pipeline_parallel: int
    weights_gib_per_gpu: float
    kv_budget_gib: float
    """KV cache memory per GPU (negative: the weights alone do not fit)."""
    kv_bytes_per_token: int
    """KV bytes per token on one GPU at full attention on every layer."""
    kv_tokens: int
    """Tokens the cache holds, counted in requests of `max_model_len` (vLLM's "GPU KV cache size")."""
    max_model_len: int
    sequence_gib: float
    """KV one request of `max_model_len` tokens takes per GPU."""
    average_tokens: int
    concurrent: int
    """Requests of `average_tokens` (prompt plus output) the cache holds at once."""

    @property
    def fits(self) -> bool:
        return self.kv_budget_gib > 0 and self.kv_tokens >= self.max_model_len

    @property
    def full_length_sequences(self) -> int:
        return self.kv_tokens // self.max_model_len if self.max_model_len else 0


def layer_bytes_per_token(arch: Architecture, tp: int, kv_bytes: float) -> float:
    if arch.mla is not None:
        return (arch.mla.kv_lora_rank + arch.mla.rope_dim) * kv_bytes
    return 2 * arch.head_dim * kv_bytes * max(1, arch.kv_heads // tp)


def kv_bytes_per_token(arch: Architecture, tp: int, kv_bytes: float) -> int:
    return math.ceil(arch.layers * layer_bytes_per_token(arch, tp, kv_bytes))


def sequence_bytes(arch: Architecture, tokens: int, *, tp: int, pp: int, kv_bytes: float, batched_tokens: int) -> float:
    """KV bytes one request of `tokens` takes on one GPU (a pipeline stage holds 1/pp of the layers)."""
    per_layer = layer_bytes_per_token(arch, tp, kv_bytes)
    sliding = arch.sliding.layers if arch.sliding else 0
    out = (arch.layers - sliding) / pp * math.ceil(tokens / BLOCK_TOKENS) * BLOCK_TOKENS * per_layer
    if arch.sliding:
        held = min(arch.sliding.window - 1 + 2 * batched_tokens, tokens)
        out += sliding / pp * (math.ceil(held / BLOCK_TOKENS) + 1) * BLOCK_TOKENS * per_layer
    return out


def tp_problem(arch: Architecture, tp: int) -> str | None:
    """Why vLLM rejects tensor parallelism `tp` for this model, if it does.

    TP divides the query heads (vllm@v0.33.0 vllm/config/model.py:1557-1564); KV heads are split
    (tp divides them) or replicated (they divide tp) (model_executor/layers/linear.py:1066-1071).
    """
    heads = arch.attention_heads
    if heads is not None and heads % tp:
        return f"{tp} does not divide the model's {heads} attention heads"
    if arch.mla is None and (arch.kv_heads % tp if tp < arch.kv_heads else tp % arch.kv_heads):
        return f"{tp} neither divides nor is a multiple of the model's {arch.kv_heads} KV heads"
    return None


def default_batched_tokens(gpu: str, device_gib: float) -> int:
    """`--max-num-batched-tokens` vLLM's API server defaults to on this device (vllm@v0.33.0
    vllm/engine/arg_utils.py:2973-3005: >= 160 GiB 16384, >= 70 GiB and not an A100 8192, else 2048)."""
    if device_gib >= 160:
        return 16384
    if device_gib >= 70 and "A100" not in gpu:
        return 8192
    return 2048


def fit(
    arch: Architecture, *, device_gib: float, tp: int, utilization: float, max_model_len: int, kv_bytes: float,
    pp: int = 1, batched_tokens: int = 2048, average_tokens: int | None = None,
) -> Fit:
    weights = arch.weights_gb * 1e9 / GIB / (tp * pp)
    budget = device_gib * utilization - weights - OVERHEAD_GIB

    def request(tokens: int) -> float:
        return sequence_bytes(arch, tokens, tp=tp, pp=pp, kv_bytes=kv_bytes, batched_tokens=batched_tokens)

    sequence = request(max_model_len)
    average = min(average_tokens or max_model_len, max_model_len)
    room = max(0.0, budget * GIB)
    return Fit(
        tp, pp, round(weights, 2), round(budget, 2), kv_bytes_per_token(arch, tp, kv_bytes),
        int(room * max_model_len // sequence), max_model_len, round(sequence / GIB, 2), average, int(room // request(average)),
    )


_GKE_LOCAL_SSD_OVERHEAD_KIB = {1: 7289472, 2: 13725224, 3: 20031312, 4: 26332924, 5: 32634536, 6: 38946604, 7: 45254008, 8: 51556096, 16: 52837800, 24: 78686620}
"""N x 375 GiB minus the filesystem's capacity on COS, as cluster-autoscaler measured it per Local SSD count
(kubernetes/autoscaler@55c37cd5 cluster-autoscaler/cloudprovider/gce/gce_reserved.go:213-229)."""
EKS_LOCAL_FS_OVERHEAD = 0.01
"""XFS metadata on nodeadm's RAID0 of the instance store (estimate: unmeasured; the kubelet sees the filesystem's size)."""


def _gke_local_ssd_overhead(count: int) -> float:
    # Counts between the measured ones take the next measured count (gce_reserved.go:254-268); past 24,
    # which that code calls the most attachable, the 24-disk overhead scales with the count (estimate).
    measured = count if count <= 8 else 16 if count <= 16 else 24
    return _GKE_LOCAL_SSD_OVERHEAD_KIB[measured] * 1024 * max(1.0, count / 24)


def ephemeral_bytes(cloud: str, disk_gb: int, local: LocalDisks | None = None) -> int | None:
    """Allocatable ephemeral storage of a node with a `disk_gb` boot disk (both clouds size disks in GiB),
    or on its `local` NVMe where the cloud layer puts the kubelet there (GKE ephemeral-storage Local SSD,
    EKS RAID0 of the instance store); None where inferfleet does not know the node (an existing cluster).
    The one model of it: the serving layer sizes disks with it and the plan's placement check proves pods fit with it."""
    d = disk_gb
    if cloud == "gke":
        if local is not None:
            # The kubelet's filesystem on the Local SSDs: cluster-autoscaler's template node
            # (gce/templates.go:86-93); 10% eviction; GKE reserves 50 GiB for 1 Local SSD, 75 GiB for 2 and
            # 100 GiB for 3 or more (GKE "plan node sizes", local ephemeral storage reservation).
            fs = local.total_bytes - _gke_local_ssd_overhead(local.count)
            reserved = {1: 50, 2: 75}.get(local.count, 100) * GIB
            return int(0.9 * fs - reserved)
        # COS root filesystem after the OS's share: kubernetes/autoscaler cloudprovider/gce/reserved.go@ecfbdbc4
        # `CalculateOSReservedEphemeralStorage`; then GKE keeps 10% for eviction and reserves
        # min(50%, 6 GiB + 35%, 100 GiB) of the boot disk (GKE "plan node sizes", local ephemeral storage).
        fs = d - (0.015635 * d + 4.148 + min(100 / 1024, 0.001 * d))
        return int((0.9 * fs - min(0.5 * d, 6 + 0.35 * d, 100)) * GIB)
    if cloud == "eks":
        # nodeadm: evictionHard nodefs.available 10%, kubeReserved ephemeral-storage 1Gi
        # (awslabs/amazon-eks-ami@81fec2e nodeadm/internal/kubelet/config.go:110-114,283-287), on the boot
        # disk or on the RAID0 that `instance.localStorage.strategy: RAID0` mounts under the kubelet
        # (nodeadm/api/v1alpha1/nodeconfig_types.go:115-135).
        if local is not None:
            return int(0.9 * local.total_bytes * (1 - EKS_LOCAL_FS_OVERHEAD) - GIB)
        return int((0.9 * d - 1) * GIB)
    return None


def allocatable_ephemeral_gb(cloud: str, disk_gb: int, local: LocalDisks | None = None) -> float | None:
    """`ephemeral_bytes` in GB (1e9 bytes), as the serving layer's messages state sizes."""
    allocatable = ephemeral_bytes(cloud, disk_gb, local)
    return None if allocatable is None else round(allocatable / 1e9, 1)


def disk_gb_for_weights(weights_gb: float) -> int:
    """Local disk one replica needs to download and hold its weights (10% for shards in flight)."""
    return math.ceil(weights_gb * 1.1) + 5
