"""NVIDIA GPU Operator: Helm values per cloud, and the objects it needs beside the chart."""

from __future__ import annotations

from typing import Any, Sequence

import yaml

from ..catalog.gpus import NVIDIA_GPU
from ..cloud.values import GpuPool
from ..core.meta import labels, manifest
from ..core.versions import CORE
from .values import GpuStackArgs

GKE_NVIDIA_DIR = "/home/kubernetes/bin/nvidia"
SHARING_CONFIG = "device-plugin-sharing"
"""ConfigMap of device-plugin sharing configs, one key per shared pool (nodes pick theirs by label)."""


def _operator_pools(pools: Sequence[GpuPool]) -> list[GpuPool]:
    return [p for p in pools if p.device_plugin == "operator"]


def chart_values(args: GpuStackArgs) -> dict[str, Any]:
    """Values for the gpu-operator chart: the driver is the cloud's, the operator does the rest."""
    mine = _operator_pools(args.pools)
    values: dict[str, Any] = {
        "cdi": {"enabled": True},
        "dcgmExporter": {"enabled": True, "serviceMonitor": {"enabled": False}},
        "mig": {"strategy": "single"},
        "migManager": {"enabled": any(p.mig_profile for p in mine)},
    }
    if args.cloud == "gke":
        # GKE installs the driver; the toolkit must find it and write containerd's config as a file.
        values["driver"] = {"enabled": False}
        values["hostPaths"] = {"driverInstallDir": GKE_NVIDIA_DIR}
        values["toolkit"] = {"installDir": GKE_NVIDIA_DIR, "env": [{"name": "RUNTIME_CONFIG_SOURCE", "value": "file"}]}
    elif args.cloud == "eks":
        # The EKS NVIDIA AMIs ship the driver and the container toolkit; Bottlerocket also the device plugin.
        values["driver"] = {"enabled": False}
        values["toolkit"] = {"enabled": False}
        if args.bottlerocket:
            values["devicePlugin"] = {"enabled": False}
    else:
        values["driver"] = {"enabled": args.install_driver}
    if values["migManager"]["enabled"]:
        # Cloud GPUs need a reboot to change MIG mode (pitfall 33).
        values["migManager"]["env"] = [{"name": "WITH_REBOOT", "value": "true"}]
    if any(p.sharing for p in mine) and values.get("devicePlugin", {}).get("enabled", True):
        values["devicePlugin"] = {"config": {"name": SHARING_CONFIG, "default": ""}}
    return values


def sharing_config(namespace: Any, pools: Sequence[GpuPool]) -> dict[str, Any] | None:
    """Device-plugin time-slicing/MPS configs for the operator's shared pools, keyed by pool name."""
    shared = [p for p in _operator_pools(pools) if p.sharing]
    if not shared:
        return None
    data = {}
    for pool in shared:
        assert pool.sharing is not None
        mode = "timeSlicing" if pool.sharing.strategy == "time-slicing" else "mps"
        data[pool.name] = yaml.safe_dump(
            {"version": "v1", "sharing": {mode: {"resources": [{"name": NVIDIA_GPU, "replicas": pool.sharing.clients_per_gpu}]}}},
            sort_keys=False,
        )
    return manifest(CORE, "ConfigMap", SHARING_CONFIG, namespace, labels=labels("gpu-operator-config", SHARING_CONFIG), data=data)


def critical_pods_quota(namespace: Any) -> dict[str, Any]:
    """GKE admits system-*-critical pods outside kube-system only under a quota that names them."""
    return manifest(
        CORE,
        "ResourceQuota",
        "gpu-operator-critical-pods",
        namespace,
        labels=labels("gpu-operator-quota"),
        spec={
            "hard": {"pods": "100"},
            "scopeSelector": {
                "matchExpressions": [
                    {"operator": "In", "scopeName": "PriorityClass", "values": ["system-node-critical", "system-cluster-critical"]}
                ]
            },
        },
    )
