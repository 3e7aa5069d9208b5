"""GPU Operator values per cloud, and the objects beside the chart."""

from __future__ import annotations

import yaml

from components.gpu import operator
from components.platform import gpu_args

from ..conftest import EKS, EXISTING, GKE, config, resolved


def test_gpu_operator_on_gke_uses_the_gke_driver() -> None:
    platform = resolved(GKE)
    values = operator.chart_values(gpu_args(platform))
    assert values["driver"] == {"enabled": False}
    assert values["hostPaths"]["driverInstallDir"] == "/home/kubernetes/bin/nvidia"
    assert {"name": "RUNTIME_CONFIG_SOURCE", "value": "file"} in values["toolkit"]["env"]
    assert platform.pools[0].node_labels["gke-no-default-nvidia-gpu-device-plugin"] == "true"


def test_gke_mig_pools_keep_the_operator_off_their_nodes() -> None:
    platform = resolved(config(GKE, nodePools={"a100": {"gpu": "A100-80GB", "mig": "1g.10gb", "nodes": {"max": 1}}}, models={}))
    pool = platform.pools[0]
    assert pool.device_plugin == "cloud" and pool.node_labels["nvidia.com/gpu.deploy.operands"] == "false"
    assert operator.chart_values(gpu_args(platform))["migManager"]["enabled"] is False


def test_gpu_operator_on_eks_leaves_driver_and_toolkit_to_the_ami() -> None:
    platform = resolved(EKS)
    values = operator.chart_values(gpu_args(platform))
    assert values["driver"] == {"enabled": False} and values["toolkit"] == {"enabled": False}
    assert "devicePlugin" not in values


def test_bottlerocket_also_brings_its_device_plugin() -> None:
    platform = resolved(config(EKS, cluster={**EKS["cluster"], "ami": "bottlerocket"}))
    assert operator.chart_values(gpu_args(platform))["devicePlugin"] == {"enabled": False}


def test_eks_mig_uses_the_mig_manager_with_reboots() -> None:
    platform = resolved(config(EKS, nodePools={"a100": {"gpu": "A100-80GB", "gpusPerNode": 8, "mig": "3g.40gb", "nodes": {"max": 1}}}, models={}))
    values = operator.chart_values(gpu_args(platform))
    assert values["migManager"] == {"enabled": True, "env": [{"name": "WITH_REBOOT", "value": "true"}]}
    assert platform.pools[0].node_labels["nvidia.com/mig.config"] == "all-3g.40gb"
    assert platform.pools[0].units_per_node == 16


def test_eks_time_slicing_gets_a_device_plugin_config_per_pool() -> None:
    small = {"model": "acme/tiny-1b", "pool": "l4", "size": {"weightsGb": 1.2, "layers": 16, "kvHeads": 8, "headDim": 64}}
    platform = resolved(config(EKS, nodePools={"l4": {"gpu": "L4", "nodes": {"max": 1}, "sharing": {"strategy": "time-slicing", "clientsPerGpu": 4}}},
                               models={"tiny": small}))
    values = operator.chart_values(gpu_args(platform))
    cm = operator.sharing_config("gpu-operator", platform.pools)
    assert cm is not None and values["devicePlugin"]["config"]["name"] == cm["metadata"]["name"]
    assert yaml.safe_load(cm["data"]["l4"]) == {
        "version": "v1", "sharing": {"timeSlicing": {"resources": [{"name": "nvidia.com/gpu", "replicas": 4}]}}
    }
    assert platform.pools[0].node_labels["nvidia.com/device-plugin.config"] == "l4"
    # vLLM's memory share is divided among the pods on one GPU.
    assert platform.serving.models[0].gpu_memory_utilization == 0.23


def test_existing_cluster_installs_the_driver_only_when_asked() -> None:
    for install in (False, True):
        platform = resolved(config(EXISTING, cluster={"provider": "existing", "installDriver": install}))
        assert operator.chart_values(gpu_args(platform))["driver"] == {"enabled": install}


