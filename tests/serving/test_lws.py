"""A model across nodes: a LeaderWorkerSet (kubernetes-sigs/lws@v0.10.0) of whole nodes, tensor
parallel on each and pipeline parallel across them, with vLLM's own multi-node launcher."""

from __future__ import annotations

from typing import Any

import pytest

from components.core.problems import ConfigError
from components.serving import vllm
from stacks.plan import render, validate

from ..conftest import GKE, PROJECT, config, resolved

H100 = {"h100": {"gpu": "H100-80GB", "gpusPerNode": 8, "nodes": {"min": 0, "max": 2}, "diskSizeGb": 1200}}
LLAMA_405B = {"model": "meta-llama/Llama-3.1-405B-Instruct", "pool": "h100", "nodes": 2, "maxModelLen": 32768}


def multinode(**model: Any) -> dict[str, Any]:
    return config(GKE, hfToken="hf_test", nodePools=H100, models={"llama-405b": {**LLAMA_405B, **model}})


def problems(values: dict[str, Any]) -> list[str]:
    with pytest.raises(ConfigError) as error:
        resolved(values)
    return [p.line() for p in error.value.problems]


def test_the_multinode_example_plans_a_leader_worker_set_that_validates() -> None:
    from stacks.plan import engine

    plan = engine.run(PROJECT / "examples" / "Pulumi.gke-multinode.yaml", PROJECT)
    objects = render.manifests(plan)
    kinds = {o["kind"] for o in objects}
    assert "LeaderWorkerSet" in kinds and "Deployment" not in {o["kind"] for o in objects if o["metadata"].get("namespace") == "inference"}
    assert validate.validate_all(objects, plan.loaded.platform.pins).ok
    charts = [r for r in plan.resources if r.type == "kubernetes:helm.sh/v4:Chart"]
    lws = next(r for r in charts if r.inputs["chart"].endswith("/lws"))
    assert lws.inputs["version"] == "0.10.0" and lws.inputs["values"]["image"]["manager"]["tag"] == "v0.10.0"


def test_leader_serves_and_workers_run_headless_with_the_lws_variables() -> None:
    model = resolved(multinode()).serving.models[0]
    assert (model.tensor_parallel, model.pipeline_parallel) == (8, 2)
    lws = vllm.leader_worker_set(model, namespace="inference", queue="serving", hf_secret="hf-token")
    template = lws["spec"]["leaderWorkerTemplate"]
    assert template["size"] == 2 and template["restartPolicy"] == "RecreateGroupOnPodRestart"
    assert lws["metadata"]["labels"]["kueue.x-k8s.io/queue-name"] == "serving"
    leader = template["leaderTemplate"]["spec"]["containers"][0]
    worker = template["workerTemplate"]["spec"]["containers"][0]
    common = ["--pipeline-parallel-size=2", "--nnodes=$(LWS_GROUP_SIZE)", "--master-addr=$(LWS_LEADER_ADDRESS)", "--master-port=29501"]
    assert set(common) <= set(leader["args"]) and set(common) <= set(worker["args"])
    assert "--node-rank=0" in leader["args"] and "--headless" not in leader["args"]
    assert "--node-rank=$(LWS_WORKER_INDEX)" in worker["args"] and "--headless" in worker["args"]
    assert "startupProbe" in leader and "ports" in leader
    assert "startupProbe" not in worker and "ports" not in worker
    assert leader["resources"]["limits"]["nvidia.com/gpu"] == worker["resources"]["limits"]["nvidia.com/gpu"] == "8"
    assert lws["spec"]["rolloutStrategy"]["rollingUpdateConfiguration"] == {"maxSurge": 0, "maxUnavailable": 1}


def test_only_the_leader_is_behind_the_service_and_the_group_reaches_itself() -> None:
    model = resolved(multinode()).serving.models[0]
    assert vllm.service(model, "inference")["spec"]["selector"][vllm.LWS_WORKER_INDEX_LABEL] == "0"
    policy = vllm.group_policy(model, "inference")
    group = {"podSelector": {"matchLabels": {vllm.LWS_NAME_LABEL: "llama-405b"}}}
    assert policy["spec"]["ingress"] == [{"from": [group]}] and policy["spec"]["egress"] == [{"to": [group]}]


def test_gpus_and_nodes_of_a_multinode_replica_count_against_the_pool() -> None:
    model = resolved(multinode()).serving.models[0]
    assert model.gpus_per_replica == 16
    assert problems(multinode(replicas={"min": 2, "max": 2})) == [
        "inferfleet:nodePools.h100.nodes.max: the minimum replicas placed here (llama-405b 2 x 16) need 32 GPUs but 2 node(s) "
        "give 16; valid: nodes.max >= 4"
    ]


def test_a_multinode_model_on_a_pool_without_enough_nodes() -> None:
    assert problems(multinode(nodes=3)) == [
        "inferfleet:models.llama-405b.nodes: 3 nodes per replica but pool h100 has at most 2; valid: nodePools.h100.nodes.max >= 3"
    ]


def test_a_multinode_replica_takes_whole_nodes() -> None:
    assert problems(multinode(gpus=4)) == [
        "inferfleet:models.llama-405b.gpus: a multi-node replica takes whole GPUs of whole nodes; valid on pool h100: gpus: 8 "
        "without MIG or sharing"
    ]


def test_a_multinode_model_name_fits_kueues_pod_group_label() -> None:
    """kueue@v0.19.2 site/content/en/docs/tasks/run/leaderworkerset.md:124-131: at most 39 characters;
    the stack schema already caps model names at 30."""
    values = config(GKE, hfToken="hf_test", nodePools=H100, models={"l" * 31: LLAMA_405B})
    assert problems(values)[0].startswith(f"inferfleet:models.{'l' * 31}: '{'l' * 31}' is not a valid name; use 1-30 lowercase")


def test_deepseek_r1_at_full_context_fits_two_h100_nodes() -> None:
    values = config(GKE, nodePools=H100, models={"ds": {"model": "deepseek-ai/DeepSeek-R1", "pool": "h100", "nodes": 2, "maxModelLen": 163840}})
    model = resolved(values).serving.models[0]  # 689 GB of FP8 over 16 H100s fits; 164k tokens of MLA too
    assert model.pipeline_parallel == 2 and model.fit is not None and model.fit.fits


def test_the_summary_counts_every_node_of_a_replica() -> None:
    lines = resolved(multinode()).serving.models[0].summary()
    assert lines[0].endswith("1-6 replicas of 2 nodes x 8 x H100-80GB (a LeaderWorkerSet, pipeline parallel 2) on pool h100")
    assert any("812 GB of weights from the Hugging Face hub on each of its 2 nodes" in line for line in lines)


def test_nodes_that_do_not_fit_suggest_the_fewest_that_do() -> None:
    """689 GB of FP8 over 5 x 8 L4s is 16 GiB per GPU, under the 20.7 GiB each gives vLLM."""
    l4 = {"l4": {"gpu": "L4", "gpusPerNode": 8, "nodes": {"max": 2}, "diskSizeGb": 1200}}
    assert problems(config(GKE, nodePools=l4, models={"ds": {"model": "deepseek-ai/DeepSeek-V3", "pool": "l4", "nodes": 2}})) == [
        "inferfleet:models.ds.gpus: deepseek-ai/DeepSeek-V3 (fp8) needs 40.11 GiB of weights per GPU at gpus: 8 on each of "
        "nodes: 2, but one L4 gives vLLM 20.7 GiB (0.92 x 22.5 GiB, less 3 GiB for activations); valid: nodes: 5 with "
        "nodePools.l4.nodes.max >= 5"
    ]


def test_a_multinode_replica_needs_tensor_parallelism_over_a_whole_node_to_suit_the_heads() -> None:
    values = config(GKE, nodePools=H100, models={"phi": {"model": "microsoft/phi-4", "pool": "h100", "nodes": 2}})
    assert problems(values) == [
        "inferfleet:models.phi.nodes: a multi-node replica is tensor parallel over all 8 GPUs of a node, but 8 neither divides "
        "nor is a multiple of the model's 10 KV heads; valid: nodes: 1, or a pool with another GPU count"
    ]


def test_an_unchecked_multinode_model_still_takes_whole_nodes() -> None:
    values = config(GKE, nodePools=H100, models={"x": {"model": "acme/big", "pool": "h100", "unchecked": True, "gpus": 4,
                                                       "maxModelLen": 8192, "nodes": 2}})
    assert problems(values)[0].startswith("inferfleet:models.x.gpus: a multi-node replica takes whole GPUs of whole nodes")
