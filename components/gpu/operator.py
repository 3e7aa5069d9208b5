"""NVIDIA GPU Operator: Helm values per cloud, and the objects it needs beside the chart."""

from __future__ import annotations

from typing import Any, Mapping

import yaml

from ..catalog import gpus as catalog
from ..catalog.gpus import NVIDIA_GPU
from ..cloud.values import Sharing
from ..cloud.values import GpuPool
from ..core.meta import labels, manifest
from ..core.versions import CORE
from .values import GpuStackArgs, GpuValues

GKE_NVIDIA_DIR = "/home/kubernetes/bin/nvidia"
MIG_PARTED_CONFIG = "mig-parted-config"
"""ConfigMap of the mig-parted layouts the MIG pools use; nodes pick theirs by `catalog.MIG_CONFIG_LABEL`."""
SHARING_CONFIG = "device-plugin-sharing"
"""ConfigMap of device-plugin sharing configs, one key per sharing setting; nodes pick theirs by label."""
CONFIG_KEY = "config.yaml"
"""The key the MIG manager reads a custom ConfigMap from (gpu-operator@v26.7.0 values.yaml:385,425;
controllers/object_controls.go:2088-2089)."""
CRITICAL_PRIORITY_CLASSES = ("system-node-critical", "system-cluster-critical")
DEPLOYMENT_PODS = 6
"""The operator, nfd-master and nfd-gc Deployments, plus one rollout surge pod each."""


def chart_values(args: GpuStackArgs, *, mig_config: Any = MIG_PARTED_CONFIG, sharing_config: Any = SHARING_CONFIG) -> dict[str, Any]:
    """Values for the gpu-operator chart: the driver is the cloud's, the operator does the rest.

    `mig_config` and `sharing_config` name the ConfigMaps (`GpuStack` passes their name outputs,
    so the chart waits for them); they are used only when the pools need them.
    """
    gpu = args.gpu
    values: dict[str, Any] = {
        "cdi": {"enabled": True},
        "dcgmExporter": {"enabled": True, "serviceMonitor": {"enabled": False}},
        "mig": {"strategy": gpu.mig_strategy},
        "migManager": {"enabled": bool(gpu.mig_layouts)},
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
    if gpu.mig_layouts:
        # Our layouts replace the generated ones (gpu-operator@v26.7.0 controllers/object_controls.go:2069-2092);
        # a node without the label gets the default, which the config therefore holds.
        values["migManager"]["config"] = {"name": mig_config, "default": catalog.MIG_DISABLED}
        if args.cloud != "existing":
            # Cloud GPUs need a reboot to change MIG mode (pitfall 33); mig-parted@v0.15.0
            # cmd/nvidia-mig-manager/main.go:206 reads WITH_REBOOT.
            values["migManager"]["env"] = [{"name": "WITH_REBOOT", "value": "true"}]
    if not gpu.device_plugin:
        # Every pool the operator serves allocates through DRA: the DRA kubelet plugin hands out the
        # GPUs, and the validator stops waiting for the device plugin's resources
        # (gpu-operator@v26.7.0 controllers/object_controls.go:2464-2468); MIG manager and DCGM stay.
        values["devicePlugin"] = {"enabled": False}
    extra = _user_tolerations(args.pools)
    if extra:
        # The operands and NFD's worker tolerate only GPU nodes' own taint: on a pool with taints
        # of its own they would never run, so no GPU would be advertised there. A list value
        # replaces the chart's, so its defaults (values.yaml:45-48, 631-638) are restated.
        gpu_taint = {"key": NVIDIA_GPU, "operator": "Exists", "effect": "NoSchedule"}
        control_plane = {"key": "node-role.kubernetes.io/control-plane", "operator": "Equal", "value": "", "effect": "NoSchedule"}
        values["daemonsets"] = {"tolerations": [gpu_taint, *extra]}
        values["node-feature-discovery"] = {"worker": {"tolerations": [control_plane, gpu_taint, *extra]}}
    if gpu.sharing_configs:
        # The config manager picks the key named by the node's label; with no label and no
        # default the config is empty: no sharing (k8s-device-plugin@v0.20.0 cmd/config-manager/main.go:49,56).
        values["devicePlugin"] = {"config": {"name": sharing_config, "default": ""}}
    return values


def _user_tolerations(pools: tuple[GpuPool, ...]) -> list[dict[str, str]]:
    """Tolerations of the pools' own taints (not the GPU taint every operand tolerates), each once."""
    out: list[dict[str, str]] = []
    for taint in (t for p in pools for t in p.taints if t.key != NVIDIA_GPU):
        if taint.toleration() not in out:
            out.append(taint.toleration())
    return out


def mig_parted_config(namespace: Any, gpu: GpuValues) -> dict[str, Any] | None:
    """The mig-parted config (mig-parted@v0.15.0 api/spec/v1/spec.go:26-44): MIG off, plus exactly the pools' layouts."""
    if not gpu.mig_layouts:
        return None
    layouts: dict[str, Any] = {catalog.MIG_DISABLED: [{"devices": "all", "mig-enabled": False}]}
    for name, slices in gpu.mig_layouts.items():
        layouts[name] = [{"devices": "all", "mig-enabled": True, "mig-devices": dict(slices)}]
    config = yaml.safe_dump({"version": "v1", "mig-configs": layouts}, sort_keys=False)
    return manifest(CORE, "ConfigMap", MIG_PARTED_CONFIG, namespace, labels=labels("gpu-operator-config", MIG_PARTED_CONFIG), data={CONFIG_KEY: config})


def _sharing(sharing: Sharing) -> dict[str, Any]:
    # k8s-device-plugin@v0.20.0 api/config/v1/sharing.go:20-25, replicas.go:30-34,81-86. The name stays
    # nvidia.com/gpu (renameByDefault false), and a pod asking for more than one share is refused, as
    # GKE does: two shares may be one GPU.
    mode = "timeSlicing" if sharing.strategy == "time-slicing" else "mps"
    replicated = {
        "renameByDefault": False,
        "failRequestsGreaterThanOne": True,
        "resources": [{"name": NVIDIA_GPU, "replicas": sharing.clients_per_gpu}],
    }
    return {"version": "v1", "sharing": {mode: replicated}}


def sharing_config(namespace: Any, gpu: GpuValues) -> dict[str, Any] | None:
    """Device-plugin time-slicing/MPS configs, one key per sharing setting the pools use."""
    if not gpu.sharing_configs:
        return None
    data = {key: yaml.safe_dump(_sharing(sharing), sort_keys=False) for key, sharing in gpu.sharing_configs.items()}
    return manifest(CORE, "ConfigMap", SHARING_CONFIG, namespace, labels=labels("gpu-operator-config", SHARING_CONFIG), data=data)


def operand_pods(values: Mapping[str, Any], pool: GpuPool) -> int:
    """Pods the operator's DaemonSets run on one node of `pool`, all at system-node-critical.

    Every operand's DaemonSet sets priorityClassName system-node-critical (gpu-operator@v26.7.0
    values.yaml:44, e.g. assets/state-device-plugin/0500_daemonset.yaml:25), as does NFD (values.yaml:619).
    """
    pods = 1  # nfd-worker runs on every GPU node, operands or not
    if pool.node_labels.get(catalog.DEPLOY_OPERANDS_LABEL) == "false":
        return pods
    pods += 2  # gpu-feature-discovery, operator-validator
    for operand in ("devicePlugin", "toolkit", "dcgmExporter"):
        pods += bool(values.get(operand, {}).get("enabled", True))  # the chart's default is on
    if values["migManager"]["enabled"] and catalog.gpu(pool.gpu).mig_profiles:
        pods += 1  # the MIG manager runs on MIG-capable GPUs (controllers/state_manager.go:340-361)
    if pool.sharing and pool.sharing.strategy == "mps":
        pods += 1  # the MPS control daemon
    return pods


def critical_pods(values: Mapping[str, Any], pools: tuple[GpuPool, ...], system_nodes: int) -> int:
    """Critical pods the operator may run with every pool at its maximum size: each GPU node's
    operands, nfd-worker on the system nodes, and the Deployments with a surge pod each."""
    return sum(p.max_nodes * operand_pods(values, p) for p in pools) + system_nodes + DEPLOYMENT_PODS


def critical_pods_quota(namespace: Any, pods: int, component: str = "gpu-operator") -> dict[str, Any]:
    """GKE admits system-*-critical pods outside kube-system only under a quota that names them."""
    return manifest(
        CORE,
        "ResourceQuota",
        f"{component}-critical-pods",
        namespace,
        labels=labels(f"{component}-quota"),
        spec={
            "hard": {"pods": str(pods)},
            "scopeSelector": {
                "matchExpressions": [{"operator": "In", "scopeName": "PriorityClass", "values": list(CRITICAL_PRIORITY_CLASSES)}]
            },
        },
    )
