"""The offline plan of every stack file in the repo, and the properties every plan must have."""

from __future__ import annotations

import json
from pathlib import Path

import pulumi
import pytest
import yaml

from components.platform import LAYERS
from stacks.plan import engine as plan
from stacks.plan import render as output
from stacks.plan import chart_values, summary, validate
from stacks.plan.cli import main
from stacks.plan.schemas import FETCH_COMMAND

from ..conftest import GKE, PROJECT, config

STACK_FILES = sorted([*PROJECT.glob("Pulumi.*.yaml"), *(PROJECT / "examples").glob("Pulumi.*.yaml")])


def test_the_repo_has_stack_files() -> None:
    names = {p.name for p in STACK_FILES}
    assert {"Pulumi.dev.yaml", "Pulumi.prod.yaml"} <= names


@pytest.fixture(scope="module", params=STACK_FILES, ids=[p.name for p in STACK_FILES])
def stack_plan(request) -> plan.Plan:
    return plan.run(request.param, PROJECT)


def test_every_stack_plans_every_layer(stack_plan: plan.Plan) -> None:
    layers = {summary.layer_of(stack_plan, r) for r in stack_plan.resources if r.custom}
    off = set() if stack_plan.loaded.platform.monitoring.enabled else {"monitoring"}
    assert set(LAYERS.values()) - off <= layers and not off & layers


def test_every_manifest_validates_against_the_pinned_schemas(stack_plan: plan.Plan) -> None:
    objects = output.manifests(stack_plan)
    report = validate.validate_all(objects, stack_plan.loaded.platform.pins)
    assert report.errors == []
    assert report.custom > 0 and report.core > 0 and report.core + report.custom == len(objects)


def test_every_resource_waits_for_its_provider(stack_plan: plan.Plan) -> None:
    for r in stack_plan.resources:
        if r.provider:
            assert r.provider in r.dependencies, r.urn
        if r.custom and r.type.startswith(("kubernetes:", "gcp:", "aws:")):
            assert r.provider, f"{r.urn} must use an explicit provider, not an ambient default"


def test_the_graph_is_closed(stack_plan: plan.Plan) -> None:
    """Every parent and dependency is itself in the plan, and only the stack has no parent."""
    urns = {r.urn for r in stack_plan.resources}
    assert [r.type for r in stack_plan.resources if r.parent is None] == ["pulumi:pulumi:Stack"]
    for r in stack_plan.resources:
        assert r.parent is None or r.parent in urns, r.urn
        assert set(r.dependencies) <= urns, r.urn


def test_the_kubeconfig_is_masked_in_plan_json(stack_plan: plan.Plan) -> None:
    for r in stack_plan.resources:
        if r.type == "pulumi:providers:kubernetes":
            assert r.to_json()["inputs"]["kubeconfig"] == plan.SECRET_MASK


def test_plan_command_writes_plan_json_and_manifests(tmp_path: Path, capsys) -> None:
    out = tmp_path / "plan"
    assert main(["plan", "dev", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "Resources per layer:" in printed and "GPU capacity:" in printed and "Models:" in printed
    document = json.loads((out / "plan.json").read_text())
    assert document["project"] == "inferfleet" and document["stack"] == "dev"
    keys = {"urn", "type", "name", "parent", "custom", "provider", "protect", "inputs", "dependencies"}
    assert all(set(r) == keys for r in document["resources"])
    files = sorted((out / "manifests" / "1-manifest").glob("*.yaml"))
    kubernetes = [r for r in document["resources"] if r["custom"] and r["type"].startswith("kubernetes:")]
    assert len(files) == len(kubernetes) > 0
    deployment = yaml.safe_load((out / "manifests/1-manifest/apps+v1_Deployment_inference_qwen3-8b.yaml").read_text())
    assert deployment["kind"] == "Deployment" and deployment["metadata"]["namespace"] == "inference"
    charts = [r for r in document["resources"] if r["type"] == summary.HELM_CHART]
    assert {c["inputs"]["chart"] for c in charts} == {"gpu-operator", "oci://registry.k8s.io/kueue/charts/kueue", "kube-prometheus-stack"}
    assert all(c["inputs"]["version"] and "values" in c["inputs"] for c in charts)


def test_two_plans_of_one_stack_are_identical() -> None:
    first = plan.run(PROJECT / "Pulumi.dev.yaml", PROJECT).to_json()
    second = plan.run(PROJECT / "Pulumi.dev.yaml", PROJECT).to_json()
    assert json.dumps(first, sort_keys=True) == json.dumps(second, sort_keys=True)


def test_adding_a_model_changes_no_existing_resource(plan_of) -> None:
    before = plan_of(GKE)
    bigger = config(GKE, nodePools={"l4": {"gpu": "L4", "nodes": {"min": 0, "max": 2}}},
                    models={**GKE["models"], "mistral": {"model": "Qwen/Qwen3-8B", "pool": "l4", "namespace": "team-b"}})
    after = plan_of(bigger)
    after_by_urn = {r.urn: r for r in after.resources}
    for r in before.resources:
        assert r.urn in after_by_urn, f"{r.urn} was renamed or removed"
        assert after_by_urn[r.urn].inputs == r.inputs, f"{r.urn} changed"
    assert len(after.resources) > len(before.resources)


def test_resource_names_come_from_config_keys_not_positions(plan_of) -> None:
    two_pools = config(GKE, nodePools={"l4": GKE["nodePools"]["l4"], "a100": {"gpu": "A100-80GB", "nodes": {"max": 1}}})
    names = {r.name for r in plan_of(two_pools).resources}
    assert {"inferfleet-test-cloud-l4", "inferfleet-test-cloud-a100", "inferfleet-test-scheduling-flavor-a100"} <= names


def explicit_edges(p: plan.Plan) -> set[tuple[str, str]]:
    prefix = f"{p.project}-{p.stack}-"
    short = {r.urn: r.name.removeprefix(prefix) for r in p.resources}
    return {(short[r.urn], short[d]) for r in p.resources for d in r.explicit_dependencies}


def test_only_real_ordering_needs_are_explicit_dependencies(plan_of) -> None:
    """Every other edge in the graph comes from a value flowing from one resource into another."""
    assert explicit_edges(plan_of(GKE)) == {
        ("cloud-system", "cloud-nodes-role"),  # nodes write logs and metrics from first boot
        ("cloud-l4", "cloud-nodes-role"),
        ("cloud-k8s", "cloud-system"),  # charts await pods that need the system nodes
        ("scheduling-flavor-l4", "scheduling-kueue"),  # Kueue CRDs and webhooks come with its chart
        ("scheduling-priority-batch-training", "scheduling-kueue"),
        ("scheduling-priority-realtime-inference", "scheduling-kueue"),
        ("monitoring-inference-vllm-monitor", "monitoring-prometheus"),  # monitor CRDs come with the chart
        ("monitoring-dcgm-monitor", "monitoring-prometheus"),
    }


def test_local_queues_wait_for_their_namespace_and_cluster_queue_through_values(plan_of) -> None:
    p = plan_of(GKE)
    by_name = {r.name: r for r in p.resources}
    namespace = by_name["inferfleet-test-serving-ns-inference-namespace"]
    queue = by_name["inferfleet-test-scheduling-inference-local-queue"]
    cluster_queue = by_name["inferfleet-test-scheduling-cluster-queue"]
    assert namespace.urn in queue.dependencies and cluster_queue.urn in queue.dependencies
    deployment = by_name["inferfleet-test-serving-model-qwen-deployment"]
    assert deployment.inputs["metadata"]["labels"]["kueue.x-k8s.io/queue-name"] == queue.inputs["metadata"]["name"]


def test_a_queued_pool_adds_the_provisioning_check_and_it_validates(plan_of) -> None:
    pools = {**GKE["nodePools"], "h100": {"gpu": "H100-80GB", "gpusPerNode": 8, "capacity": "queued", "nodes": {"max": 2}}}
    p = plan_of(config(GKE, nodePools=pools))
    by_name = {r.name: r for r in p.resources}
    check = by_name["inferfleet-test-scheduling-provisioning-check"]
    assert check.urn in by_name["inferfleet-test-scheduling-cluster-queue"].dependencies
    assert ("scheduling-provisioning-config", "scheduling-kueue") in explicit_edges(p)
    report = validate.validate_all(output.manifests(p), p.loaded.platform.pins)
    assert report.errors == []


def test_without_schemas_the_plan_fails_and_names_the_command_that_fetches_them(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setenv(validate.SCHEMAS_ENV, str(tmp_path / "no-schemas"))
    assert main(["plan", "dev"]) == 1
    out = capsys.readouterr().out
    assert "all valid" not in out
    assert f"run `{FETCH_COMMAND}`" in out


def test_an_invoke_the_plan_cannot_answer_stops_the_plan() -> None:
    mocks = plan.PlanMocks()
    args = pulumi.runtime.mocks.MockCallArgs("gcp:compute/getMachineTypes:getMachineTypes", {}, "")
    with pytest.raises(plan.UnknownInvoke, match="no answer for the invoke gcp:compute/getMachineTypes:getMachineTypes"):
        mocks.call(args)
    assert mocks.call(pulumi.runtime.mocks.MockCallArgs("aws:index/getPartition:getPartition", {}, ""))[0]["partition"] == "aws"


def test_every_chart_value_is_one_the_chart_reads(stack_plan: plan.Plan) -> None:
    checked, problems = chart_values.check_plan(stack_plan, validate.schemas_root() / "charts")
    assert problems == [] and checked == sum(1 for r in stack_plan.resources if r.type == summary.HELM_CHART) > 0


def test_every_object_gets_its_own_manifest_file(stack_plan: plan.Plan, tmp_path: Path) -> None:
    output.write(stack_plan, tmp_path)
    files = [*(tmp_path / "manifests").glob("*/*.yaml")]
    assert len(files) == len(output.manifests(stack_plan)) > 0


def test_names_that_collided_after_normalisation_get_their_own_files() -> None:
    """`<api>-<kind>-<ns>-<name>` gave both pairs below one file each; each object now has its own."""
    objects = [
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "b-c", "namespace": "a"}},
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "a-b"}},
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "x"}},
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "x", "namespace": "default"}},
        {"apiVersion": "a/b", "kind": "K", "metadata": {"name": "n"}},
        {"apiVersion": "a_b", "kind": "K", "metadata": {"name": "n"}},
        {"apiVersion": "a+b", "kind": "K", "metadata": {"name": "n"}},
    ]
    paths = [output.manifest_path(o) for o in objects]
    assert len(set(paths)) == len(objects), paths
    assert paths[0] == "1-manifest/v1_ConfigMap_a_b-c.yaml" and paths[2] == "1-manifest/v1_Namespace__x.yaml"


def test_dev_summary_names_what_it_creates_and_its_minimum_cost() -> None:
    text = summary.summary(plan.run(PROJECT / "Pulumi.dev.yaml", PROJECT))
    creates = text.split("Creates:\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert creates == [
        "  cluster      GKE zonal cluster inferfleet-dev in us-central1-a (project inferfleet-dev), Kubernetes 1.34 or newer "
        "(min_master_version; the REGULAR channel upgrades it)",
        "  network      new VPC inferfleet-dev: nodes 10.10.0.0/20, pods 10.16.0.0/14, Services 10.20.0.0/20, Cloud Router "
        "and Cloud NAT",
        "  system pool  1-3 x e2-standard-8, 100 GB disks, in us-central1-a, us-central1-c",
        "  charts       gpu-operator (gpu-operator v26.7.0), kube-prometheus-stack (kube-prometheus-stack 88.5.3), "
        "kueue (kueue 0.19.2)",
        "  images       vllm/vllm-openai:v0.33.0",
    ]
    # The pool scales to zero, but the model's one minimum replica keeps one Spot L4 node running.
    assert "pool l4: 0-4 x g2-standard-8 spot, 1 running for the models' minimum replicas  at minimum $0.34/h ($248/month)" in text
    assert "total (estimate): at minimum $0.75/h ($549/month), at maximum $2.42/h ($1,770/month)" in text
    assert "model qwen3-8b: its minimum replicas' share of GPU nodes $0.34/h ($248/month)" in text
