"""Pure builders: resolved platform in, manifests and Helm values out."""

from __future__ import annotations

import copy

import pytest
import yaml

from components.k8s import gpu_operator, kueue, monitoring, network, serving
from components.resolved import POOL_LABEL
from components.versions import DEFAULT_PINS

from .conftest import EKS, EXISTING, GKE, config, resolved

LLAMA = {**GKE, "hfToken": "hf_test", "models": {"llama": {"model": "meta-llama/Llama-3.1-8B-Instruct", "pool": "l4"}}}


def deployment(values=GKE, hf_secret=None):
    platform = resolved(values)
    return serving.deployment(platform.models[0], namespace="inference", queue="serving", hf_secret=hf_secret)


def container(dep):
    return dep["spec"]["template"]["spec"]["containers"][0]


def test_vllm_runs_non_root_with_a_read_only_root_and_no_privileges() -> None:
    pod = deployment()["spec"]["template"]["spec"]
    sc = container(deployment())["securityContext"]
    assert pod["securityContext"]["runAsNonRoot"] is True and pod["securityContext"]["runAsUser"] >= 10000
    assert pod["automountServiceAccountToken"] is False
    assert sc == {
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": True,
        "runAsNonRoot": True,
        "capabilities": {"drop": ["ALL"]},
        "seccompProfile": {"type": "RuntimeDefault"},
    }


def test_every_writable_path_is_an_emptydir_and_shm_is_memory_backed() -> None:
    dep = deployment()
    volumes = {v["name"]: v for v in dep["spec"]["template"]["spec"]["volumes"]}
    mounts = {m["mountPath"]: m["name"] for m in container(dep)["volumeMounts"]}
    assert mounts == {"/home/vllm/.cache": "cache", "/home/vllm/.config": "config", "/tmp": "tmp", "/dev/shm": "dshm"}
    assert volumes["dshm"]["emptyDir"]["medium"] == "Memory"
    assert all("emptyDir" in v for v in volumes.values())


def test_probes_hit_health_and_startup_allows_an_hour_for_the_load() -> None:
    c = container(deployment())
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert c[probe]["httpGet"] == {"path": "/health", "port": "http"}
    assert c["startupProbe"]["periodSeconds"] * c["startupProbe"]["failureThreshold"] == 3600
    assert "initialDelaySeconds" not in c["livenessProbe"]


def test_blog_defaults_and_the_pinned_image() -> None:
    c = container(deployment())
    assert c["image"] == f"vllm/vllm-openai:{DEFAULT_PINS.vllm}"
    assert c["command"] == ["vllm", "serve"]
    assert c["args"][0] == "Qwen/Qwen3-8B"
    for flag in ("--gpu-memory-utilization=0.92", "--max-num-seqs=256", "--enable-prefix-caching", "--tensor-parallel-size=1"):
        assert flag in c["args"]


def test_gpu_request_placement_and_queue_come_from_the_pool() -> None:
    platform = resolved(config(GKE, nodePools={"l4": {"gpu": "L4", "gpusPerNode": 4, "nodes": {"max": 2},
                                                      "taints": [{"key": "team", "value": "ml", "effect": "NoSchedule"}]}},
                               models={"qwen": {"model": "Qwen/Qwen3-32B", "pool": "l4", "gpus": 4}}))
    dep = serving.deployment(platform.models[0], namespace="inference", queue="serving", hf_secret=None)
    c = container(dep)
    assert c["resources"]["limits"]["nvidia.com/gpu"] == "4" == c["resources"]["requests"]["nvidia.com/gpu"]
    assert "--tensor-parallel-size=4" in c["args"]
    assert dep["spec"]["template"]["spec"]["nodeSelector"] == {POOL_LABEL: "l4"}
    assert dep["spec"]["template"]["spec"]["tolerations"] == [
        {"key": "team", "operator": "Equal", "value": "ml", "effect": "NoSchedule"},
        {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"},
    ]
    assert dep["metadata"]["labels"][kueue.QUEUE_LABEL] == "serving"
    # 4 of 4 GPUs on a g2-standard-48 (48 vCPU, 192 GiB): most of the node, not all of it.
    assert int(c["resources"]["requests"]["cpu"]) < 48 and c["resources"]["requests"]["memory"] == "153Gi"


def test_hf_token_is_a_mounted_file_never_an_env_value() -> None:
    dep = deployment(LLAMA, hf_secret="hf-token")
    c = container(dep)
    env = {e["name"]: e for e in c["env"]}
    assert env["HF_TOKEN_PATH"]["value"] == "/var/run/secrets/huggingface/token"
    assert not any("valueFrom" in e for e in c["env"]), "no secretKeyRef env vars"
    volumes = {v["name"]: v for v in dep["spec"]["template"]["spec"]["volumes"]}
    assert volumes["hf-token"]["secret"]["secretName"] == "hf-token"
    assert {"name": "hf-token", "mountPath": "/var/run/secrets/huggingface", "readOnly": True} in c["volumeMounts"]


def test_without_a_token_nothing_is_mounted() -> None:
    c = container(deployment())
    assert "HF_TOKEN_PATH" not in {e["name"] for e in c["env"]}


def test_inference_namespace_enforces_restricted_pod_security() -> None:
    ns = serving.namespace("inference")
    assert ns["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    assert ns["metadata"]["labels"][kueue.INFERENCE_NAMESPACE_LABEL] == "true"


def test_flavor_and_queue_quota_are_the_pool_capacity() -> None:
    platform = resolved(config(GKE, nodePools={
        "l4": {"gpu": "L4", "nodes": {"max": 3}},
        "a100": {"gpu": "A100-80GB", "gpusPerNode": 1, "mig": "1g.10gb", "nodes": {"max": 2}},
    }))
    flavors = {f.name: kueue.resource_flavor(f) for f in platform.queueing.flavors}
    assert flavors["a100"]["spec"]["nodeLabels"] == {POOL_LABEL: "a100"}
    cq = kueue.cluster_queue(platform.queueing, [f.name for f in platform.queueing.flavors])
    quotas = {
        f["name"]: {r["name"]: r["nominalQuota"] for r in f["resources"]}
        for f in cq["spec"]["resourceGroups"][0]["flavors"]
    }
    # a2-ultragpu-1g: 12 vCPU, 170 GiB; 1 GPU split in 7 slices. g2-standard-8: 8 vCPU, 32 GiB.
    assert quotas == {
        "a100": {"cpu": 24, "memory": "340Gi", "nvidia.com/gpu": 14},
        "l4": {"cpu": 24, "memory": "96Gi", "nvidia.com/gpu": 3},
    }
    assert cq["spec"]["queueingStrategy"] == "BestEffortFIFO"
    assert cq["spec"]["namespaceSelector"] == {"matchLabels": {kueue.INFERENCE_NAMESPACE_LABEL: "true"}}


def test_kueue_manages_serving_workloads_and_waits_longer_than_a_model_load() -> None:
    config_yaml = kueue.chart_values()["managerConfig"]["controllerManagerConfigYaml"]
    parsed = yaml.safe_load(config_yaml)
    assert parsed["apiVersion"] == "config.kueue.x-k8s.io/v1beta2"
    assert {"pod", "deployment", "statefulset", "leaderworkerset.x-k8s.io/leaderworkerset"} <= set(parsed["integrations"]["frameworks"])
    minutes = int(parsed["waitForPodsReady"]["timeout"].removesuffix("m"))
    assert minutes * 60 > serving.STARTUP_PERIOD_S * serving.STARTUP_FAILURES


def test_default_deny_covers_every_pod_both_ways() -> None:
    assert network.default_deny("inference")["spec"] == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}


def test_serving_port_is_open_to_the_namespace_and_prometheus_only() -> None:
    policy = network.allow_serving("inference", {"app.kubernetes.io/name": "vllm"}, 8000, [network.prometheus_peer("monitoring")])
    rule = policy["spec"]["ingress"][0]
    assert rule["ports"] == [{"protocol": "TCP", "port": 8000}]
    assert rule["from"] == [
        {"podSelector": {}},
        {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}},
         "podSelector": {"matchLabels": {"app.kubernetes.io/name": "prometheus"}}},
    ]


@pytest.mark.parametrize(("gke", "ip_blocks"), [(True, ["169.254.169.254/32", "169.254.20.10/32"]), (False, [])])
def test_dns_egress_includes_gke_node_local_addresses(gke: bool, ip_blocks: list[str]) -> None:
    peers = network.allow_dns("inference", gke=gke)["spec"]["egress"][0]["to"]
    assert [p["ipBlock"]["cidr"] for p in peers if "ipBlock" in p] == ip_blocks


def test_model_download_egress_is_https_to_public_addresses_only() -> None:
    rule = network.allow_model_download("inference", {"app": "x"})["spec"]["egress"][0]
    assert rule["ports"] == [{"protocol": "TCP", "port": 443}]
    assert "10.0.0.0/8" in rule["to"][0]["ipBlock"]["except"] and "169.254.0.0/16" in rule["to"][0]["ipBlock"]["except"]


def test_gpu_operator_on_gke_uses_the_gke_driver() -> None:
    platform = resolved(GKE)
    values = gpu_operator.chart_values(platform.cluster, platform.pools)
    assert values["driver"] == {"enabled": False}
    assert values["hostPaths"]["driverInstallDir"] == "/home/kubernetes/bin/nvidia"
    assert {"name": "RUNTIME_CONFIG_SOURCE", "value": "file"} in values["toolkit"]["env"]
    assert platform.pools[0].node_labels["gke-no-default-nvidia-gpu-device-plugin"] == "true"


def test_gke_mig_pools_keep_the_operator_off_their_nodes() -> None:
    platform = resolved(config(GKE, nodePools={"a100": {"gpu": "A100-80GB", "mig": "1g.10gb", "nodes": {"max": 1}}}, models={}))
    pool = platform.pools[0]
    assert pool.device_plugin == "cloud" and pool.node_labels["nvidia.com/gpu.deploy.operands"] == "false"
    assert gpu_operator.chart_values(platform.cluster, platform.pools)["migManager"]["enabled"] is False


def test_gpu_operator_on_eks_leaves_driver_and_toolkit_to_the_ami() -> None:
    platform = resolved(EKS)
    values = gpu_operator.chart_values(platform.cluster, platform.pools)
    assert values["driver"] == {"enabled": False} and values["toolkit"] == {"enabled": False}
    assert "devicePlugin" not in values


def test_bottlerocket_also_brings_its_device_plugin() -> None:
    platform = resolved(config(EKS, cluster={**EKS["cluster"], "ami": "bottlerocket"}))
    assert gpu_operator.chart_values(platform.cluster, platform.pools)["devicePlugin"] == {"enabled": False}


def test_eks_mig_uses_the_mig_manager_with_reboots() -> None:
    platform = resolved(config(EKS, nodePools={"a100": {"gpu": "A100-80GB", "gpusPerNode": 8, "mig": "3g.40gb", "nodes": {"max": 1}}}, models={}))
    values = gpu_operator.chart_values(platform.cluster, platform.pools)
    assert values["migManager"] == {"enabled": True, "env": [{"name": "WITH_REBOOT", "value": "true"}]}
    assert platform.pools[0].node_labels["nvidia.com/mig.config"] == "all-3g.40gb"
    assert platform.pools[0].units_per_node == 16


def test_eks_time_slicing_gets_a_device_plugin_config_per_pool() -> None:
    small = {"model": "acme/tiny-1b", "pool": "l4", "size": {"weightsGb": 1.2, "layers": 16, "kvHeads": 8, "headDim": 64}}
    platform = resolved(config(EKS, nodePools={"l4": {"gpu": "L4", "nodes": {"max": 1}, "sharing": {"strategy": "time-slicing", "clientsPerGpu": 4}}},
                               models={"tiny": small}))
    values = gpu_operator.chart_values(platform.cluster, platform.pools)
    cm = gpu_operator.sharing_config("gpu-operator", platform.pools)
    assert cm is not None and values["devicePlugin"]["config"]["name"] == cm["metadata"]["name"]
    assert yaml.safe_load(cm["data"]["l4"]) == {
        "version": "v1", "sharing": {"timeSlicing": {"resources": [{"name": "nvidia.com/gpu", "replicas": 4}]}}
    }
    assert platform.pools[0].node_labels["nvidia.com/device-plugin.config"] == "l4"
    # vLLM's memory share is divided among the pods on one GPU.
    assert "--gpu-memory-utilization=0.23" in platform.models[0].args


def test_existing_cluster_installs_the_driver_only_when_asked() -> None:
    for install in (False, True):
        platform = resolved(config(EXISTING, cluster={"provider": "existing", "installDriver": install}))
        assert gpu_operator.chart_values(platform.cluster, platform.pools)["driver"] == {"enabled": install}


def test_monitors_carry_the_release_label_prometheus_selects() -> None:
    mon = resolved(GKE).monitoring
    pm = monitoring.pod_monitor("vllm", "inference", {"app.kubernetes.io/name": "vllm"}, "http", mon)
    sm = monitoring.dcgm_service_monitor("gpu-operator", mon)
    assert pm["metadata"]["labels"]["release"] == sm["metadata"]["labels"]["release"] == "kube-prometheus-stack"
    assert pm["spec"]["podMetricsEndpoints"] == [{"port": "http", "path": "/metrics", "interval": "15s"}]
    assert sm["spec"]["endpoints"][0]["honorLabels"] is True


def test_grafana_password_comes_from_a_secret_not_the_values() -> None:
    mon = resolved(config(GKE, monitoring={"grafana": True}, grafanaAdminPassword="pw")).monitoring
    values = monitoring.chart_values(mon, grafana_secret="grafana-admin")
    assert values["grafana"]["admin"]["existingSecret"] == "grafana-admin"
    assert "pw" not in yaml.safe_dump(values)


def test_builders_do_not_mutate_the_resolved_platform() -> None:
    platform = resolved(GKE)
    before = copy.deepcopy(platform)
    serving.deployment(platform.models[0], namespace="inference", queue="serving", hf_secret=None)
    kueue.cluster_queue(platform.queueing, ["l4"])
    assert platform == before


def test_queued_pools_get_nodes_through_a_provisioning_admission_check() -> None:
    pools = {"l4": {"gpu": "L4", "nodes": {"max": 2}}, "h100": {"gpu": "H100-80GB", "gpusPerNode": 8, "capacity": "queued", "nodes": {"max": 2}}}
    queueing = resolved(config(GKE, nodePools=pools)).queueing
    names = [f.name for f in queueing.flavors]
    cq = kueue.cluster_queue(queueing, names, provisioning_check="dws-check")
    assert cq["spec"]["admissionChecksStrategy"] == {"admissionChecks": [{"name": "dws-check", "onFlavors": ["h100"]}]}
    with pytest.raises(ValueError):
        kueue.cluster_queue(queueing, names)
    check = kueue.provisioning_check("dws-config")
    assert check["spec"]["parameters"] == {"apiGroup": "kueue.x-k8s.io", "kind": "ProvisioningRequestConfig", "name": "dws-config"}
    assert kueue.provisioning_request_config()["spec"]["provisioningClassName"] == "queued-provisioning.gke.io"


def test_pools_without_queued_capacity_have_no_admission_checks() -> None:
    queueing = resolved(GKE).queueing
    assert "admissionChecksStrategy" not in kueue.cluster_queue(queueing, ["l4"])["spec"]
