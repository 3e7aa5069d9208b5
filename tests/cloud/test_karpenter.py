"""Karpenter on EKS: the NodePool and EC2NodeClass of each GPU pool would bring up a node for its model pods.

KP is aws/karpenter-provider-aws@v1.14.1; the CRDs are its pkg/apis/crds, pinned in shared/crds/karpenter-v1.14.1.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from components.catalog.gpus import GPUS
from components.cloud.values import DO_NOT_DISRUPT
from components.core.budget import DEFAULT_BUDGET, StartupBudget
from components.core.versions import DEFAULT_PINS
from stacks.plan.engine import Plan, Registered
from stacks.plan.validate import schemas_root, validate_custom

from ..conftest import EKS, config, resolved

NODE_POOL = "kubernetes:karpenter.sh/v1:NodePool"
NODE_CLASS = "kubernetes:karpenter.k8s.aws/v1:EC2NodeClass"
RESERVATION = "cr-0123456789abcdef0"


def stack(models: dict[str, Any] | None = None, cluster: dict[str, Any] | None = None, **pool: Any) -> dict[str, Any]:
    spec = {"gpu": "L4", "nodes": {"min": 0, "max": 3}, **pool}
    return config(EKS, cluster={**EKS["cluster"], **(cluster or {})}, nodePools={"gpu": spec}, models=models or {})


def named(p: Plan, type_: str, name: str) -> Registered:
    matches = [r for r in p.resources if r.type == type_ and r.name == f"inferfleet-test-cloud-{name}"]
    assert matches, f"no {type_} named {name}"
    return matches[0]


def node_pool(p: Plan) -> dict[str, Any]:
    return named(p, NODE_POOL, "gpu-node-pool").inputs


def node_class(p: Plan) -> dict[str, Any]:
    return named(p, NODE_CLASS, "gpu-node-class").inputs


def eks_machine(name: str) -> Any:
    return next(m for g in GPUS.values() if "eks" in g.offerings for m in g.offerings["eks"].machines if m.name == name)


# --- The CRDs' CEL rules the schema check (jsonschema on openAPIV3Schema) cannot evaluate, modelled one by one.

def _domain(key: str) -> str:
    return key.split("/", 1)[0] if "/" in key else ""


def cel_problems(obj: dict[str, Any]) -> list[str]:
    found = []
    if obj["kind"] == "NodePool":
        template = obj["spec"]["template"]
        for key in template["metadata"].get("labels", {}):
            # karpenter.sh_nodepools.yaml:224-231
            if _domain(key).endswith("karpenter.sh") and key not in ("karpenter.sh/capacity-type", "karpenter.sh/nodepool"):
                found.append(f'label domain "karpenter.sh" is restricted: {key}')
            if key in ("karpenter.sh/nodepool", "kubernetes.io/hostname"):
                found.append(f'label "{key}" is restricted')
            if _domain(key).endswith("karpenter.k8s.aws") and not key.startswith("karpenter.k8s.aws/instance-"):
                found.append(f'label domain "karpenter.k8s.aws" is restricted: {key}')  # the allow-list at :231, instance-* part
        for requirement in template["spec"]["requirements"]:
            # karpenter.sh_nodepools.yaml:343-344
            if requirement["operator"] == "In" and not requirement.get("values"):
                found.append(f"requirements with operator 'In' must have a value defined: {requirement['key']}")
    else:
        spec = obj["spec"]
        terms = spec["amiSelectorTerms"]
        # karpenter.k8s.aws_ec2nodeclasses.yaml:136-141
        if any("alias" in t for t in terms) and (len(terms) != 1 or len(terms[0]) != 1):
            found.append("'alias' is mutually exclusive with other amiSelectorTerms and fields")
        # karpenter.k8s.aws_ec2nodeclasses.yaml:732-733
        if ("role" in spec) == ("instanceProfile" in spec):
            found.append("must specify exactly one of ['role', 'instanceProfile']")
    return found


def crd_problems(obj: dict[str, Any]) -> list[str]:
    return validate_custom(obj, schemas_root() / "crds", DEFAULT_PINS) + cel_problems(obj)


POOLS = [
    pytest.param({}, id="on-demand"),
    pytest.param({"capacity": "spot"}, id="spot"),
    pytest.param({"capacity": "reservation", "reservation": RESERVATION, "zones": ["us-east-1a"]}, id="reservation"),
    pytest.param({"gpu": "H100-80GB", "gpusPerNode": 8, "capacity": "capacity-block", "reservation": RESERVATION,
                  "zones": ["us-east-1b"], "diskSizeGb": 500}, id="capacity-block"),
    pytest.param({"gpu": "A100-80GB", "gpusPerNode": 8, "mig": "1g.10gb", "labels": {"team": "ml"}}, id="mig"),
    pytest.param({"taints": [{"key": "dedicated", "effect": "NoSchedule"}]}, id="user taint without a value"),
]


@pytest.mark.parametrize("pool", POOLS)
def test_karpenter_objects_validate_against_the_pinned_crds(plan_of, pool: dict[str, Any]) -> None:
    p = plan_of(stack(**pool))
    for obj in (node_pool(p), node_class(p)):
        assert crd_problems(obj) == [], obj["kind"]


def test_bottlerocket_node_class_validates_and_lists_both_volumes(plan_of) -> None:
    obj = node_class(plan_of(stack(cluster={"ami": "bottlerocket"}, sharing={"strategy": "time-slicing", "clientsPerGpu": 2})))
    assert crd_problems(obj) == []
    assert obj["spec"]["amiSelectorTerms"] == [{"alias": "bottlerocket@latest"}]
    assert [d["deviceName"] for d in obj["spec"]["blockDeviceMappings"]] == ["/dev/xvda", "/dev/xvdb"]
    assert "rename-by-default = false" in obj["spec"]["userData"]


BREAKS = [
    ("a karpenter.sh label", NODE_POOL, lambda o: o["spec"]["template"]["metadata"]["labels"].update({"karpenter.sh/foo": "x"})),
    ("an empty taint value", NODE_POOL, lambda o: o["spec"]["template"]["spec"]["taints"][0].update({"value": ""})),
    ("In without values", NODE_POOL, lambda o: o["spec"]["template"]["spec"]["requirements"][0].update({"values": []})),
    ("a limit that is no quantity", NODE_POOL, lambda o: o["spec"]["limits"].update({"memory": "lots"})),
    ("two alias terms", NODE_CLASS, lambda o: o["spec"]["amiSelectorTerms"].append({"alias": "al2023@v20250505"})),
    ("role and instance profile", NODE_CLASS, lambda o: o["spec"].update({"instanceProfile": "x"})),
    ("a subnet that is no id", NODE_CLASS, lambda o: o["spec"]["subnetSelectorTerms"].append({"id": "private-a"})),
]


@pytest.mark.parametrize(("kind", "breaking"), [b[1:] for b in BREAKS], ids=[b[0] for b in BREAKS])
def test_the_crd_check_catches_a_broken_object(plan_of, kind: str, breaking: Any) -> None:
    p = plan_of(stack())
    obj = copy.deepcopy(node_pool(p) if kind == NODE_POOL else node_class(p))
    breaking(obj)
    assert crd_problems(obj) != []


# --- Would the NodePool start a node for the model's pod?

def tolerates(tolerations: list[dict[str, Any]], taint: dict[str, Any]) -> bool:
    """The kube-scheduler's rule: kubernetes/api core/v1/toleration.go `ToleratesTaint` (empty effect or key
    match all; Exists matches any value, Equal or no operator needs the same value)."""
    for t in tolerations:
        if t.get("effect") and t["effect"] != taint["effect"]:
            continue
        if t.get("key") and t["key"] != taint["key"]:
            continue
        if t.get("operator", "Equal") == "Exists" or t.get("value", "") == taint.get("value", ""):
            return True
    return False


def unsatisfiable(pool: dict[str, Any], pod: dict[str, Any]) -> list[str]:
    """Why Karpenter could not launch a node of this NodePool for this pod (empty: it can)."""
    template = pool["spec"]["template"]
    labels = template["metadata"]["labels"]
    requirements = {r["key"]: r["values"] for r in template["spec"]["requirements"] if r["operator"] == "In"}
    why = [f"nodeSelector {k}={v} not on the nodes" for k, v in pod.get("nodeSelector", {}).items() if labels.get(k) != v]
    why += [f"taint {t['key']} not tolerated" for t in template["spec"].get("taints", []) if not tolerates(pod.get("tolerations", []), t)]
    wanted = sum(int(c["resources"].get("limits", {}).get("nvidia.com/gpu", 0)) for c in pod["containers"])
    for name in requirements["node.kubernetes.io/instance-type"]:
        if eks_machine(name).gpus < wanted:
            why.append(f"{name} has fewer than {wanted} GPUs")
    if wanted > int(pool["spec"]["limits"]["nvidia.com/gpu"]):
        why.append("the GPU limit is below one pod")
    return why


def model_pod(p: Plan) -> dict[str, Any]:
    deployment = next(r.inputs for r in p.resources if r.type == "kubernetes:apps/v1:Deployment")
    return deployment["spec"]["template"]["spec"]


MODELS = [
    pytest.param({"gpu": "L4", "gpusPerNode": 4, "capacity": "spot", "taints": [{"key": "team", "value": "ml", "effect": "NoSchedule"}]},
                 {"model": "Qwen/Qwen3-32B", "pool": "gpu", "gpus": 4}, id="spot, user taint, 4 GPUs"),
    pytest.param({"gpu": "H100-80GB", "gpusPerNode": 8, "capacity": "capacity-block", "reservation": RESERVATION,
                  "zones": ["us-east-1a"], "diskSizeGb": 500},
                 {"model": "meta-llama/Llama-3.1-70B-Instruct", "pool": "gpu", "gpus": 4}, id="capacity block, 70B"),
]


@pytest.mark.parametrize(("pool", "model"), MODELS)
def test_a_pending_model_pod_fits_the_node_pool(plan_of, pool: dict[str, Any], model: dict[str, Any]) -> None:
    values = stack(models={"m": model}, **pool)
    values["hfToken"] = {"secure": "v1:token"}
    p = plan_of(values)
    spec, pod = node_pool(p), model_pod(p)
    assert unsatisfiable(spec, pod) == []
    requirements = {r["key"]: r["values"] for r in spec["spec"]["template"]["spec"]["requirements"]}
    assert requirements["topology.kubernetes.io/zone"] == pool.get("zones", EKS["cluster"]["zones"])
    # Kueue admits what the NodePool may start: its GPU quota is the NodePool's GPU limit.
    queue = next(r.inputs for r in p.resources if r.type == "kubernetes:kueue.x-k8s.io/v1beta2:ClusterQueue")
    quota = {r["name"]: r["nominalQuota"] for f in queue["spec"]["resourceGroups"][0]["flavors"] for r in f["resources"]}
    assert quota["nvidia.com/gpu"] == int(spec["spec"]["limits"]["nvidia.com/gpu"])


UNFIT = [
    ("pool label renamed", lambda o: o["spec"]["template"]["metadata"]["labels"].update({"inferfleet.dev/node-pool": "other"}),
     "nodeSelector inferfleet.dev/node-pool=gpu not on the nodes"),
    ("a taint the pod does not tolerate", lambda o: o["spec"]["template"]["spec"]["taints"].append({"key": "x", "effect": "NoExecute"}),
     "taint x not tolerated"),
    ("a smaller instance type", lambda o: o["spec"]["template"]["spec"]["requirements"][0]["values"].append("g6.xlarge"),
     "g6.xlarge has fewer than 4 GPUs"),
]


@pytest.mark.parametrize(("breaking", "reason"), [u[1:] for u in UNFIT], ids=[u[0] for u in UNFIT])
def test_the_fit_check_catches_a_node_pool_the_pod_cannot_use(plan_of, breaking: Any, reason: str) -> None:
    p = plan_of(stack(models={"m": {"model": "Qwen/Qwen3-32B", "pool": "gpu", "gpus": 4}}, gpusPerNode=4))
    spec = copy.deepcopy(node_pool(p))
    breaking(spec)
    assert reason in unsatisfiable(spec, model_pod(p))


def test_a_gpu_taint_value_the_pod_matches_exactly_is_caught() -> None:
    taint = {"key": "nvidia.com/gpu", "value": "present", "effect": "NoSchedule"}
    assert not tolerates([{"key": "nvidia.com/gpu", "operator": "Equal", "value": "true", "effect": "NoSchedule"}], taint)
    assert tolerates([{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}], taint)


# --- Limits, instance types, disruption.

@pytest.mark.parametrize(
    ("pool", "types", "limits"),
    [
        pytest.param({"capacity": "spot"}, ["g6.xlarge", "g6.2xlarge"], {"nodes": "3", "nvidia.com/gpu": "3", "cpu": "24", "memory": "96Gi"},
                     id="spot lists the catalog's equivalents; limits from the largest"),
        pytest.param({}, ["g6.xlarge"], {"nodes": "3", "nvidia.com/gpu": "3", "cpu": "12", "memory": "48Gi"}, id="on-demand: one type"),
        pytest.param({"gpusPerNode": 4, "nodes": {"min": 0, "max": 2}}, ["g6.12xlarge"],
                     {"nodes": "2", "nvidia.com/gpu": "8", "cpu": "96", "memory": "384Gi"}, id="4 GPUs per node"),
    ],
)
def test_limits_follow_nodes_max_and_the_machines(plan_of, pool: dict[str, Any], types: list[str], limits: dict[str, str]) -> None:
    spec = node_pool(plan_of(stack(**pool)))["spec"]
    requirements = {r["key"]: r["values"] for r in spec["template"]["spec"]["requirements"]}
    assert requirements["node.kubernetes.io/instance-type"] == types
    assert spec["limits"] == limits


@pytest.mark.parametrize(
    ("pool", "capacity_type", "reservation", "raid"),
    [
        pytest.param({"capacity": "spot"}, ["spot"], None, False, id="spot"),
        pytest.param({"capacity": "reservation", "reservation": RESERVATION, "zones": ["us-east-1a"]}, ["reserved"], RESERVATION, False,
                     id="ODCR"),
        pytest.param({"gpu": "H100-80GB", "gpusPerNode": 8, "capacity": "capacity-block", "reservation": RESERVATION,
                      "zones": ["us-east-1a"], "diskSizeGb": 500}, ["reserved"], RESERVATION, True, id="capacity block on p5"),
    ],
)
def test_capacity_and_reservations(plan_of, pool: dict[str, Any], capacity_type: list[str], reservation: str | None, raid: bool) -> None:
    p = plan_of(stack(**pool))
    requirements = {r["key"]: r["values"] for r in node_pool(p)["spec"]["template"]["spec"]["requirements"]}
    assert requirements["karpenter.sh/capacity-type"] == capacity_type
    assert requirements.get("karpenter.k8s.aws/capacity-reservation-id") == ([reservation] if reservation else None)
    spec = node_class(p)["spec"]
    assert spec.get("capacityReservationSelectorTerms") == ([{"id": reservation}] if reservation else None)
    assert (spec.get("instanceStorePolicy") == "RAID0") is raid, "the 8 x 1 TB NVMe of p4d/p5 holds images and weights"
    assert [t["id"] for t in spec["subnetSelectorTerms"]] == [
        f"subnet-inferfleet-test-cloud-private-{z}-id" for z in pool.get("zones", EKS["cluster"]["zones"])
    ], "only the pool's zones' subnets"


def test_nodes_with_a_loading_model_are_never_disrupted(plan_of) -> None:
    spec = node_pool(plan_of(stack()))["spec"]
    # WhenEmpty: only nodes without non-daemon pods are consolidated (KP .../concepts/disruption.md:88).
    assert spec["disruption"]["consolidationPolicy"] == "WhenEmpty"
    # With a terminationGracePeriod, drift would bypass do-not-disrupt (KP .../concepts/disruption.md:386-387).
    assert "terminationGracePeriod" not in spec["template"]["spec"]


@pytest.mark.parametrize("budget", [DEFAULT_BUDGET, StartupBudget(load_seconds=7200)], ids=["default", "2h load"])
def test_model_pods_on_karpenter_pools_are_protected_for_their_startup_budget(budget: StartupBudget) -> None:
    pool = resolved(stack()).pools[0]
    duration = pool.pod_annotations(budget)[DO_NOT_DISRUPT]
    assert int(duration.removesuffix("s")) >= budget.probe_seconds
    node_groups = resolved(stack(cluster={"nodeAutoscaler": "cluster-autoscaler"})).pools[0]
    assert node_groups.pod_annotations(budget) == {}


# --- The controller: IAM, queue, chart.

SIDS = {
    "nodelifecycle": {
        "AllowScopedEC2InstanceAccessActions": {"ec2:RunInstances", "ec2:CreateFleet"},
        "AllowScopedEC2LaunchTemplateAccessActions": {"ec2:RunInstances", "ec2:CreateFleet"},
        "AllowScopedEC2InstanceActionsWithTags": {"ec2:RunInstances", "ec2:CreateFleet", "ec2:CreateLaunchTemplate"},
        "AllowScopedResourceCreationTagging": {"ec2:CreateTags"},
        "AllowScopedResourceTagging": {"ec2:CreateTags"},
        "AllowScopedDeletion": {"ec2:TerminateInstances", "ec2:DeleteLaunchTemplate"},
    },
    "iamintegration": {
        "AllowPassingInstanceRole": {"iam:PassRole"},
        "AllowScopedInstanceProfileCreationActions": {"iam:CreateInstanceProfile"},
        "AllowScopedInstanceProfileTagActions": {"iam:TagInstanceProfile"},
        "AllowScopedInstanceProfileActions": {"iam:AddRoleToInstanceProfile", "iam:RemoveRoleFromInstanceProfile", "iam:DeleteInstanceProfile"},
    },
    "eksintegration": {"AllowAPIServerEndpointDiscovery": {"eks:DescribeCluster"}},
    "interruption": {"AllowInterruptionQueueActions": {"sqs:DeleteMessage", "sqs:GetQueueUrl", "sqs:ReceiveMessage"}},
    "resourcediscovery": {
        "AllowRegionalReadActions": {
            "ec2:DescribeCapacityReservations", "ec2:DescribeImages", "ec2:DescribeInstances", "ec2:DescribeInstanceStatus",
            "ec2:DescribeInstanceTypeOfferings", "ec2:DescribeInstanceTypes", "ec2:DescribeLaunchTemplates",
            "ec2:DescribePlacementGroups", "ec2:DescribeSecurityGroups", "ec2:DescribeSpotPriceHistory", "ec2:DescribeSubnets",
        },
        "AllowSSMReadActions": {"ssm:GetParameter"},
        "AllowPricingReadActions": {"pricing:GetProducts"},
        "AllowUnscopedInstanceProfileListAction": {"iam:ListInstanceProfiles"},
        "AllowInstanceProfileReadActions": {"iam:GetInstanceProfile"},
    },
}
"""Each policy's statements and actions, as KP's getting-started cloudformation.yaml:27-379 has them (ZonalShift left out)."""


@pytest.fixture(scope="module")
def controller(tmp_path_factory: pytest.TempPathFactory) -> Plan:
    from stacks.plan import engine

    from ..conftest import PROJECT, write_stack

    return engine.run(write_stack(tmp_path_factory.mktemp("karpenter"), stack()), PROJECT)


def actions(statement: dict[str, Any]) -> set[str]:
    return {statement["Action"]} if isinstance(statement["Action"], str) else set(statement["Action"])


@pytest.mark.parametrize("policy", sorted(SIDS))
def test_controller_policies_are_upstreams(controller: Plan, policy: str) -> None:
    document = json.loads(named(controller, "aws:iam/policy:Policy", f"karpenter-{policy}").inputs["policy"])
    assert {s["Sid"]: actions(s) for s in document["Statement"]} == SIDS[policy]
    attachment = named(controller, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", f"karpenter-{policy}").inputs
    assert attachment["role"] == "inferfleet-test-cloud-karpenter"


def test_the_controller_may_pass_only_the_karpenter_node_role(controller: Plan) -> None:
    document = json.loads(named(controller, "aws:iam/policy:Policy", "karpenter-iamintegration").inputs["policy"])
    passing = next(s for s in document["Statement"] if s["Sid"] == "AllowPassingInstanceRole")
    assert passing["Resource"] == "arn:aws:iam:us-east-1:123456789012:inferfleet-test-cloud-karpenter-nodes"
    scoped = json.loads(named(controller, "aws:iam/policy:Policy", "karpenter-nodelifecycle").inputs["policy"])
    assert all(
        s["Condition"]["StringEquals"].get(f"aws:{kind}Tag/kubernetes.io/cluster/inferfleet-test") == "owned"
        for s in scoped["Statement"][1:]
        for kind in (["Request"] if "RequestTag" in json.dumps(s["Condition"]["StringEquals"]) else ["Resource"])
    ), "every write is scoped to this cluster's tag"


def test_the_controller_gets_its_role_through_pod_identity_on_the_system_nodes(controller: Plan) -> None:
    association = named(controller, "aws:eks/podIdentityAssociation:PodIdentityAssociation", "karpenter").inputs
    chart = named(controller, "kubernetes:helm.sh/v4:Chart", "karpenter")
    assert (association["namespace"], association["serviceAccount"]) == ("kube-system", chart.inputs["values"]["serviceAccount"]["name"])
    assert chart.inputs["namespace"] == "kube-system"
    assert chart.inputs["chart"] == "oci://public.ecr.aws/karpenter/karpenter" and chart.inputs["version"] == DEFAULT_PINS.karpenter
    assert chart.inputs["skipCrds"] is True
    assert chart.inputs["values"]["settings"] == {"clusterName": "inferfleet-test", "interruptionQueue": "inferfleet-test"}
    assert chart.inputs["values"]["replicas"] == 1, "the default system pool has one node; a second replica would stay Pending"
    role = json.loads(named(controller, "aws:iam/role:Role", "karpenter").inputs["assumeRolePolicy"])
    assert role["Statement"][0]["Principal"] == {"Service": "pods.eks.amazonaws.com"}
    assert set(role["Statement"][0]["Action"]) == {"sts:AssumeRole", "sts:TagSession"}
    # Before the chart: the CRDs of the pinned release, its identity, a node for it to run on.
    needs = {u.rsplit("::", 1)[1].removeprefix("inferfleet-test-cloud-") for u in chart.dependencies}
    crds = {f"karpenter-crd-{u.rsplit('/', 1)[1].removesuffix('.yaml')}" for u in DEFAULT_PINS.karpenter_crds()}
    assert crds | {"karpenter", "system", "eks-pod-identity-agent"} <= needs
    urls = {r.inputs["file"] for r in controller.resources if r.type == "kubernetes:yaml/v2:ConfigFile"}
    assert urls == {f"https://raw.githubusercontent.com/aws/karpenter-provider-aws/v1.14.1/pkg/apis/crds/{f}" for f in (
        "karpenter.sh_nodepools.yaml", "karpenter.sh_nodeclaims.yaml", "karpenter.sh_nodeoverlays.yaml",
        "karpenter.k8s.aws_ec2nodeclasses.yaml", "autoscaling.x-k8s.io_capacitybuffers.yaml")}


def test_karpenter_nodes_join_with_their_own_role_and_access_entry(controller: Plan) -> None:
    entry = named(controller, "aws:eks/accessEntry:AccessEntry", "karpenter-nodes").inputs
    assert entry["type"] == "EC2_LINUX"
    assert named(controller, NODE_CLASS, "gpu-node-class").inputs["spec"]["role"] == "inferfleet-test-cloud-karpenter-nodes"
    pool = named(controller, NODE_POOL, "gpu-node-pool")
    needs = {u.rsplit("::", 1)[1].removeprefix("inferfleet-test-cloud-") for u in pool.dependencies}
    assert {"karpenter", "karpenter-nodes"} <= needs, "the controller and the access entry come first"


RULES = {
    "scheduled-change": ("aws.health", "AWS Health Event"),
    "spot-interruption": ("aws.ec2", "EC2 Spot Instance Interruption Warning"),
    "rebalance": ("aws.ec2", "EC2 Instance Rebalance Recommendation"),
    "instance-state-change": ("aws.ec2", "EC2 Instance State-change Notification"),
    "capacity-reservation-interruption": ("aws.ec2", "EC2 Capacity Reservation Instance Interruption Warning"),
}
"""KP cloudformation.yaml:410-464."""


def test_interruptions_reach_the_queue(controller: Plan) -> None:
    rules = {r.name.removeprefix("inferfleet-test-cloud-karpenter-"): r for r in controller.resources if r.type == "aws:cloudwatch/eventRule:EventRule"}
    assert {name: tuple(v[0] for v in json.loads(r.inputs["eventPattern"]).values()) for name, r in rules.items()} == RULES
    targets = [r.inputs for r in controller.resources if r.type == "aws:cloudwatch/eventTarget:EventTarget"]
    assert len(targets) == 5 and all(t["targetId"] == "KarpenterInterruptionQueueTarget" for t in targets)
    queue = named(controller, "aws:sqs/queue:Queue", "karpenter").inputs
    assert (queue["name"], queue["messageRetentionSeconds"], queue["sqsManagedSseEnabled"]) == ("inferfleet-test", 300, True)
    policy = json.loads(named(controller, "aws:sqs/queuePolicy:QueuePolicy", "karpenter").inputs["policy"])
    allow, deny = policy["Statement"]
    assert (allow["Action"], set(allow["Principal"]["Service"])) == ("sqs:SendMessage", {"events.amazonaws.com", "sqs.amazonaws.com"})
    assert deny["Sid"] == "DenyHTTP" and deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_no_gpu_node_groups_on_karpenter(controller: Plan) -> None:
    groups = [r.name for r in controller.resources if r.type == "aws:eks/nodeGroup:NodeGroup"]
    assert groups == ["inferfleet-test-cloud-system"], "the system pool stays a managed node group; Karpenter runs on it"


@pytest.mark.parametrize(
    ("replicas", "gpus", "low"),
    [
        pytest.param(0, 4, "$0.00/h", id="no replica: nothing runs"),
        pytest.param(1, 4, "$4.60/h", id="one 4-GPU replica: one node"),
        pytest.param(3, 2, "$9.20/h", id="three 2-GPU replicas: two nodes"),
    ],
)
def test_the_minimum_cost_is_what_the_models_make_karpenter_start(plan_of, replicas: int, gpus: int, low: str) -> None:
    """Karpenter pools keep nodes.min 0, but pending model pods start nodes: the plan's minimum counts them."""
    from stacks.plan.summary import summary

    model = {"model": "Qwen/Qwen3-8B", "pool": "gpu", "gpus": gpus, "replicas": {"min": replicas, "max": 4}}
    text = summary(plan_of(stack(models={"m": model}, gpusPerNode=4, nodes={"min": 0, "max": 3})))
    assert "0-3 on-demand nodes started by karpenter" in text
    [cost] = [line for line in text.splitlines() if line.startswith("  pool gpu: ")]
    assert f"at minimum {low} (" in cost
