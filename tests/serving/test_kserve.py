"""A model through KServe (kserve@v0.20.0): an LLMInferenceService running inferfleet's own checked
vLLM pod, with cert-manager and KServe installed from pinned charts."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from components.core.problems import ConfigError
from components.serving import vllm
from stacks.plan import engine, render, validate

from ..conftest import GKE, PROJECT, SHARED, config, resolved


def kserve(**model: Any) -> dict[str, Any]:
    return config(GKE, models={"qwen": {"model": "Qwen/Qwen3-8B", "pool": "l4", "mode": "kserve", **model}})


def test_the_prod_stack_serves_one_model_through_kserve_and_it_validates() -> None:
    plan = engine.run(PROJECT / "Pulumi.prod.yaml", PROJECT)
    objects = render.manifests(plan)
    llm = [o for o in objects if o["kind"] == "LLMInferenceService"]
    assert [o["metadata"]["name"] for o in llm] == ["qwen3-8b"]
    assert validate.validate_all(objects, plan.loaded.platform.pins).ok


def test_the_charts_are_pinned_and_their_values_exist_in_the_pinned_defaults() -> None:
    plan = engine.run(PROJECT / "Pulumi.prod.yaml", PROJECT)
    charts = {r.inputs["chart"].rsplit("/", 1)[-1]: r.inputs for r in plan.resources if r.type == "kubernetes:helm.sh/v4:Chart"}
    expected = {"cert-manager": "v1.21.1", "kserve-crd": "v0.20.0", "kserve-llmisvc-crd": "v0.20.0",
                "kserve-llmisvc-resources": "v0.20.0", "kserve-runtime-configs": "v0.20.0"}
    for name, version in expected.items():
        assert charts[name]["version"] == version
        defaults = yaml.safe_load((SHARED / "charts" / f"{name}-{version}" / "values.yaml").read_text()) or {}
        _assert_paths_exist(charts[name].get("values") or {}, defaults, name)


def _assert_paths_exist(values: dict[str, Any], defaults: dict[str, Any], where: str) -> None:
    for key, value in values.items():
        assert key in defaults, f"{where}.{key} is not a value of the pinned chart"
        if isinstance(value, dict) and value:
            _assert_paths_exist(value, defaults[key], f"{where}.{key}")


def test_the_service_runs_inferfleets_pod_and_flags_not_the_presets() -> None:
    model = resolved(kserve()).serving.models[0]
    llm = vllm.llm_inference_service(model, namespace="inference", queue="serving", hf_secret=None)
    spec = llm["spec"]
    assert llm["apiVersion"] == "serving.kserve.io/v1alpha2"
    assert spec["model"] == {"uri": "hf://Qwen/Qwen3-8B", "name": "Qwen/Qwen3-8B"}
    assert spec["storageInitializer"] == {"enabled": False} and spec["parallelism"] == {"tensor": 1}
    main = spec["template"]["containers"][0]
    assert main["name"] == "main" and main["command"] == ["vllm", "serve"] and main["args"] == vllm.args(model)
    assert main["securityContext"]["readOnlyRootFilesystem"] is True
    env = {e["name"]: e["value"] for e in main["env"]}
    assert env["USER"] == "vllm" and env["HF_HUB_CACHE"] == "/home/vllm/.cache/huggingface/hub"
    # Kueue's label is propagated from the object's labels, the network and monitoring labels from spec.labels.
    assert llm["metadata"]["labels"]["kueue.x-k8s.io/queue-name"] == "serving"
    assert vllm.POD_LABELS.items() <= spec["labels"].items()
    assert main["startupProbe"]["failureThreshold"] * main["startupProbe"]["periodSeconds"] >= model.budget.load_seconds


@pytest.mark.parametrize(
    ("model", "line"),
    [
        ({"nodes": 2, "pool": "h100", "model": "meta-llama/Llama-3.1-405B-Instruct"},
         "inferfleet:models.qwen.mode: KServe's multi-node presets are data-parallel only; valid: mode: vllm for nodes > 1"),
        ({"weights": {"source": "pvc", "claim": "w"}},
         "inferfleet:models.qwen.weights.source: inferfleet's KServe mode downloads from the hub only; valid: hub, or mode: vllm"),
    ],
)
def test_what_the_kserve_mode_does_not_serve(model: dict[str, Any], line: str) -> None:
    values = kserve(**model)
    values["nodePools"] = {**values["nodePools"], "h100": {"gpu": "H100-80GB", "gpusPerNode": 8, "nodes": {"max": 2}, "diskSizeGb": 1200}}
    values["hfToken"] = "hf_test"
    with pytest.raises(ConfigError) as error:
        resolved(values)
    assert line in [p.line() for p in error.value.problems]


def isvc(**kserve_keys: Any) -> dict[str, Any]:
    return kserve(kserve={"api": "inferenceService", **kserve_keys}, replicas={"min": 2, "max": 2})


def test_an_inference_service_on_the_hugging_face_runtime_with_a_canary_validates(plan_of) -> None:
    plan = plan_of(isvc(canary={"revision": "a1b2c3d", "trafficPercent": 10}))
    objects = render.manifests(plan)
    assert validate.validate_all(objects, plan.loaded.platform.pins).ok
    [obj] = [o for o in objects if o["kind"] == "InferenceService"]
    assert obj["apiVersion"] == "serving.kserve.io/v1beta1"
    # Canary is validated only with the mode spelled on the object (inference_service_validation.go:188-191).
    assert obj["metadata"]["annotations"]["serving.kserve.io/deploymentMode"] == "Standard"
    stable, [canary] = obj["spec"]["predictor"], obj["spec"]["canary"]
    assert stable["model"]["modelFormat"] == {"name": "huggingface"} and stable["model"]["runtime"] == "kserve-huggingfaceserver"
    assert "--model_id=Qwen/Qwen3-8B" in stable["model"]["args"] and "--max_length=8192" in stable["model"]["args"]
    assert "--served-model-name=Qwen/Qwen3-8B" in stable["model"]["args"]
    assert canary["trafficPercent"] == 10 and canary["predictor"]["name"] != stable["name"]
    assert "--model_revision=a1b2c3d" in canary["predictor"]["model"]["args"]
    assert "maxReplicas" not in canary["predictor"] and "minReplicas" not in canary["predictor"]
    assert stable["automountServiceAccountToken"] is False and stable["model"]["securityContext"]["readOnlyRootFilesystem"] is True
    charts = {r.inputs["chart"].rsplit("/", 1)[-1]: r.inputs for r in plan.resources if r.type == "kubernetes:helm.sh/v4:Chart"}
    assert charts["kserve-resources"]["values"]["kserve"]["controller"]["deploymentMode"] == "Standard"
    assert charts["kserve-runtime-configs"]["values"]["kserve"]["servingruntime"] == {"enabled": True}
    for name in ("kserve-resources", "kserve-runtime-configs"):
        assert charts[name]["version"] == "v0.20.0"
        defaults = yaml.safe_load((SHARED / "charts" / f"{name}-v0.20.0" / "values.yaml").read_text()) or {}
        _assert_paths_exist(charts[name]["values"], defaults, name)
    model = plan.loaded.platform.serving.models[0]
    assert model.canary_replicas == 0  # min 2, 10 %: 1 canary, stable lowered to 1 (predictor.go:795-800,886-895)


def test_a_canary_on_one_replica_adds_a_replica_to_the_pool() -> None:
    model = resolved(config(isvc(canary={"revision": "main", "trafficPercent": 50}), models={
        "qwen": {"model": "Qwen/Qwen3-8B", "pool": "l4", "mode": "kserve", "replicas": {"min": 1, "max": 1},
                 "kserve": {"api": "inferenceService", "canary": {"revision": "main", "trafficPercent": 50}}}})).serving.models[0]
    assert model.canary_replicas == 1
    assert any("canary: revision main takes 50%" in line for line in model.summary())


def test_without_a_canary_the_inference_service_autoscales_between_min_and_max() -> None:
    platform = resolved(isvc())
    obj = vllm.inference_service(platform.serving.models[0], namespace="inference", queue="serving", hf_secret=None)
    assert "canary" not in obj["spec"] and obj["spec"]["predictor"]["maxReplicas"] == 2


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (kserve(kserve={"canary": {"revision": "main", "trafficPercent": 10}}),
         "inferfleet:models.qwen.kserve.canary: a canary is an InferenceService's; valid: kserve.api: inferenceService, or drop canary"),
        (config(GKE, models={"qwen": {"model": "Qwen/Qwen3-8B", "pool": "l4", "kserve": {"api": "inferenceService"}}}),
         "inferfleet:models.qwen.kserve: is read only with mode: kserve; valid: mode: kserve, or drop kserve"),
        (kserve(kserve={"api": "inferenceService"}, vllm={"extraArgs": ["--enforce-eager"]}),
         "inferfleet:models.qwen.vllm.extraArgs: the InferenceService's Hugging Face runtime silently drops flags it does not know, "
         "so they cannot be checked; valid: no extraArgs, or kserve.api: llmInferenceService"),
    ],
)
def test_inference_service_rules(values, expected) -> None:
    with pytest.raises(ConfigError) as error:
        resolved(values)
    assert expected in [p.line() for p in error.value.problems]
