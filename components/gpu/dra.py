"""The NVIDIA DRA driver: Helm values that put its kubelet plugin on the DRA pools only."""

from __future__ import annotations

from typing import Any

from ..catalog.gpus import NVIDIA_GPU
from ..cloud.values import GkeCluster, GpuPool
from .values import GpuStackArgs

NAMESPACE = "nvidia-dra-driver-gpu"
OPERATOR_DRIVER_ROOT = "/run/nvidia/driver"
"""Where the GPU Operator's driver container puts the driver (dra-driver-nvidia-gpu@v0.4.1 docs/install.md:127)."""
GKE_DRIVER_ROOT = "/home/kubernetes/bin/nvidia"
"""Where GKE's driver installer puts the driver on GKE nodes (container-engine-accelerators@992db812
nvidia-driver-installer/cos/daemonset-preloaded.yaml:65-67,87-88); GKE's DRA setup installs the chart
with nvidiaDriverRoot=/home/kubernetes/bin/nvidia (docs.cloud.google.com/kubernetes-engine/docs/how-to/set-up-dra)."""


def dra_pools(pools: tuple[GpuPool, ...]) -> list[GpuPool]:
    return [p for p in pools if p.allocation == "dra"]


def node_terms(pools: list[GpuPool]) -> list[dict[str, Any]]:
    """One term per pool: a node matching any term is one of theirs (terms are ORed)."""
    return [
        {"matchExpressions": [{"key": k, "operator": "In", "values": [v]} for k, v in sorted(p.selector.items())]} for p in pools
    ]


def tolerations(pools: list[GpuPool]) -> list[dict[str, Any]]:
    """The GPU taint and the pools' own taints, or a DaemonSet for these nodes never runs there."""
    out = [{"key": NVIDIA_GPU, "operator": "Exists", "effect": "NoSchedule"}]
    for taint in (t for p in pools for t in p.taints if t.key != NVIDIA_GPU):
        if taint.toleration() not in out:
            out.append(taint.toleration())
    return out


def driver_root(args: GpuStackArgs) -> str:
    """Where the NVIDIA driver is on the DRA pools' nodes."""
    if isinstance(args.cluster, GkeCluster):
        return GKE_DRIVER_ROOT
    # The EKS NVIDIA AMI and host-installed drivers live at /; the operator's under /run/nvidia/driver.
    return OPERATOR_DRIVER_ROOT if args.install_driver else "/"


def critical_pods(pools: tuple[GpuPool, ...]) -> int:
    """The chart's system-*-critical pods (values.yaml:209,254): a kubelet plugin per DRA node, and
    the controller with a surge pod."""
    return sum(p.max_nodes for p in dra_pools(pools)) + 2


def chart_values(args: GpuStackArgs) -> dict[str, Any]:
    """Values for the dra-driver-nvidia-gpu chart (v0.4.1 values.yaml): GPUs only, on the DRA pools' nodes."""
    pools = dra_pools(args.pools)
    return {
        # The chart refuses GPUs beside the device plugin unless told the plugin is off on these
        # nodes (templates/validation.yaml:33-43): the GPU layer keeps it off DRA pools.
        "gpuResourcesEnabledOverride": True,
        # Rendered without a cluster (preview, the offline plan), auto-detection fails (templates/_helpers.tpl:187-198).
        "resourceApiVersion": "resource.k8s.io/v1",
        # ComputeDomains are for multi-node NVLink (IMEX); no pool here has it.
        "resources": {"gpus": {"enabled": True}, "computeDomains": {"enabled": False}},
        "nvidiaDriverRoot": driver_root(args),
        "kubeletPlugin": {
            # The list replaces the chart's default terms, which match every NVIDIA node (values.yaml:288-321).
            "affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": node_terms(pools)}}},
            "tolerations": tolerations(pools),
        },
    }
