"""The admission and placement check: a fixture that breaks each rule, and the platform's own objects pass."""

from __future__ import annotations

import copy
from fractions import Fraction
from typing import Any

import pytest

from components.core.budget import DEFAULT_BUDGET, StartupBudget
from components.scheduling import admission, kueue
from components.scheduling.admission import Violation, quantity
from components.scheduling.nodes import node_group
from components.scheduling.values import PRIORITY_LABEL, QUEUE_LABEL
from components.serving import vllm

from ..conftest import EKS, GKE, config, resolved


def cluster(base: dict[str, Any] = GKE, **changes: Any) -> dict[str, Any]:
    """What the platform renders for a stack: namespaces, Kueue objects, the model Deployment, the config and nodes."""
    platform = resolved(config(base, **changes))
    q = platform.queueing
    objects = [
        vllm.namespace("inference"),
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "kueue-system"}},
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "gpu-operator"}},
        *(kueue.resource_flavor(f) for f in q.flavors),
        *(kueue.workload_priority_class(p) for p in q.priorities),
        kueue.cluster_queue(q.queue("serving"), q.flavors, {f.name: f.name for f in q.flavors}),
        kueue.local_queue("serving", "inference", "serving"),
        *(vllm.deployment(m, namespace="inference", queue="serving", hf_secret=None) for m in platform.serving.models),
    ]
    provider = platform.cluster.provider
    return {
        "objects": objects,
        "config": kueue.controller_config(DEFAULT_BUDGET),
        "nodes": [node_group(p, provider, platform.gpu.resources[p.name].name) for p in platform.pools],
        "provider": provider,
    }


def run(c: dict[str, Any]) -> list[Violation]:
    return admission.check(c["objects"], c["config"], c["nodes"], c["provider"])


def rules(c: dict[str, Any]) -> list[str]:
    return [v.rule for v in run(c)]


def kind(c: dict[str, Any], k: str, name: str | None = None) -> dict[str, Any]:
    return next(o for o in c["objects"] if o["kind"] == k and (name is None or o["metadata"]["name"] == name))


def pod(c: dict[str, Any]) -> dict[str, Any]:
    return kind(c, "Deployment")["spec"]["template"]["spec"]


def test_the_platform_objects_are_admitted_and_placed_on_each_cloud() -> None:
    assert run(cluster(GKE)) == []
    assert run(cluster(EKS)) == []


def test_an_uncovered_resource_blocks_admission_unless_excluded_or_ignored() -> None:
    c = cluster()
    del c["config"]["resources"]
    [v] = run(c)
    assert v.line().startswith("Deployment inference/qwen: A6 ephemeral-storage: resource ephemeral-storage unavailable in ClusterQueue serving")
    c["config"]["resources"] = {"quotaCheckStrategy": "IgnoreUndeclared"}
    assert run(c) == []
    c["config"]["resources"] = {"quotaCheckStrategy": "IgnoreUndeclared", "excludeResourcePrefixes": ["ephemeral-storage"]}
    assert rules(c) == ["A6 resources"]
    # A zero-quantity undeclared resource is skipped.
    c = cluster()
    pod(c)["containers"][0]["resources"]["requests"]["example.com/widget"] = "0"
    pod(c)["containers"][0]["resources"]["limits"]["example.com/widget"] = "0"
    assert run(c) == []


def test_missing_queues_and_flavors() -> None:
    c = cluster()
    kind(c, "Deployment")["metadata"]["labels"][QUEUE_LABEL] = "training"
    assert run(c)[0].line() == "Deployment inference/qwen: A2 queue: LocalQueue inference/training does not exist; valid: serving"
    c = cluster()
    kind(c, "LocalQueue")["spec"]["clusterQueue"] = "gone"
    assert rules(c) == ["A2 queue"]
    c = cluster()
    c["objects"].remove(kind(c, "ResourceFlavor"))
    assert rules(c) == ["A2 inactive"]


def test_the_cluster_queue_selects_the_namespace() -> None:
    c = cluster()
    kind(c, "ClusterQueue")["spec"].pop("namespaceSelector")  # null selects no namespace
    assert rules(c) == ["A3 namespace"]
    kind(c, "ClusterQueue")["spec"]["namespaceSelector"] = {}
    assert run(c) == []
    kind(c, "ClusterQueue")["spec"]["namespaceSelector"] = {"matchLabels": {"team": "a"}}
    assert rules(c) == ["A3 namespace"]


def test_a_priority_label_needs_its_class() -> None:
    c = cluster()
    kind(c, "Deployment")["metadata"]["labels"][PRIORITY_LABEL] = "gold"
    assert run(c)[0].line() == "Deployment inference/qwen: A4 priority: WorkloadPriorityClass gold does not exist; valid: batch-training, realtime-inference"
    kind(c, "Deployment")["metadata"]["labels"][PRIORITY_LABEL] = "realtime-inference"
    assert run(c) == []


def test_a_cohort_whose_queues_each_fit_but_not_together() -> None:
    c = cluster()
    kind(c, "Deployment")["spec"]["replicas"] = 3  # each queue may use the cohort's 4 GPUs, not both at once
    team = copy.deepcopy(kind(c, "ClusterQueue"))
    team["metadata"]["name"] = "team-a"
    c["objects"] += [team, kueue.local_queue("team-a", "team-a", "team-a"), vllm.namespace("team-a")]
    batch = copy.deepcopy(kind(c, "Deployment"))
    batch["metadata"].update(namespace="team-a", name="batch")
    batch["metadata"]["labels"][QUEUE_LABEL] = "team-a"
    batch["spec"]["replicas"] = 2
    c["objects"].append(batch)
    assert "Cohort inferfleet: A9 l4 nvidia.com/gpu: the queues' minimum replicas need 5 but the cohort's nominal quota is 4" in [
        v.line().split(";")[0] for v in run(c)
    ]


def test_a_flavor_whose_taints_the_pod_does_not_tolerate_or_whose_labels_clash() -> None:
    c = cluster(EKS)
    kind(c, "ResourceFlavor")["spec"]["tolerations"] = []
    pod(c)["tolerations"] = []
    [v] = run(c)
    assert v.rule == "A7 flavor" and "l4: taint nvidia.com/gpu=true:NoSchedule not tolerated" in v.message
    c = cluster()
    pod(c)["nodeSelector"] = {"inferfleet.dev/node-pool": "a100"}
    assert [v.rule for v in run(c)] == ["A7 flavor"]
    assert "nodeSelector inferfleet.dev/node-pool=a100 but the flavor's node label is l4" in run(c)[0].message


def test_a_selector_no_pool_satisfies() -> None:
    c = cluster()
    pod(c)["nodeSelector"]["cloud.google.com/gke-spot"] = "true"  # not a flavor key: Kueue admits, no node carries it
    [v] = run(c)
    assert v.line() == (
        "Deployment inference/qwen: P2 selector: no pool's nodes carry cloud.google.com/gke-spot=true, inferfleet.dev/node-pool=l4; "
        "valid: the labels of one of l4"
    )


def test_a_missing_toleration_on_eks_but_not_on_gke() -> None:
    def unqueued(base: dict[str, Any]) -> dict[str, Any]:
        c = cluster(base)
        del kind(c, "Deployment")["metadata"]["labels"][QUEUE_LABEL]
        pod(c)["tolerations"] = []
        return c

    [v] = run(unqueued(EKS))
    assert v.line().startswith("Deployment inference/qwen: P3 taint: pool l4's nodes are tainted nvidia.com/gpu=true:NoSchedule")
    # GKE's ExtendedResourceToleration tolerates its own GPU taint for pods that request GPUs.
    assert run(unqueued(GKE)) == []


@pytest.mark.parametrize(
    ("resource", "amount", "line"),
    [
        ("cpu", "8", "P4 cpu: pod requests 8 but a node of l4 allocates 7910m (200 GB disk, GKE COS)"),
        ("memory", "30Gi", "P4 memory: pod requests 30.0Gi but a node of l4 allocates 27.8Gi"),
        ("nvidia.com/gpu", "2", "P4 nvidia.com/gpu: pod requests 2 but a node of l4 allocates 1"),
        ("ephemeral-storage", "161G", "P4 ephemeral-storage: pod requests 149.9Gi but a node of l4 allocates 97.4Gi (200 GB disk, GKE COS)"),
    ],
)
def test_a_request_larger_than_a_node(resource: str, amount: str, line: str) -> None:
    c = cluster()
    res = pod(c)["containers"][0]["resources"]
    res["requests"][resource] = res["limits"][resource] = amount
    quota = kind(c, "ClusterQueue")["spec"]["resourceGroups"][0]["flavors"][0]["resources"]
    for r in quota:  # give the queue room, so only placement fails
        r["nominalQuota"] = {"cpu": 64, "memory": "256Gi", "nvidia.com/gpu": 8}[r["name"]]
    lines = [v.line() for v in run(c)]
    assert len(lines) == 1 and lines[0].startswith(f"Deployment inference/qwen: {line}"), lines


def test_minimum_pods_must_pack_into_the_pool_and_the_queue() -> None:
    c = cluster()
    kind(c, "Deployment")["spec"]["replicas"] = 3  # 3 x 1 L4 on at most 2 single-GPU nodes
    lines = [v.line() for v in run(c)]
    assert lines == [
        "ClusterQueue serving: A9 l4 cpu: minimum replicas (inference/qwen 3 x 6) need 18 but the queue can use at most 16; "
        "valid: more quota, borrowing, or fewer minimum replicas",
        "ClusterQueue serving: A9 l4 memory: minimum replicas (inference/qwen 3 x 25.0Gi) need 75.0Gi but the queue can use at most 64.0Gi; "
        "valid: more quota, borrowing, or fewer minimum replicas",
        "ClusterQueue serving: A9 l4 nvidia.com/gpu: minimum replicas (inference/qwen 3 x 1) need 3 but the queue can use at most 2; "
        "valid: more quota, borrowing, or fewer minimum replicas",
        "Deployment inference/qwen: P4 packing: 3 minimum pods at 1 per node need 3 nodes but pool l4 has at most 2; valid: nodes.max >= 3",
    ]


def _cq(name: str, gpus: int, cohort: str | None = "shared", **limits: int) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "resourceGroups": [{"coveredResources": ["nvidia.com/gpu"], "flavors": [{"name": "a100", "resources": [
            {"name": "nvidia.com/gpu", "nominalQuota": gpus, **limits}]}]}],
    }
    if cohort:
        spec["cohortName"] = cohort
    return {"kind": "ClusterQueue", "metadata": {"name": name}, "spec": spec}


@pytest.mark.parametrize(
    ("queues", "capacity"),
    [
        ([_cq("serving", 8, cohort=None)], 8),  # no cohort: the nominal quota
        ([_cq("serving", 8), _cq("training", 4)], 12),  # the cohort lends training's 4
        ([_cq("serving", 8), _cq("training", 4, lendingLimit=0)], 8),  # training lends nothing
        ([_cq("serving", 8, borrowingLimit=2), _cq("training", 4)], 10),  # serving borrows at most 2
        ([_cq("serving", 8, lendingLimit=2), _cq("training", 4)], 12),  # lending keeps 6 local, 2 + 4 shared
    ],
)
def test_maximum_capacity_through_the_cohort(queues: list[dict[str, Any]], capacity: int) -> None:
    objs = admission._collect(queues)
    assert admission.max_capacity(objs, "serving", "a100", "nvidia.com/gpu") == capacity


def test_the_webhooks_manage_exactly_the_queued_namespaces() -> None:
    c = cluster()
    del c["config"]["managedJobsNamespaceSelector"]
    assert [v.line() for v in run(c)] == [
        "Kueue Configuration: W1 managedJobsNamespaceSelector: not set, so Kueue's webhooks default to every namespace but kube-system "
        "and kueue-system; valid: a selector matching exactly the namespaces that hold a LocalQueue",
        "Kueue Configuration: W2 webhook scope: Kueue's webhooks (failurePolicy Fail) also gate pods in default, gpu-operator, "
        "kube-node-lease, kube-public, which hold no LocalQueue; valid: a selector matching exactly inference",
    ]
    c["config"]["managedJobsNamespaceSelector"] = {"matchExpressions": [{"key": "kubernetes.io/metadata.name", "operator": "In", "values": ["inference", "kube-system"]}]}
    assert [v.message.split(",")[0] for v in run(c)] == ["Kueue's webhooks (failurePolicy Fail) also gate pods in kube-system"]
    c = cluster()
    c["objects"].append(kueue.local_queue("training", "training", "serving"))
    c["objects"].append({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "training"}})
    assert [v.line() for v in run(c)] == [
        "Kueue Configuration: W2 webhook scope: namespace(s) training hold a LocalQueue but Kueue's webhooks skip them, so their jobs "
        "run unqueued; valid: label them to match managedJobsNamespaceSelector"
    ]


def test_a_queued_workload_in_an_unmanaged_namespace_runs_unqueued() -> None:
    c = cluster()
    kind(c, "Namespace", "inference")["metadata"]["labels"].pop("inferfleet.dev/inference")
    assert "A10 namespace" in rules(c)


def test_the_pod_integration_is_listed_with_deployments() -> None:
    c = cluster()
    c["config"]["integrations"]["frameworks"].remove("pod")
    assert rules(c) == ["W3 frameworks"]


def test_kueue_waits_at_least_as_long_as_the_deployment_and_the_probe() -> None:
    c = cluster()
    c["config"]["waitForPodsReady"]["timeout"] = "60m"
    deployment = kind(c, "Deployment")
    deployment["spec"]["progressDeadlineSeconds"] = 4200
    deployment["spec"]["template"]["spec"]["containers"][0]["startupProbe"] |= {"periodSeconds": 30, "failureThreshold": 120}
    [v] = run(c)
    assert v.line() == (
        "Deployment inference/qwen: T1 clocks: waitForPodsReady.timeout 3600s, progressDeadlineSeconds 4200, startup probe 3600s; "
        "valid: timeout >= progress deadline >= probe"
    )
    assert run(cluster()) == [] and StartupBudget().wait_seconds >= StartupBudget().progress_deadline_seconds


def test_requests_are_totalled_as_kueue_does() -> None:
    spec = {
        "initContainers": [
            {"name": "fetch", "resources": {"requests": {"cpu": "4"}}},
            {"name": "proxy", "restartPolicy": "Always", "resources": {"requests": {"cpu": "500m"}}},
        ],
        "containers": [{"name": "a", "resources": {"limits": {"cpu": "1", "memory": "1Gi"}}}, {"name": "b", "resources": {"requests": {"cpu": "2"}}}],
        "overhead": {"memory": "128Mi"},
    }
    # max(1 + 2 + 0.5 sidecar, 4 init) = 4 CPUs; the limit stands in for a's missing request; overhead adds.
    assert admission.pod_requests(spec) == {"cpu": Fraction(4), "memory": quantity("1Gi") + quantity("128Mi")}
    assert quantity("161G") == 161 * 10**9 and quantity("500m") == Fraction(1, 2) and quantity(2) == 2
    assert admission.seconds("1h15m") == 4500


def test_the_check_does_not_mutate_its_input() -> None:
    c = cluster()
    before = copy.deepcopy(c["objects"])
    run(c)
    assert c["objects"] == before


def _break(change) -> list[str]:
    c = cluster()
    change(kind(c, "ClusterQueue")["spec"])
    return [v.line() for v in run(c) if v.rule.startswith("K")]


def test_what_the_cluster_queue_webhook_rejects() -> None:
    def reorder(spec: dict[str, Any]) -> None:
        spec["resourceGroups"][0]["flavors"][0]["resources"].reverse()

    def two_groups(spec: dict[str, Any]) -> None:
        spec["resourceGroups"].append(copy.deepcopy(spec["resourceGroups"][0]))

    def resources(spec: dict[str, Any]) -> list[dict[str, Any]]:
        return spec["resourceGroups"][0]["flavors"][0]["resources"]

    assert _break(lambda s: None) == []
    assert _break(reorder) == [
        "ClusterQueue serving: K2 order: flavor l4 lists nvidia.com/gpu, memory, cpu; valid: the coveredResources order cpu, memory, nvidia.com/gpu"
    ]
    assert [line.split(": ")[1] for line in _break(two_groups)] == ["K1 groups"] * 4
    assert _break(lambda s: resources(s)[0].update(nominalQuota="-1")) == [
        "ClusterQueue serving: K3 quantity: l4 cpu nominalQuota -1 is negative; valid: 0 or more"
    ]
    assert _break(lambda s: resources(s)[2].update(lendingLimit=3)) == [
        "ClusterQueue serving: K4 lendingLimit: l4 nvidia.com/gpu: lendingLimit 3 must be less than or equal to the nominalQuota 2"
    ]
    assert _break(lambda s: (s.pop("cohortName"), resources(s)[2].update(lendingLimit=1))) == [
        "ClusterQueue serving: K4 lendingLimit: l4 nvidia.com/gpu: lendingLimit must be nil when cohort is empty; valid: set cohortName or remove it"
    ]


def test_the_minimum_pods_of_several_workloads_fit_the_pool_together() -> None:
    c = cluster()
    other = copy.deepcopy(kind(c, "Deployment"))
    other["metadata"]["name"] = "other"
    del other["metadata"]["labels"][QUEUE_LABEL]  # unqueued: only placement applies
    other["spec"]["replicas"] = 2
    c["objects"].append(other)
    lines = [v.line() for v in run(c) if v.rule.startswith("P5")]
    assert lines[0] == (
        "Pool l4: P5 cpu: the minimum pods placed here (inference/qwen 1 x 6, inference/other 2 x 6) need 18 but 2 node(s) allocate 15820m; "
        "valid: nodes.max >= 3"
    )
    assert [line.split(": ")[1] for line in lines] == ["P5 cpu", "P5 memory", "P5 nvidia.com/gpu"]


def test_a_leader_worker_set_is_checked_per_pod_set() -> None:
    c = cluster()
    dep = kind(c, "Deployment")
    template = {"metadata": {}, "spec": copy.deepcopy(pod(c))}
    lws = {
        "apiVersion": "leaderworkerset.x-k8s.io/v1", "kind": "LeaderWorkerSet",
        "metadata": {"name": "big", "namespace": "inference", "labels": {QUEUE_LABEL: "serving"}},
        "spec": {"replicas": 1, "leaderWorkerTemplate": {"size": 3, "leaderTemplate": template, "workerTemplate": template}},
    }
    c["objects"] = [o for o in c["objects"] if o is not dep] + [lws]
    assert [(w.name, w.pods) for w in admission.workloads(c["objects"])] == [("big leader", 1), ("big worker", 2)]
    # 3 pods of one L4 each on a pool of at most 2 single-GPU nodes: the queue and the pool say so.
    assert {v.rule for v in run(c)} >= {"A9 l4 nvidia.com/gpu", "P5 nvidia.com/gpu"}


def _kserve_cluster(model: dict[str, Any], build: Any) -> dict[str, Any]:
    """The test cluster with its model served through KServe instead of a Deployment."""
    values = config(GKE, models={"qwen": {"model": "Qwen/Qwen3-8B", "pool": "l4", "mode": "kserve", **model}})
    c = cluster(values)
    served = resolved(values).serving.models[0]
    c["objects"] = [o for o in c["objects"] if o["kind"] != "Deployment"]
    c["objects"].append(build(served, namespace="inference", queue="serving", hf_secret=None))
    return c


@pytest.mark.parametrize(
    ("model", "build", "pod_of", "ref"),
    [
        ({}, vllm.llm_inference_service, lambda o: o["spec"]["template"], "LLMInferenceService inference/qwen"),
        (
            {"kserve": {"api": "inferenceService", "canary": {"revision": "main", "trafficPercent": 10}}, "replicas": {"min": 1, "max": 1}},
            vllm.inference_service,
            lambda o: o["spec"]["canary"][0]["predictor"],
            "InferenceService inference/qwen canary",
        ),
    ],
    ids=["llm-inference-service", "inference-service-canary"],
)
def test_kserve_workloads_are_admitted_and_placed_like_deployments(model, build, pod_of, ref) -> None:
    c = _kserve_cluster(model, build)
    assert run(c) == []
    # The pods KServe makes of it are checked as a Deployment's: an unsatisfiable selector fails them.
    pod_of(next(o for o in c["objects"] if o["kind"] in ("LLMInferenceService", "InferenceService")))["nodeSelector"] = {"pool": "none"}
    assert [(v.workload, v.rule) for v in run(c)] == [(ref, "P2 selector")]
