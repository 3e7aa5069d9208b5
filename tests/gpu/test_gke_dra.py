"""DRA pools on GKE: GKE's driver install off on them, its installer DaemonSet on them only, the DRA driver at GKE's driver root."""

from __future__ import annotations

import copy
from dataclasses import replace
from typing import Any

import pytest

from components.cloud import gke
from components.core.versions import Pins
from components.gpu import dra, gke_driver
from components.platform import PlatformValues, gpu_args
from components.scheduling.admission import selector_matches, tolerates
from components.scheduling.nodes import node_group
from stacks.plan import behaviour, chart_values, render, validate
from stacks.plan.engine import Plan

from ..conftest import EKS, GKE, config, resolved

H100 = {"gpu": "H100-80GB", "gpusPerNode": 8, "nodes": {"max": 2}, "diskSizeGb": 1000}
GKE_DRA = config(
    GKE,
    nodePools={"h100": {**H100, "allocation": "dra", "taints": [{"key": "team", "value": "a", "effect": "NoSchedule"}]},
               "l4": GKE["nodePools"]["l4"]},
    models={"qwen": {"model": "Qwen/Qwen3-8B", "pool": "h100", "gpus": 2},
            "small": {**GKE["models"]["qwen"], "namespace": "small"}},
)


def runs_on(daemonset: dict[str, Any], platform: PlatformValues) -> set[str]:
    """The pools whose nodes a DaemonSet's pods land on: a node matching one of its required node
    selector terms (terms ORed, expressions ANDed) whose every NoSchedule/NoExecute taint is
    tolerated (kubernetes@v1.34 pkg/scheduler/framework/plugins/nodeaffinity, tainttoleration)."""
    pod = daemonset["spec"]["template"]["spec"]
    terms = pod["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"]
    out = set()
    for pool in platform.pools:
        group = node_group(pool, "gke", "nvidia.com/gpu")
        if any(selector_matches(term, group.labels) for term in terms) and all(
            tolerates(pod["tolerations"], t) for t in group.taints if t.effect in ("NoSchedule", "NoExecute")
        ):
            out.add(pool.name)
    return out


def driver_versions(p: Plan) -> dict[str, str]:
    """Each GKE GPU node pool's gpu_driver_installation_config.gpu_driver_version, by pool."""
    out = {}
    for r in p.resources:
        if r.type == "gcp:container/nodePool:NodePool" and r.inputs["nodeConfig"].get("guestAccelerators"):
            [accelerator] = r.inputs["nodeConfig"]["guestAccelerators"]
            out[r.name.removeprefix("inferfleet-test-cloud-")] = accelerator["gpuDriverInstallationConfig"]["gpuDriverVersion"]
    return out


GKE_ALL_DRA = config(GKE, nodePools={"h100": {**H100, "allocation": "dra"}}, models={"qwen": GKE_DRA["models"]["qwen"]})


@pytest.mark.parametrize("stack", [GKE_DRA, GKE_ALL_DRA], ids=["beside-a-device-plugin-pool", "every-pool-dra"])
def test_a_gke_dra_stack_plans_clean_and_is_admitted_and_placed(plan_of, stack: dict[str, Any]) -> None:
    p = plan_of(stack)
    assert validate.validate_all(render.manifests(p), p.loaded.platform.pins).errors == []
    assert chart_values.check_plan(p, validate.schemas_root() / "charts")[1] == []
    report = behaviour.check(p)
    assert report.errors == [] and report.workloads >= 1
    kinds = {(o["kind"], o["metadata"]["name"]): o for o in render.manifests(p)}
    installer = kinds[("DaemonSet", gke_driver.NAME)]
    assert installer["metadata"]["namespace"] == "kube-system"
    # GKE admits the DRA driver's system-node-critical pods in its namespace only under a quota.
    quota = kinds[("ResourceQuota", "dra-driver-critical-pods")]
    assert quota["metadata"]["namespace"] == dra.NAMESPACE and quota["spec"]["hard"]["pods"] == "4"  # 2 nodes + controller + surge


def test_gke_installs_no_driver_on_dra_pools_only(plan_of) -> None:
    assert driver_versions(plan_of(GKE_DRA)) == {"h100": "INSTALLATION_DISABLED", "l4": "LATEST"}


def test_a_device_plugin_pool_keeps_gke_s_driver() -> None:
    # The fixture that breaks the rule above: the same pool on the device plugin gets GKE's driver.
    pool = next(p for p in resolved(GKE_DRA).pools if p.name == "h100")
    base: Any = {}
    versions = {a: gke._gpu_node_config(replace(pool, allocation=a), base)["guest_accelerators"][0]["gpu_driver_installation_config"]
                for a in ("dra", "device-plugin")}
    assert versions == {"dra": {"gpu_driver_version": "INSTALLATION_DISABLED"}, "device-plugin": {"gpu_driver_version": "LATEST"}}


def test_the_installer_runs_on_the_dra_pools_nodes_only() -> None:
    platform = resolved(GKE_DRA)
    installer = gke_driver.daemonset(platform.pools, platform.pins)
    assert installer is not None and runs_on(installer, platform) == {"h100"}
    pod = installer["spec"]["template"]["spec"]
    [init] = pod["initContainers"]
    assert init["image"] == Pins().gke_driver_installer and init["imagePullPolicy"] == "Never"
    assert {"name": "NVIDIA_INSTALL_DIR_HOST", "value": dra.GKE_DRIVER_ROOT} in init["env"]
    assert {"name": "nvidia-install-dir-host", "hostPath": {"path": dra.GKE_DRIVER_ROOT}} in pod["volumes"]
    assert pod["priorityClassName"] == "system-node-critical"


def test_runs_on_catches_an_installer_on_every_gpu_node_or_none() -> None:
    platform = resolved(GKE_DRA)
    installer = gke_driver.daemonset(platform.pools, platform.pins)
    assert installer is not None
    everywhere = copy.deepcopy(installer)
    pod = everywhere["spec"]["template"]["spec"]
    pod["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"] = [
        {"matchExpressions": [{"key": "inferfleet.dev/node-pool", "operator": "Exists"}]}
    ]
    assert runs_on(everywhere, platform) == {"h100", "l4"}  # l4's nodes have GKE's driver already
    untolerated = copy.deepcopy(installer)
    untolerated["spec"]["template"]["spec"]["tolerations"] = [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}]
    assert runs_on(untolerated, platform) == set()  # the pool's own taint keeps it off


def test_no_dra_pool_means_no_installer(plan_of) -> None:
    assert gke_driver.daemonset(resolved(GKE).pools, Pins()) is None
    assert not [o for o in render.manifests(plan_of(GKE)) if o["kind"] == "DaemonSet"]


def test_the_dra_driver_looks_for_the_driver_where_gke_s_installer_puts_it() -> None:
    assert dra.chart_values(gpu_args(resolved(GKE_DRA)))["nvidiaDriverRoot"] == "/home/kubernetes/bin/nvidia"
    # The fixture that breaks it: on EKS the AMI's driver is at /, and GKE's root would find nothing there.
    eks = config(EKS, nodePools={"h100": {**H100, "allocation": "dra"}}, models={})
    assert dra.chart_values(gpu_args(resolved(eks)))["nvidiaDriverRoot"] == "/"
