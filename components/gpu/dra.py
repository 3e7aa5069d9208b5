"""The NVIDIA DRA driver: Helm values that put its kubelet plugin on the DRA pools only."""

from __future__ import annotations

from typing import Any

from ..catalog.gpus import NVIDIA_GPU
from ..cloud.values import GpuPool
from .values import GpuStackArgs

NAMESPACE = "nvidia-dra-driver-gpu"
OPERATOR_DRIVER_ROOT = "/run/nvidia/driver"
"""Where the GPU Operator's driver container puts the driver (dra-driver-nvidia-gpu@v0.4.1 docs/install.md:127)."""


def dra_pools(pools: tuple[GpuPool, ...]) -> list[GpuPool]:
    return [p for p in pools if p.allocation == "dra"]


def chart_values(args: GpuStackArgs) -> dict[str, Any]:
    """Values for the dra-driver-nvidia-gpu chart (v0.4.1 values.yaml): GPUs only, on the DRA pools' nodes."""
    pools = dra_pools(args.pools)
    # One term per pool: a node matching any term runs the plugin (terms are ORed). The list
    # replaces the chart's default terms, which match every NVIDIA node (values.yaml:288-321).
    terms = [
        {"matchExpressions": [{"key": k, "operator": "In", "values": [v]} for k, v in sorted(p.selector.items())]} for p in pools
    ]
    tolerations = [{"key": NVIDIA_GPU, "operator": "Exists", "effect": "NoSchedule"}]
    for taint in (t for p in pools for t in p.taints if t.key != NVIDIA_GPU):
        # The pools' own taints too, or the plugin never runs there.
        if taint.toleration() not in tolerations:
            tolerations.append(taint.toleration())
    return {
        # The chart refuses GPUs beside the device plugin unless told the plugin is off on these
        # nodes (templates/validation.yaml:33-43): the GPU layer keeps it off DRA pools.
        "gpuResourcesEnabledOverride": True,
        # Rendered without a cluster (preview, the offline plan), auto-detection fails (templates/_helpers.tpl:187-198).
        "resourceApiVersion": "resource.k8s.io/v1",
        # ComputeDomains are for multi-node NVLink (IMEX); no pool here has it.
        "resources": {"gpus": {"enabled": True}, "computeDomains": {"enabled": False}},
        # The EKS NVIDIA AMI and host-installed drivers live at /; the operator's under /run/nvidia/driver.
        "nvidiaDriverRoot": OPERATOR_DRIVER_ROOT if args.install_driver else "/",
        "kubeletPlugin": {
            "affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": terms}}},
            "tolerations": tolerations,
        },
    }
