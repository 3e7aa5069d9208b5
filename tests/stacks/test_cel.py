"""The CRDs' CEL rules, evaluated on defaulted objects: one fixture breaks each Kueue rule."""

from __future__ import annotations

import copy
from typing import Any, Callable

import pytest

from components.core.versions import DEFAULT_PINS
from components.scheduling import kueue
from stacks.plan import cel, validate

from ..conftest import EKS, config, resolved


def crds():
    return validate.schemas_root() / "crds" / DEFAULT_PINS.crd_folders()["kueue.x-k8s.io"]


def queue() -> dict[str, Any]:
    q = resolved(config(EKS, scheduling={"queues": {"serving": {}, "training": {"namespaces": ["training"], "quota": {"l4": 1}}}})).queueing
    return kueue.cluster_queue(q.queue("serving"), q.flavors, {"l4": "l4"})


def flavor() -> dict[str, Any]:
    return kueue.resource_flavor(resolved(EKS).queueing.flavors[0])


def edit(obj: dict[str, Any], change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    out = copy.deepcopy(obj)
    change(out["spec"])
    return out


def no_cohort_but_borrowing(spec: dict[str, Any]) -> None:
    del spec["cohortName"]
    spec["resourceGroups"][0]["flavors"][0]["resources"][2]["borrowingLimit"] = 1


CASES = [
    ("borrowingLimit without a cohort", queue, no_cohort_but_borrowing, "spec: borrowingLimit must be nil when cohort is empty"),
    ("a flavor missing a covered resource", queue, lambda s: s["resourceGroups"][0]["flavors"][0]["resources"].pop(),
     "spec.resourceGroups[0]: flavors must have the same number of resources as the coveredResources"),
    # reclaimWithinCohort omitted defaults to Never, which forbids borrowWithinCohort.
    ("borrowWithinCohort while never reclaiming", queue,
     lambda s: s.update(preemption={"borrowWithinCohort": {"policy": "LowerPriority"}}),
     "spec.preemption: reclaimWithinCohort=Never and borrowWithinCohort.Policy!=Never"),
    ("a fungibility preference with the default search", queue,
     lambda s: s.update(flavorFungibility={"preference": "BorrowingOverPreemption"}),
     "spec.flavorFungibility: preference can only be set when both whenCanBorrow and whenCanPreempt are TryNextFlavor"),
    ("an Exists toleration with a value", flavor, lambda s: s["tolerations"][0].update(value=""),
     "spec.tolerations: a value must be empty when 'operator' is 'Exists'"),
    ("a toleration without a key that is not Exists", flavor, lambda s: s["tolerations"].append({"operator": "Equal", "value": "x"}),
     "spec.tolerations: operator must be Exists when 'key' is empty, which means 'match all values and all keys'"),
    ("a node taint with an unknown effect", flavor, lambda s: s["nodeTaints"][0].update(effect="Foo"),
     "spec.nodeTaints: supported taint effect values: 'NoSchedule', 'PreferNoSchedule', 'NoExecute'"),
    ("a topology without node labels", flavor, lambda s: s.update(nodeLabels={}, topologyName="default"),
     "spec: at least one nodeLabel is required when topology is set"),
]


@pytest.mark.parametrize(("make", "change", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_each_cel_rule_rejects_its_fixture(make: Callable[[], dict[str, Any]], change: Callable[[dict[str, Any]], None], message: str) -> None:
    good = make()
    assert cel.rule_errors(good, crds()) == []
    assert message in cel.rule_errors(edit(good, change), crds())
    assert message in validate.validate_custom(edit(good, change), validate.schemas_root() / "crds", DEFAULT_PINS)


def test_defaults_are_applied_before_the_rules() -> None:
    schema = cel._schemas(crds(), "kueue.x-k8s.io")[("v1beta2", "ClusterQueue")]
    spec = cel.defaulted(schema, queue())["spec"]
    assert spec["preemption"]["borrowWithinCohort"] == {"policy": "Never"}
    assert spec["flavorFungibility"] == {"whenCanBorrow": "MayStopSearch", "whenCanPreempt": "TryNextFlavor"}


def test_other_groups_are_not_evaluated() -> None:
    assert "kueue.x-k8s.io" in cel.GROUPS and cel.rule_errors({"apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway"}, crds()) == []


def test_without_cel_python_the_plan_fails_and_says_what_to_install(monkeypatch) -> None:
    def missing() -> None:
        raise ImportError("No module named 'celpy'")

    monkeypatch.setattr(cel, "_celpy", missing)
    assert cel.rule_errors(flavor(), crds()) == [cel.MISSING]
