"""DRA pools: the NVIDIA DRA driver on their nodes only, and models that claim GPUs instead of requesting them."""

from __future__ import annotations

from typing import Any

import yaml

from components.core.budget import DEFAULT_BUDGET
from components.gpu import dra, operator
from components.platform import gpu_args
from components.scheduling import kueue
from stacks.plan import chart_values, render, summary, validate
from stacks.plan.engine import Plan

from ..conftest import EKS, EXISTING, config, resolved

H100 = {"gpu": "H100-80GB", "gpusPerNode": 8, "nodes": {"max": 2}, "diskSizeGb": 1000}
QWEN = {"model": "Qwen/Qwen3-8B", "pool": "h100", "gpus": 2}
EKS_DRA = config(EKS, nodePools={"h100": {**H100, "allocation": "dra"}}, models={"qwen": QWEN})
EKS_MIXED = config(EKS, nodePools={"h100": {**H100, "allocation": "dra"}, "l4": EKS["nodePools"]["l4"]},
                   models={"qwen": QWEN, "small": {**EKS["models"]["qwen"], "pool": "l4", "namespace": "small"}})
H100_PRODUCT = "device.attributes['gpu.nvidia.com'].productName.lowerAscii().matches('(^|[ -])h100($|[ -])')"


def objects(p: Plan, kind: str) -> dict[str, dict[str, Any]]:
    return {o["metadata"]["name"]: o for o in render.manifests(p) if o["kind"] == kind}


def test_a_dra_stack_plans_clean_and_installs_the_driver_chart(plan_of) -> None:
    p = plan_of(EKS_DRA)
    report = validate.validate_all(render.manifests(p), p.loaded.platform.pins)
    assert report.errors == []
    checked, problems = chart_values.check_plan(p, validate.schemas_root() / "charts")
    charts = {r.inputs["chart"]: r for r in p.resources if r.type == summary.HELM_CHART}
    assert problems == [] and checked == len(charts) == 5  # GPU Operator, DRA driver, Kueue, Karpenter, Prometheus
    driver = charts["oci://registry.k8s.io/dra-driver-nvidia/charts/dra-driver-nvidia-gpu"]
    assert driver.inputs["version"] == "0.4.1" and driver.inputs["namespace"] == dra.NAMESPACE


def test_a_dra_model_claims_its_gpus_through_its_template_only(plan_of) -> None:
    p = plan_of(EKS_DRA)
    [template] = objects(p, "ResourceClaimTemplate").values()
    assert template["apiVersion"] == "resource.k8s.io/v1" and template["metadata"]["namespace"] == "inference"
    assert template["spec"]["spec"]["devices"]["requests"] == [{
        "name": "gpu",
        "exactly": {"deviceClassName": "gpu.nvidia.com", "allocationMode": "ExactCount", "count": 2,
                    "selectors": [{"cel": {"expression": H100_PRODUCT}}]},
    }]
    pod = objects(p, "Deployment")["qwen"]["spec"]["template"]["spec"]
    [container] = pod["containers"]
    resources = container["resources"]
    assert not any(k.startswith("nvidia.com/") for k in {**resources["requests"], **resources["limits"]})
    assert resources["claims"] == [{"name": "gpu"}]
    assert pod["resourceClaims"] == [{"name": "gpu", "resourceClaimTemplateName": template["metadata"]["name"]}]
    by_name = {r.name: r for r in p.resources}
    claim = by_name["inferfleet-test-serving-model-qwen-gpu-claim"]
    assert claim.urn in by_name["inferfleet-test-serving-model-qwen-deployment"].dependencies  # Kueue reads it at admission


def test_the_driver_runs_only_on_the_dra_pools() -> None:
    platform = resolved(config(EKS_MIXED, nodePools={**EKS_MIXED["nodePools"], "h100": {**H100, "allocation": "dra",
                                                     "taints": [{"key": "team", "value": "a", "effect": "NoSchedule"}]}}))
    values = dra.chart_values(gpu_args(platform))
    assert values["gpuResourcesEnabledOverride"] is True and values["resourceApiVersion"] == "resource.k8s.io/v1"
    assert values["resources"] == {"gpus": {"enabled": True}, "computeDomains": {"enabled": False}}
    assert values["nvidiaDriverRoot"] == "/"
    terms = values["kubeletPlugin"]["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"]
    assert terms == [{"matchExpressions": [{"key": "inferfleet.dev/node-pool", "operator": "In", "values": ["h100"]}]}]
    assert values["kubeletPlugin"]["tolerations"] == [
        {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"},
        {"key": "team", "operator": "Equal", "value": "a", "effect": "NoSchedule"},
    ]


def test_every_pool_on_dra_turns_the_device_plugin_off_cluster_wide() -> None:
    platform = resolved(EKS_DRA)
    assert operator.chart_values(gpu_args(platform))["devicePlugin"] == {"enabled": False}
    assert "nvidia.com/gpu.deploy.operands" not in platform.pools[0].node_labels


def test_beside_device_plugin_pools_dra_nodes_get_no_operator_operands() -> None:
    platform = resolved(EKS_MIXED)
    assert "devicePlugin" not in operator.chart_values(gpu_args(platform))
    labels = {p.name: p.node_labels.get("nvidia.com/gpu.deploy.operands") for p in platform.pools}
    assert labels == {"h100": "false", "l4": None}
    assert {p.name: p.allocation for p in platform.pools} == {"h100": "dra", "l4": "device-plugin"}


def test_kueue_counts_gpu_claims_as_nvidia_gpu() -> None:
    platform = resolved(EKS_MIXED)
    values = kueue.chart_values(DEFAULT_BUDGET, device_class_mappings=platform.queueing.device_class_mappings)
    config_yaml = values["managerConfig"]["controllerManagerConfigYaml"]
    mappings = yaml.safe_load(config_yaml)["resources"]["deviceClassMappings"]
    assert mappings == [{"name": "nvidia.com/gpu", "deviceClassNames": ["gpu.nvidia.com"]}]
    assert {f.name: f.gpu_resource for f in platform.queueing.flavors} == {"h100": "nvidia.com/gpu", "l4": "nvidia.com/gpu"}


def test_no_dra_pool_means_no_device_class_mapping() -> None:
    assert resolved(EKS).queueing.device_class_mappings == {}


def test_dra_mig_claims_one_slice_of_the_pool_s_profile() -> None:
    tiny = {"model": "acme/tiny-1b", "pool": "h100", "size": {"weightsGb": 1.2, "layers": 16, "kvHeads": 8, "headDim": 64}}
    platform = resolved(config(EKS, nodePools={"h100": {**H100, "allocation": "dra", "mig": "1g.10gb"}}, models={"tiny": tiny}))
    resource = platform.gpu.resources["h100"]
    assert resource.name == "mig.nvidia.com/devices" and resource.claim is not None
    assert resource.claim.device_class == "mig.nvidia.com"
    assert resource.claim.selector == f"{H100_PRODUCT} && device.attributes['gpu.nvidia.com'].profile == '1g.10gb'"
    assert platform.queueing.device_class_mappings == {"gpu.nvidia.com": "nvidia.com/gpu", "mig.nvidia.com": "mig.nvidia.com/devices"}
    # The MIG manager still makes the slices the driver hands out.
    assert operator.mig_parted_config("gpu-operator", platform.gpu) is not None


def test_an_operator_installed_driver_is_where_the_dra_driver_looks() -> None:
    pool = {**H100, "allocation": "dra", "nodes": {"min": 1, "max": 1}, "node": {"vcpus": 96, "memoryGib": 1024}}
    for install, root in ((False, "/"), (True, "/run/nvidia/driver")):
        platform = resolved(config(EXISTING, cluster={"provider": "existing", "installDriver": install},
                                   nodePools={"h100": pool}, models={"qwen": QWEN}))
        assert dra.chart_values(gpu_args(platform))["nvidiaDriverRoot"] == root


def test_the_summary_says_dra_pools_beside_device_plugin_pools_have_no_gpu_metrics(plan_of) -> None:
    text = summary.summary(plan_of(EKS_MIXED))
    assert "  pools h100: no GPU metrics in Prometheus (DRA pools beside device-plugin pools run no operator " in text
    assert "GPU notes:" not in summary.summary(plan_of(EKS_DRA))
