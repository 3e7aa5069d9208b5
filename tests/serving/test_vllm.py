"""vLLM builders: the Deployment, Service, namespace and token a model service gets."""

from __future__ import annotations

import copy

import pytest

from components.cloud.values import POOL_LABEL
from components.core.versions import DEFAULT_PINS
from components.scheduling.values import INFERENCE_NAMESPACE_LABEL, QUEUE_LABEL
from components.serving import vllm

from ..conftest import EKS, GKE, config, resolved


LLAMA = {**GKE, "hfToken": "hf_test", "models": {"llama": {"model": "meta-llama/Llama-3.1-8B-Instruct", "pool": "l4"}}}


def deployment(values=GKE, hf_secret=None):
    platform = resolved(values)
    return vllm.deployment(platform.serving.models[0], namespace="inference", queue="serving", hf_secret=hf_secret)


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


def test_probes_hit_health_and_startup_allows_the_models_load_budget() -> None:
    dep = deployment()
    c = container(dep)
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert c[probe]["httpGet"] == {"path": "/health", "port": "http"}
    budget = resolved(GKE).serving.models[0].budget
    assert c["startupProbe"]["periodSeconds"] * c["startupProbe"]["failureThreshold"] == budget.probe_seconds >= budget.load_seconds
    assert dep["spec"]["progressDeadlineSeconds"] == budget.progress_deadline_seconds > budget.probe_seconds
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
    dep = vllm.deployment(platform.serving.models[0], namespace="inference", queue="serving", hf_secret=None)
    c = container(dep)
    assert c["resources"]["limits"]["nvidia.com/gpu"] == "4" == c["resources"]["requests"]["nvidia.com/gpu"]
    assert "--tensor-parallel-size=4" in c["args"]
    assert dep["spec"]["template"]["spec"]["nodeSelector"] == {POOL_LABEL: "l4"}
    assert dep["spec"]["template"]["spec"]["tolerations"] == [
        {"key": "team", "operator": "Equal", "value": "ml", "effect": "NoSchedule"},
        {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"},
    ]
    assert dep["metadata"]["labels"][QUEUE_LABEL] == "serving"
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
    ns = vllm.namespace("inference")
    assert ns["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    assert ns["metadata"]["labels"][INFERENCE_NAMESPACE_LABEL] == "true"


def test_builders_do_not_mutate_the_resolved_platform() -> None:
    platform = resolved(GKE)
    before = copy.deepcopy(platform)
    vllm.deployment(platform.serving.models[0], namespace="inference", queue="serving", hf_secret=None)
    assert platform == before




def test_the_user_is_named_and_every_cache_is_under_a_writable_emptydir() -> None:
    """UID 10001 has no passwd entry, so getpass.getuser() needs LOGNAME or USER (vllm#44548); each
    library's cache variable (vllm@v0.33.0 vllm/envs.py, triton knobs.py, flashinfer jit/env.py) must
    point into an emptyDir, since the root filesystem is read-only."""
    dep = deployment()
    c = container(dep)
    env = {e["name"]: e["value"] for e in c["env"]}
    assert env["USER"] == env["LOGNAME"] == "vllm"
    writable = [m["mountPath"] for m in c["volumeMounts"] if not m.get("readOnly")]
    caches = ("XDG_CACHE_HOME", "XDG_CONFIG_HOME", "VLLM_CACHE_ROOT", "VLLM_CONFIG_ROOT", "HF_HOME", "TORCHINDUCTOR_CACHE_DIR",
              "TRITON_HOME", "TRITON_CACHE_DIR", "FLASH_ATTENTION_CUTE_DSL_CACHE_DIR", "CUDA_CACHE_PATH")
    for name in caches:
        assert any(env[name] == w or env[name].startswith(w + "/") for w in writable), name
    # FlashInfer appends .cache/flashinfer to its base (flashinfer 0.7.2 jit/env.py:66-70).
    assert any(f"{env['FLASHINFER_WORKSPACE_BASE']}/.cache/flashinfer".startswith(w + "/") for w in writable)


def test_the_load_budget_grows_with_the_model_and_kueue_waits_for_the_slowest() -> None:
    """Kueue has one waitForPodsReady clock (core.budget): it must cover the slowest model's progress
    deadline, which covers that model's startup probe (audit finding 10)."""
    pools = {"l4": {"gpu": "L4", "nodes": {"max": 2}}, "a100": {"gpu": "A100-80GB", "gpusPerNode": 8, "nodes": {"max": 1}, "diskSizeGb": 500}}
    platform = resolved(config(GKE, hfToken="hf_test", nodePools=pools, models={
        "small": {"model": "Qwen/Qwen3-8B", "pool": "l4"},
        "large": {"model": "meta-llama/Llama-3.1-70B-Instruct", "pool": "a100", "gpus": 4}}))
    budgets = {m.name: m.budget for m in platform.serving.models}
    assert budgets["large"].load_seconds > budgets["small"].load_seconds
    assert platform.budget == budgets["large"]
    for b in budgets.values():
        assert platform.budget.wait_seconds >= b.progress_deadline_seconds >= b.probe_seconds >= b.load_seconds


def test_shutdown_drains_the_longest_request_within_the_grace_period() -> None:
    platform = resolved(config(GKE, models={"qwen": {"model": "Qwen/Qwen3-8B", "pool": "l4", "longestRequestSeconds": 600}}))
    dep = vllm.deployment(platform.serving.models[0], namespace="inference", queue="serving", hf_secret=None)
    assert "--shutdown-timeout=600" in container(dep)["args"]
    assert dep["spec"]["template"]["spec"]["terminationGracePeriodSeconds"] > 600


def test_rollouts_need_no_spare_gpu_unless_the_stack_allows_surge() -> None:
    assert deployment()["spec"]["strategy"]["rollingUpdate"] == {"maxSurge": 0, "maxUnavailable": 1}
    surge = resolved(config(GKE, models={"qwen": {"model": "Qwen/Qwen3-8B", "pool": "l4", "allowSurge": True}})).serving.models[0]
    dep = vllm.deployment(surge, namespace="inference", queue="serving", hf_secret=None)
    assert dep["spec"]["strategy"]["rollingUpdate"] == {"maxSurge": 1, "maxUnavailable": 0}
    assert not any("down while each rollout" in line for line in surge.summary())
    assert any("down while each rollout" in line for line in resolved(GKE).serving.models[0].summary())


def test_a_disruption_budget_lets_drains_take_one_replica_at_a_time() -> None:
    model = resolved(GKE).serving.models[0]
    pdb = vllm.disruption_budget(model, "inference")
    assert pdb["apiVersion"] == "policy/v1" and pdb["spec"]["maxUnavailable"] == 1
    assert pdb["spec"]["selector"]["matchLabels"] == deployment()["spec"]["selector"]["matchLabels"]


def test_weights_from_a_shared_claim_are_read_offline_and_never_downloaded() -> None:
    values = config(GKE, models={"llama": {"model": "meta-llama/Llama-3.1-8B-Instruct", "pool": "l4",
                                           "weights": {"source": "pvc", "claim": "llama-weights"}}})
    model = resolved(values).serving.models[0]  # gated, but no token needed: the hub is never asked
    assert model.hf_token is False and model.download_gb == 0 and model.ephemeral_storage == "20G"
    dep = vllm.deployment(model, namespace="inference", queue="serving", hf_secret=None)
    c = container(dep)
    env = {e["name"]: e["value"] for e in c["env"]}
    assert env["HF_HUB_CACHE"] == "/models" and env["HF_HUB_OFFLINE"] == "1"
    assert {"name": "weights", "mountPath": "/models", "readOnly": True} in c["volumeMounts"]
    volumes = {v["name"]: v for v in dep["spec"]["template"]["spec"]["volumes"]}
    assert volumes["weights"]["persistentVolumeClaim"] == {"claimName": "llama-weights", "readOnly": True}
    hub = resolved(config(GKE, hfToken="hf_test", models={"llama": {"model": "meta-llama/Llama-3.1-8B-Instruct", "pool": "l4"}}))
    assert model.budget.load_seconds <= hub.serving.models[0].budget.load_seconds
    assert any("read from the claim llama-weights" in line for line in model.summary())


def test_a_claim_source_needs_the_claim() -> None:
    from components.core.problems import ConfigError

    with pytest.raises(ConfigError) as error:
        resolved(config(GKE, models={"qwen": {"model": "Qwen/Qwen3-8B", "pool": "l4", "weights": {"source": "pvc"}}}))
    assert [p.line() for p in error.value.problems] == [
        "inferfleet:models.qwen.weights.claim: source pvc needs the claim holding the weights; valid: the name of a "
        "ReadWriteMany PVC in the model's namespace"
    ]


def test_model_pods_on_karpenter_are_not_disrupted_while_they_load_and_gke_pods_carry_no_karpenter_annotation() -> None:
    # EKS defaults to Karpenter (components/cloud/spec.py nodeAutoscaler); GKE's own autoscaler reads no such annotation.
    from components.cloud.values import DO_NOT_DISRUPT

    eks = resolved(EKS).serving.models[0]
    annotations = vllm.deployment(eks, namespace="inference", queue="serving", hf_secret=None)["spec"]["template"]["metadata"]["annotations"]
    assert annotations[DO_NOT_DISRUPT] == f"{eks.budget.probe_seconds}s"
    assert annotations["kubectl.kubernetes.io/default-container"] == "vllm"
    kserve = resolved(config(EKS, models={"qwen": {"model": "Qwen/Qwen3-8B", "pool": "l4", "mode": "kserve"}})).serving.models[0]
    llm = vllm.llm_inference_service(kserve, namespace="inference", queue="serving", hf_secret=None)
    assert llm["spec"]["annotations"][DO_NOT_DISRUPT] == f"{kserve.budget.probe_seconds}s"
    autoscaled = resolved(config(EKS, cluster={**EKS["cluster"], "nodeAutoscaler": "cluster-autoscaler"})).serving.models[0]
    assert DO_NOT_DISRUPT not in vllm.pod_template(autoscaled, hf_secret=None)["metadata"]["annotations"]
    gke = vllm.pod_template(resolved(GKE).serving.models[0], hf_secret=None)
    assert gke["metadata"]["annotations"] == {"kubectl.kubernetes.io/default-container": "vllm"}
