"""The plan's behaviour step: every repo stack's workloads are admitted and placed; a stack whose are not fails the plan."""

from __future__ import annotations

from pathlib import Path

import pytest

from stacks.plan import behaviour
from stacks.plan import engine as plan
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


# A 72B model on 2 x A100 nodes with the default 200 GB disk: the config's disk rule passes
# (weights + 30 GB headroom), but GKE allocates only 97.4 GiB of that disk to pods.
SMALL_DISK = config(
    GKE,
    nodePools={"a100": {"gpu": "A100-80GB", "gpusPerNode": 2, "nodes": {"max": 2}}},
    models={"qwen-72b": {"model": "Qwen/Qwen2.5-72B-Instruct", "pool": "a100", "gpus": 2, "maxModelLen": 4096}},
)


def test_a_pod_no_node_can_hold_fails_the_plan_with_one_line(tmp_path: Path, capsys) -> None:
    assert main(["plan", str(write_stack(tmp_path, SMALL_DISK))]) == 1
    printed = capsys.readouterr().out
    assert (
        "  Deployment inference/qwen-72b: P4 ephemeral-storage: pod requests 153.7Gi but a node of a100 allocates 97.4Gi "
        "(200 GB disk, GKE COS); valid: nodePools.a100.diskSizeGb >= 291\n"
    ) in printed
    fixed = config(SMALL_DISK, nodePools={"a100": {**SMALL_DISK["nodePools"]["a100"], "diskSizeGb": 291}})
    assert main(["plan", str(write_stack(tmp_path, fixed))]) == 0
