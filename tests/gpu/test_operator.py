"""GPU Operator values per cloud, and the objects beside the chart."""

from __future__ import annotations

import yaml

from components.cloud.values import GkeCluster
from components.core.versions import DEFAULT_PINS
from components.gpu import operator
from components.platform import gpu_args
from stacks.plan import chart_values, validate

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


A100 = {"gpu": "A100-80GB", "gpusPerNode": 8, "nodes": {"max": 1}}
REBOOT = {"name": "WITH_REBOOT", "value": "true"}


def mig_platform(base: dict, **profiles: str):
    return resolved(config(base, nodePools={name: {**A100, "mig": profile} for name, profile in profiles.items()}, models={}))


def test_eks_mig_uses_the_mig_manager_with_our_layouts_and_reboots() -> None:
    platform = mig_platform(EKS, a100="3g.40gb")
    values = operator.chart_values(gpu_args(platform))
    assert values["migManager"] == {"enabled": True, "config": {"name": "mig-parted-config", "default": "all-disabled"}, "env": [REBOOT]}
    assert platform.pools[0].node_labels["nvidia.com/mig.config"] == "a100-80gb-all-3g.40gb"
    assert platform.pools[0].units_per_node == 16


def test_the_mig_parted_config_holds_exactly_the_layouts_the_pools_use() -> None:
    platform = mig_platform(EKS, a="1g.10gb", b="1g.10gb", c="3g.40gb")
    cm = operator.mig_parted_config("gpu-operator", platform.gpu)
    assert cm is not None and list(cm["data"]) == ["config.yaml"]
    assert yaml.safe_load(cm["data"]["config.yaml"]) == {
        "version": "v1",
        "mig-configs": {
            "all-disabled": [{"devices": "all", "mig-enabled": False}],
            "a100-80gb-all-1g.10gb": [{"devices": "all", "mig-enabled": True, "mig-devices": {"1g.10gb": 7}}],
            "a100-80gb-all-3g.40gb": [{"devices": "all", "mig-enabled": True, "mig-devices": {"3g.40gb": 2}}],
        },
    }
    layouts = yaml.safe_load(cm["data"]["config.yaml"])["mig-configs"]
    assert all(p.node_labels["nvidia.com/mig.config"] in layouts for p in platform.pools)


def test_no_mig_pool_means_no_mig_config() -> None:
    platform = resolved(EKS)
    assert operator.mig_parted_config("gpu-operator", platform.gpu) is None
    assert operator.chart_values(gpu_args(platform))["migManager"] == {"enabled": False}


def test_one_mig_profile_is_the_single_strategy_and_a_plain_gpu_resource() -> None:
    platform = mig_platform(EKS, a="1g.10gb", b="1g.10gb")
    assert operator.chart_values(gpu_args(platform))["mig"] == {"strategy": "single"}
    assert {r.name for r in platform.gpu.resources.values()} == {"nvidia.com/gpu"}


def test_two_mig_profiles_are_the_mixed_strategy_with_a_resource_per_profile() -> None:
    pools = {"a": {**A100, "mig": "1g.10gb"}, "b": {**A100, "mig": "3g.40gb"}, "l4": {"gpu": "L4", "nodes": {"max": 1}}}
    platform = resolved(config(EKS, nodePools=pools, models={}))
    assert operator.chart_values(gpu_args(platform))["mig"] == {"strategy": "mixed"}
    resources = {name: (r.name, r.per_node) for name, r in platform.gpu.resources.items()}
    assert resources == {"a": ("nvidia.com/mig-1g.10gb", 56), "b": ("nvidia.com/mig-3g.40gb", 16), "l4": ("nvidia.com/gpu", 1)}


def test_gke_mig_is_gke_s_own_whatever_the_profiles() -> None:
    platform = mig_platform(GKE, a="1g.10gb", b="3g.40gb")
    assert {r.name for r in platform.gpu.resources.values()} == {"nvidia.com/gpu"}
    assert operator.mig_parted_config("gpu-operator", platform.gpu) is None


def test_existing_cluster_mig_does_not_reboot_nodes() -> None:
    a100 = {**A100, "mig": "1g.10gb", "nodes": {"min": 1, "max": 1}, "node": {"vcpus": 96, "memoryGib": 1152}}
    platform = resolved(config(EXISTING, nodePools={"a100": a100}, models={}))
    values = operator.chart_values(gpu_args(platform))
    assert values["migManager"] == {"enabled": True, "config": {"name": "mig-parted-config", "default": "all-disabled"}}


SMALL = {"model": "acme/tiny-1b", "pool": "l4", "size": {"weightsGb": 1.2, "layers": 16, "kvHeads": 8, "headDim": 64}}


def test_eks_time_slicing_gets_one_device_plugin_config_per_sharing_setting() -> None:
    four = {"strategy": "time-slicing", "clientsPerGpu": 4}
    pools = {
        "l4": {"gpu": "L4", "nodes": {"max": 1}, "sharing": four},
        "l4b": {"gpu": "L4", "nodes": {"max": 1}, "sharing": four},
        "mps": {"gpu": "L4", "nodes": {"max": 1}, "sharing": {"strategy": "mps", "clientsPerGpu": 2}},
    }
    platform = resolved(config(EKS, nodePools=pools, models={"tiny": SMALL}))
    values = operator.chart_values(gpu_args(platform))
    cm = operator.sharing_config("gpu-operator", platform.gpu)
    assert cm is not None and values["devicePlugin"] == {"config": {"name": cm["metadata"]["name"], "default": ""}}
    assert sorted(cm["data"]) == ["mps-2", "time-slicing-4"]
    assert yaml.safe_load(cm["data"]["time-slicing-4"]) == {
        "version": "v1",
        "sharing": {"timeSlicing": {"renameByDefault": False, "failRequestsGreaterThanOne": True,
                                    "resources": [{"name": "nvidia.com/gpu", "replicas": 4}]}},
    }
    assert list(yaml.safe_load(cm["data"]["mps-2"])["sharing"]) == ["mps"]
    labels = {p.name: p.node_labels["nvidia.com/device-plugin.config"] for p in platform.pools}
    assert labels == {"l4": "time-slicing-4", "l4b": "time-slicing-4", "mps": "mps-2"}
    # vLLM's memory share is divided among the pods on one GPU.
    assert platform.serving.models[0].gpu_memory_utilization == 0.23


def test_bottlerocket_values_have_no_device_plugin_config() -> None:
    platform = resolved(config(EKS, cluster={**EKS["cluster"], "ami": "bottlerocket"}))
    assert operator.chart_values(gpu_args(platform))["devicePlugin"] == {"enabled": False}
    assert operator.sharing_config("gpu-operator", platform.gpu) is None


def gke_quota(pools: dict) -> int:
    cluster = {**GKE["cluster"], "systemPool": {"nodes": {"min": 1, "max": 3}}}
    platform = resolved(config(GKE, cluster=cluster, nodePools=pools, models={}))
    assert isinstance(platform.cluster, GkeCluster)
    return operator.critical_pods(operator.chart_values(gpu_args(platform)), platform.pools, platform.cluster.system_pool.max_nodes)


def test_the_critical_pods_quota_grows_with_the_pools() -> None:
    # Per operator node: nfd-worker, device plugin, GFD, validator, toolkit, DCGM exporter = 6;
    # a GKE MIG pool runs only nfd-worker; plus 3 system nodes and the 6 Deployment pods.
    h100 = {"gpu": "H100-80GB", "gpusPerNode": 8, "nodes": {"max": 20}}
    assert gke_quota({"h100": h100}) == 20 * 6 + 3 + 6
    assert gke_quota({"h100": h100, "mig": {**A100, "mig": "1g.10gb", "nodes": {"max": 4}}}) == 20 * 6 + 4 + 3 + 6
    assert gke_quota({"h100": h100}) > 100  # the old fixed quota stopped operands past ~13 nodes


def test_the_mig_manager_and_mps_daemon_count_on_their_nodes() -> None:
    pools = {"a": {**A100, "mig": "1g.10gb", "nodes": {"max": 2}},
             "m": {"gpu": "L4", "nodes": {"max": 3}, "sharing": {"strategy": "mps", "clientsPerGpu": 2}}}
    platform = resolved(config(EKS, nodePools=pools, models={}))
    values = operator.chart_values(gpu_args(platform))
    # EKS: the AMI's toolkit, so per node nfd, plugin, GFD, validator, DCGM exporter = 5, plus the MIG manager or MPS daemon.
    assert {p.name: operator.operand_pods(values, p) for p in platform.pools} == {"a": 6, "m": 6}


def test_existing_cluster_installs_the_driver_only_when_asked() -> None:
    for install in (False, True):
        platform = resolved(config(EXISTING, cluster={"provider": "existing", "installDriver": install}))
        assert operator.chart_values(gpu_args(platform))["driver"] == {"enabled": install}




def test_operands_and_nfd_tolerate_the_pools_own_taints() -> None:
    team = {"key": "team", "value": "a", "effect": "NoSchedule"}
    pools = {"l4": {"gpu": "L4", "nodes": {"max": 1}, "taints": [team]}, "l4b": {"gpu": "L4", "nodes": {"max": 1}, "taints": [team]}}
    values = operator.chart_values(gpu_args(resolved(config(EKS, nodePools=pools))))
    gpu = {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}
    toleration = {"key": "team", "operator": "Equal", "value": "a", "effect": "NoSchedule"}
    assert values["daemonsets"] == {"tolerations": [gpu, toleration]}
    assert values["node-feature-discovery"]["worker"]["tolerations"][1:] == [gpu, toleration]
    assert "daemonsets" not in operator.chart_values(gpu_args(resolved(EKS)))
    assert chart_values.check_chart(DEFAULT_PINS.charts().gpu_operator, values, validate.schemas_root() / "charts") == []
