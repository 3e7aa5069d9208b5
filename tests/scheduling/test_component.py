"""Components used on their own, as another Pulumi project would import them, under Pulumi mocks."""

from __future__ import annotations

import contextvars
from typing import Any, Optional

import pulumi
import pulumi_kubernetes as k8s
from pulumi.runtime import mocks

from components.scheduling.component import Kueue
from components.core.budget import DEFAULT_BUDGET
from components.core.versions import DEFAULT_PINS
from components.scheduling.values import KueueArgs

from ..conftest import GKE, config, resolved


class Recorder(mocks.Mocks):
    def __init__(self) -> None:
        self.created: dict[str, tuple[str, dict[str, Any]]] = {}

    def new_resource(self, args: mocks.MockResourceArgs) -> tuple[Optional[str], dict[str, Any]]:
        self.created[args.name] = (args.typ, args.inputs)
        return f"{args.name}-id", args.inputs

    def call(self, args: mocks.MockCallArgs) -> tuple[dict[str, Any], None]:
        return {}, None


def run_program(program) -> Recorder:
    """Run `program` as a Pulumi program under mocks, in a context of its own."""
    recorder = Recorder()

    def in_context() -> None:
        mocks.set_mocks(recorder, project="consumer", stack="test", preview=False)
        pulumi.runtime.mocks.test(program)()

    contextvars.Context().run(in_context)
    return recorder


def test_kueue_alone_takes_typed_values_and_an_explicit_provider() -> None:
    queues = {"serving": {}, "training": {"namespaces": ["training"], "quota": {"l4": 1}, "priority": "batch-training"}}
    platform = resolved(config(GKE, nodePools={"l4": {"gpu": "L4", "nodes": {"max": 5}}}, scheduling={"queues": queues}))
    outputs: dict[str, Any] = {}

    def program() -> pulumi.Output[Any]:
        provider = k8s.Provider("their-cluster", kubeconfig="{}")
        queues = Kueue(
            "queues",
            KueueArgs(platform.queueing, DEFAULT_PINS.charts().kueue, DEFAULT_BUDGET, {"inference": "inference"}),
            pulumi.ResourceOptions(providers={"kubernetes": provider}),
        )
        return queues.cluster_queues["serving"].apply(lambda name: outputs.update(cluster_queue=name))

    recorder = run_program(program)
    assert outputs == {"cluster_queue": "serving"}
    typ, queue = recorder.created["queues-cluster-queue"]
    assert typ == "kubernetes:kueue.x-k8s.io/v1beta2:ClusterQueue"
    gpu = next(r for r in queue["spec"]["resourceGroups"][0]["flavors"][0]["resources"] if r["name"] == "nvidia.com/gpu")
    assert gpu["nominalQuota"] == 4, "serving takes what training leaves of the pool's capacity at its maximum size"
    typ, local = recorder.created["queues-inference-local-queue"]
    assert typ == "kubernetes:kueue.x-k8s.io/v1beta2:LocalQueue"
    assert local["metadata"]["namespace"] == "inference" and local["spec"]["clusterQueue"] == "serving"
    # The training namespace belongs to no other layer, so Kueue creates it, labelled for its queue.
    _, training = recorder.created["queues-training-local-queue"]
    assert training["metadata"]["namespace"] == "training" and training["spec"]["clusterQueue"] == "training"
    assert recorder.created["queues-ns-training"][1]["metadata"]["labels"]["inferfleet.dev/inference"] == "true"
    assert {recorder.created[f"queues-priority-{p}"][1]["value"] for p in ("realtime-inference", "batch-training")} == {1000, 100}
    chart_type, chart = recorder.created["queues-kueue"]
    assert chart_type == "kubernetes:helm.sh/v4:Chart" and chart["version"] == DEFAULT_PINS.kueue
