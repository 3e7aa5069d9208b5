"""The plan's behaviour step: every repo stack's workloads are admitted and placed; a stack whose are not fails the plan."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from components.scheduling import admission
from components.scheduling.nodes import node_group
from stacks.plan import behaviour
from stacks.plan import engine as plan
from stacks.plan import render as output
from stacks.plan import summary, validate
from stacks.plan.cli import main

from ..conftest import GKE, PROJECT, config, write_stack
from .test_plan import STACK_FILES


@pytest.mark.parametrize("path", STACK_FILES, ids=[p.name for p in STACK_FILES])
def test_every_repo_stack_is_admitted_and_placed(path: Path) -> None:
    report = behaviour.check(plan.run(path, PROJECT))
    assert report.errors == [] and report.workloads >= 1


def test_the_plan_reads_the_kueue_configuration_it_sends(plan_of) -> None:
    settings = behaviour.kueue_config(plan_of(GKE))
    assert settings["resources"] == {"excludeResourcePrefixes": ["ephemeral-storage"]}
    assert settings["managedJobsNamespaceSelector"] == {"matchLabels": {"inferfleet.dev/inference": "true"}}


# A 72B model on 8 x A100-40GB nodes with the default 200 GB disk: the config's disk rule passes
# (weights + 30 GB headroom), but GKE allocates only 97.4 GiB of that disk to pods. (a2-highgpu has no
# bundled Local SSD; on a2-ultragpu the weights land on its Local SSDs, see test_on_local_nvme_* in tests/scheduling.)
SMALL_DISK = config(
    GKE,
    nodePools={"a100": {"gpu": "A100-40GB", "gpusPerNode": 8, "nodes": {"max": 2}}},
    models={"qwen-72b": {"model": "Qwen/Qwen2.5-72B-Instruct", "pool": "a100", "gpus": 8, "maxModelLen": 4096}},
)


def test_a_disk_no_node_can_hold_is_a_config_error_and_its_fix_plans_clean(tmp_path: Path, capsys) -> None:
    """The serving layer sizes the disk with the same allocatable the placement check proves (catalog.sizing)."""
    assert main(["plan", str(write_stack(tmp_path, SMALL_DISK))]) == 2
    assert capsys.readouterr().err.splitlines()[1] == (
        "inferfleet:nodePools.a100.diskSizeGb: a 200 GB boot disk leaves pods 104.5 GB of ephemeral storage on GKE, "
        "less than the 165 GB of model weights its replicas download per node; valid: >= 291, or fewer replicas per node"
    )
    fixed = config(SMALL_DISK, nodePools={"a100": {**SMALL_DISK["nodePools"]["a100"], "diskSizeGb": 291}})
    assert main(["plan", str(write_stack(tmp_path, fixed))]) == 0
    # a2-ultragpu-2g comes with 2 Local SSDs that hold the ephemeral storage: the 200 GB boot disk is enough.
    local = config(SMALL_DISK, nodePools={"a100": {"gpu": "A100-80GB", "gpusPerNode": 2, "nodes": {"max": 2}}},
                   models={"qwen-72b": {**SMALL_DISK["models"]["qwen-72b"], "gpus": 2}})
    assert main(["plan", str(write_stack(tmp_path, local))]) == 0


BATCH = PROJECT / "examples" / "Pulumi.batch.yaml"
JOB = PROJECT / "examples" / "training-job.yaml"


def test_the_example_job_is_admitted_on_the_training_queue_and_placed_on_the_a100s() -> None:
    p = plan.run(BATCH, PROJECT)
    objects = output.manifests(p)
    kinds = [(o["kind"], o["metadata"]["name"]) for o in objects]
    assert {("ClusterQueue", n) for n in ("serving", "training", "team-a")} <= set(kinds)
    job = yaml.safe_load(JOB.read_text())
    nodes = [node_group(pool, "gke", "nvidia.com/gpu") for pool in p.loaded.platform.pools]
    assert admission.check([*objects, job], behaviour.kueue_config(p), nodes, "gke") == []
    # Its queue decides where it may run: the serving queue has no LocalQueue in the training namespace.
    job["metadata"]["labels"]["kueue.x-k8s.io/queue-name"] = "serving"
    assert [v.rule for v in admission.check([*objects, job], behaviour.kueue_config(p), nodes, "gke")] == ["A2 queue"]
    assert validate.validate_core(job, p.loaded.platform.pins.kubernetes) == []


def quotas(p: plan.Plan) -> dict[tuple[str, str], dict[str, object]]:
    return {
        (o["metadata"]["name"], f["name"]): {r["name"]: r["nominalQuota"] for r in f["resources"]}
        for o in output.manifests(p) if o["kind"] == "ClusterQueue"
        for f in o["spec"]["resourceGroups"][0]["flavors"]
    }


def test_growing_a_pool_changes_its_flavor_quotas_and_nothing_unrelated(plan_of) -> None:
    values = yaml.safe_load(BATCH.read_text())["config"]
    values = {k.removeprefix("inferfleet:"): v for k, v in values.items()}
    before = plan_of(values)
    values["nodePools"]["a100"]["nodes"]["max"] = 3
    after = plan_of(values)
    changed = {r.name.removeprefix("inferfleet-test-") for r in after.resources
               for old in [next(b for b in before.resources if b.urn == r.urn)] if old.inputs != r.inputs}
    # The pool itself, the two queues with a share of it, and the GKE quota on operator pods that is
    # sized from the pools' maximum nodes; not the l4 pool, team-a, flavors or models.
    assert changed == {"cloud-a100", "scheduling-cluster-queue", "scheduling-queue-training", "gpu-critical-pods"}
    was, now = quotas(before), quotas(after)
    assert {k for k in now if now[k] != was[k]} == {("serving", "a100"), ("training", "a100")}
    assert now["training", "a100"]["nvidia.com/gpu"] == 12 and now["serving", "a100"]["nvidia.com/gpu"] == 12  # 50% of 24


def test_the_summary_shows_each_queues_split() -> None:
    text = summary.summary(plan.run(BATCH, PROJECT))
    assert "Queues (Kueue ClusterQueues, cohort inferfleet):" in text
    assert "  training     a100 8 units (96 CPU, 1360 GiB); namespaces training; priority batch-training" in text
    assert "  team-a       l4 0 units (0 CPU, 0 GiB), borrows <= 2; namespaces team-a; priority none" in text


def test_a_model_moved_to_another_queue_or_priority_is_replaced(monkeypatch, plan_of) -> None:
    """Kueue's webhook rejects those label changes on a running Deployment, so Pulumi must replace it."""
    options: dict[str, tuple[list[str], bool]] = {}

    class Recording(plan.PlanMonitor):
        def RegisterResource(self, request):  # type: ignore[no-untyped-def]
            options[request.name] = (list(request.replaceOnChanges), bool(request.deleteBeforeReplace))
            return super().RegisterResource(request)

    monkeypatch.setattr(plan, "PlanMonitor", Recording)
    plan_of(GKE)
    assert options["inferfleet-test-serving-model-qwen-deployment"] == (
        ['metadata.labels["kueue.x-k8s.io/queue-name"]', 'metadata.labels["kueue.x-k8s.io/priority-class"]'], True
    )
