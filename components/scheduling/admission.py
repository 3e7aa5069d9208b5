"""Prove offline that every workload the platform renders is admitted by Kueue and placed on a node.

Pure Python over rendered manifests (plain dicts), the Kueue controller Configuration and the
pools' node groups (`cloud.allocatable`). Each rule models the code that decides it in
kubernetes-sigs/kueue@v0.19.2 (commit 8eab6877), cited beside it; the rule ids are those of
the research brief (A admission, P placement, W webhook scope, T clocks). A failure names the
workload, the rule and the numbers, one line each.

Not modelled: node affinity in flavor matching (nodeSelector only), LimitRanges and
RuntimeClass overhead (the platform renders none), a LeaderWorkerSet group's PodSets admitted
as one (each is checked as its own workload), hierarchical cohorts (a Cohort's parent), and
DaemonSet requests on each node.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Iterable, Mapping, Sequence

from ..catalog.gpus import NVIDIA_GPU
from ..core.spec import Taint
from .nodes import NodeGroup
from .values import PRIORITY_LABEL, QUEUE_LABEL

SYSTEM_NAMESPACES = ("default", "kube-node-lease", "kube-public", "kube-system")
"""Namespaces every cluster has, whatever the platform renders."""
NAME_LABEL = "kubernetes.io/metadata.name"
"""The API server labels every namespace with its own name."""
MIN_REPLICAS_ANNOTATION = "inferfleet.dev/min-replicas"
"""On a scaled workload: the replicas that must always be admitted (else `spec.replicas`)."""
KUEUE_NAMESPACE = "kueue-system"
POD_FRAMEWORKS = ("deployment", "statefulset", "leaderworkerset.x-k8s.io/leaderworkerset")
"""Integrations whose pods Kueue manages through the `pod` integration's webhook."""


@dataclass(frozen=True, order=True)
class Violation:
    workload: str
    """`<Kind> <namespace>/<name>`, or `Kueue Configuration`."""
    rule: str
    """Rule id and topic, e.g. `A6 ephemeral-storage`."""
    message: str
    """What is wrong and what would be valid."""

    def line(self) -> str:
        return f"{self.workload}: {self.rule}: {self.message}"


# --- quantities, selectors, tolerations --------------------------------------------------------

_SUFFIX: dict[str, Fraction | int] = {
    "": 1, "m": Fraction(1, 1000), "k": 10**3, "M": 10**6, "G": 10**9, "T": 10**12, "P": 10**15, "E": 10**18,
    "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60,
}
_QUANTITY = re.compile(r"^([+-]?[0-9.]+(?:[eE][+-]?[0-9]+)?)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$")


def quantity(value: Any) -> Fraction:
    """A Kubernetes resource quantity (`500m`, `32Gi`, `161G`, 4) as an exact number."""
    if isinstance(value, (int, float)):
        return Fraction(str(value))
    match = _QUANTITY.match(str(value).strip())
    if not match:
        raise ValueError(f"'{value}' is not a Kubernetes quantity")
    return Fraction(match.group(1)) * _SUFFIX[match.group(2) or ""]


BYTE_RESOURCES = ("memory", "ephemeral-storage")


def show(resource: str, amount: Fraction | int) -> str:
    if resource == "cpu":
        return f"{math.ceil(amount * 1000)}m" if amount % 1 else f"{int(amount)}"
    if resource in BYTE_RESOURCES or resource.startswith("hugepages-"):
        return f"{float(amount) / 2**30:.1f}Gi"
    return f"{float(amount):g}"


_DURATION = re.compile(r"(\d+(?:\.\d+)?)(h|m|s|ms)")


def seconds(duration: str) -> float:
    """A Go duration (`75m`, `1h30m`, `3600s`) in seconds."""
    parts = _DURATION.findall(duration)
    if not parts or "".join(n + u for n, u in parts) != duration:
        raise ValueError(f"'{duration}' is not a duration")
    scale = {"h": 3600, "m": 60, "s": 1, "ms": 0.001}
    return sum(float(n) * scale[u] for n, u in parts)


def selector_matches(selector: Mapping[str, Any] | None, labels: Mapping[str, str]) -> bool:
    """metav1.LabelSelector semantics: None selects nothing, {} selects everything.

    Kueue: a null ClusterQueue namespaceSelector matches no namespace (apis/kueue/v1beta2/clusterqueue_types.go:109-115).
    """
    if selector is None:
        return False
    if any(labels.get(k) != v for k, v in (selector.get("matchLabels") or {}).items()):
        return False
    for expr in selector.get("matchExpressions") or ():
        key, op, values = expr["key"], expr["operator"], expr.get("values") or ()
        present = key in labels
        ok = {
            "In": present and labels.get(key) in values,
            "NotIn": not present or labels.get(key) not in values,
            "Exists": present,
            "DoesNotExist": not present,
        }[op]
        if not ok:
            return False
    return True


def tolerates(tolerations: Iterable[Mapping[str, Any]], taint: Taint) -> bool:
    """core/v1 Toleration.ToleratesTaint: an empty key with Exists matches every taint; Exists any value;
    Equal (the default) the same value; an empty effect every effect."""
    for t in tolerations:
        if t.get("effect") and t["effect"] != taint.effect:
            continue
        op = t.get("operator") or "Equal"
        if not t.get("key"):
            if op == "Exists":
                return True
            continue
        if t["key"] != taint.key:
            continue
        if op == "Exists" or (t.get("value") or "") == taint.value:
            return True
    return False


def _taint(raw: Mapping[str, Any]) -> Taint:
    return Taint(key=raw["key"], value=raw.get("value") or "", effect=raw["effect"])


# --- workloads ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Workload:
    kind: str
    namespace: str
    name: str
    labels: Mapping[str, str]
    pod: Mapping[str, Any]
    """The pod spec every replica gets."""
    pods: int
    """Pods that must be admitted at once at the minimum size."""
    progress_deadline: int | None = None

    @property
    def ref(self) -> str:
        return f"{self.kind} {self.namespace}/{self.name}"


def workloads(manifests: Iterable[Mapping[str, Any]]) -> list[Workload]:
    """Every pod-creating object: Deployments, StatefulSets, LeaderWorkerSets, Jobs, bare Pods and the
    Deployments KServe makes of LLMInferenceServices and InferenceServices."""
    out = []
    for obj in manifests:
        kind, meta, spec = obj.get("kind"), obj.get("metadata") or {}, obj.get("spec") or {}
        ns, name, labels = meta.get("namespace") or "default", str(meta.get("name")), meta.get("labels") or {}
        if kind in ("Deployment", "StatefulSet"):
            # Each Deployment pod is its own Workload of one pod (pkg/controller/jobs/pod/pod_controller.go:744-761).
            minimum = (meta.get("annotations") or {}).get(MIN_REPLICAS_ANNOTATION, spec.get("replicas", 1))
            deadline = spec.get("progressDeadlineSeconds", 600) if kind == "Deployment" else None
            out.append(Workload(kind, ns, name, labels, spec["template"]["spec"], int(minimum), deadline))
        elif kind == "Job":
            out.append(Workload(kind, ns, name, labels, spec["template"]["spec"], int(spec.get("parallelism", 1))))
        elif kind == "Pod":
            out.append(Workload(kind, ns, name, labels, spec, 1))
        elif kind == "LeaderWorkerSet":
            # One Workload per group: PodSets leader (1) and worker (size - 1), or main (size) without a
            # leader template (pkg/controller/jobs/leaderworkerset/leaderworkerset_reconciler.go:400-431).
            template = spec["leaderWorkerTemplate"]
            size, groups = int(template.get("size", 1)), int(spec.get("replicas", 1))
            leader = template.get("leaderTemplate")
            if leader is not None:
                out.append(Workload(kind, ns, f"{name} leader", labels, leader["spec"], groups))
            workers = groups * (size - 1 if leader is not None else size)
            if workers:
                out.append(Workload(kind, ns, f"{name} worker" if leader is not None else name, labels, template["workerTemplate"]["spec"], workers))
        elif kind == "LLMInferenceService":
            # KServe runs `template` (merged onto its preset) as a Deployment of `replicas` pods and copies the
            # object's Kueue labels onto it (kserve@v0.20.0 pkg/controller/v1alpha2/llmisvc/workload_single_node.go
            # :179,302-321): each pod is then a Workload as a Deployment's are.
            out.append(Workload(kind, ns, name, labels, spec.get("template") or {}, int(spec.get("replicas", 1))))
        elif kind == "InferenceService":
            # Each predictor (the stable one, and a canary's) is a Deployment of its pod spec with the model
            # container in it (kserve@v0.20.0 pkg/controller/v1beta1/inferenceservice/components/predictor.go).
            predictors = [(name, spec.get("predictor") or {})]
            predictors += [(f"{name} canary", c.get("predictor") or {}) for c in spec.get("canary") or ()]
            for ref, predictor in predictors:
                pod = {k: v for k, v in predictor.items() if k not in ISVC_PREDICTOR_FIELDS}
                pod["containers"] = [predictor.get("model") or {}]
                # A predictor without minReplicas runs one pod (KServe's default minimum).
                out.append(Workload(kind, ns, ref, labels, pod, int(predictor.get("minReplicas", 1))))
    return out


ISVC_PREDICTOR_FIELDS = ("model", "name", "minReplicas", "maxReplicas", "labels", "annotations")
"""InferenceService predictor fields that are KServe's own, not the pod spec's."""


def _container_requests(container: Mapping[str, Any]) -> dict[str, Fraction]:
    # A limit stands in for a missing request (pkg/workload/resources.go:116-138).
    res = container.get("resources") or {}
    merged = {**(res.get("limits") or {}), **(res.get("requests") or {})}
    return {k: quantity(v) for k, v in merged.items()}


def pod_requests(pod: Mapping[str, Any]) -> dict[str, Fraction]:
    """One pod's requests as Kueue totals them (pkg/workload/workload.go:676, resourcehelpers.PodRequests):
    max(containers + sidecars, each init container + the sidecars before it), then pod-level
    requests override, then overhead is added."""
    total: dict[str, Fraction] = {}
    for c in pod.get("containers") or ():
        for k, v in _container_requests(c).items():
            total[k] = total.get(k, Fraction(0)) + v
    sidecars: dict[str, Fraction] = {}
    init: dict[str, Fraction] = {}
    for c in pod.get("initContainers") or ():
        req = _container_requests(c)
        if c.get("restartPolicy") == "Always":  # a sidecar runs beside everything after it
            for k, v in req.items():
                total[k] = total.get(k, Fraction(0)) + v
                sidecars[k] = sidecars.get(k, Fraction(0)) + v
            req = sidecars
        else:
            req = {k: req.get(k, Fraction(0)) + sidecars.get(k, Fraction(0)) for k in {*req, *sidecars}}
        for k, v in req.items():
            init[k] = max(init.get(k, Fraction(0)), v)
    for k, v in init.items():
        total[k] = max(total.get(k, Fraction(0)), v)
    for k, v in ((pod.get("resources") or {}).get("requests") or {}).items():
        total[k] = quantity(v)
    for k, v in (pod.get("overhead") or {}).items():
        total[k] = total.get(k, Fraction(0)) + quantity(v)
    # Negative values are floored to zero (pkg/workload/workload.go:696-697).
    return {k: max(v, Fraction(0)) for k, v in total.items()}


# --- the cluster the manifests describe ------------------------------------------------------------


@dataclass
class _Objects:
    namespaces: dict[str, dict[str, str]] = field(default_factory=dict)
    local_queues: dict[tuple[str, str], str] = field(default_factory=dict)
    cluster_queues: dict[str, Mapping[str, Any]] = field(default_factory=dict)
    cohorts: dict[str, Mapping[str, Any]] = field(default_factory=dict)
    flavors: dict[str, Mapping[str, Any]] = field(default_factory=dict)
    priorities: dict[str, int] = field(default_factory=dict)


def _collect(manifests: Iterable[Mapping[str, Any]]) -> _Objects:
    out = _Objects()
    for name in SYSTEM_NAMESPACES:
        out.namespaces[name] = {NAME_LABEL: name}
    for obj in manifests:
        kind, meta, spec = obj.get("kind"), obj.get("metadata") or {}, obj.get("spec") or {}
        name = str(meta.get("name"))
        if kind == "Namespace":
            out.namespaces[name] = {**(meta.get("labels") or {}), NAME_LABEL: name}
        elif kind == "LocalQueue":
            out.local_queues[(meta.get("namespace") or "default", name)] = str(spec.get("clusterQueue"))
        elif kind == "ClusterQueue":
            out.cluster_queues[name] = spec
        elif kind == "Cohort":
            out.cohorts[name] = spec
        elif kind == "ResourceFlavor":
            out.flavors[name] = spec
        elif kind == "WorkloadPriorityClass":
            out.priorities[name] = int(obj.get("value", 0))
    return out


def _quotas(spec: Mapping[str, Any]) -> dict[tuple[str, str], Mapping[str, Any]]:
    """(flavor, resource) -> {nominalQuota, borrowingLimit?, lendingLimit?} of a ClusterQueue or Cohort."""
    return {
        (f["name"], r["name"]): r
        for group in spec.get("resourceGroups") or ()
        for f in group.get("flavors") or ()
        for r in f.get("resources") or ()
    }


def max_capacity(objs: _Objects, queue: str, flavor: str, resource: str) -> Fraction:
    """The most of (flavor, resource) a ClusterQueue can ever use: its nominal quota, plus what its
    cohort can lend, capped by its borrowing limit (pkg/cache/scheduler/resource_node.go:67-72,
    129-142, 167-228; a cohort node's SubtreeQuota is its own nominal plus each child's nominal
    minus the part the child keeps with lendingLimit)."""
    spec = objs.cluster_queues[queue]
    own = _quotas(spec).get((flavor, resource))
    nominal = quantity(own["nominalQuota"]) if own else Fraction(0)
    cohort = spec.get("cohortName")
    if not cohort:
        return nominal

    def local(q: Mapping[str, Any] | None) -> Fraction:
        if q is None or q.get("lendingLimit") is None:
            return Fraction(0)
        return max(Fraction(0), quantity(q["nominalQuota"]) - quantity(q["lendingLimit"]))

    shared = sum(
        (quantity(q["nominalQuota"]) - local(q))
        for other in objs.cluster_queues.values()
        if other.get("cohortName") == cohort
        for q in [_quotas(other).get((flavor, resource))]
        if q is not None
    )
    extra = _quotas(objs.cohorts.get(cohort, {})).get((flavor, resource))
    potential = local(own) + Fraction(shared) + (quantity(extra["nominalQuota"]) if extra else 0)
    if own is not None and own.get("borrowingLimit") is not None:
        potential = min(potential, nominal + quantity(own["borrowingLimit"]))
    return potential


# --- the check --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Admitted:
    queue: str
    flavors: tuple[str, ...]
    requests: Mapping[str, Fraction]
    """Per pod, after Kueue's exclusions: what quota counts."""


def check(
    manifests: Sequence[Mapping[str, Any]],
    config: Mapping[str, Any],
    nodes: Sequence[NodeGroup],
    provider: str,
) -> list[Violation]:
    """Every reason a rendered workload would not be admitted or placed, and every webhook-scope error."""
    objs = _collect(manifests)
    out: list[Violation] = []
    out += _config_rules(config, objs)
    out += _queue_webhook_rules(objs)
    selector = config.get("managedJobsNamespaceSelector", _DEFAULT_MANAGED)
    admitted: list[tuple[Workload, _Admitted]] = []
    placed: list[tuple[Workload, NodeGroup, dict[str, Fraction]]] = []
    for w in workloads(manifests):
        effective = dict(w.pod)
        if QUEUE_LABEL in w.labels:
            if not selector_matches(selector, objs.namespaces.get(w.namespace, {NAME_LABEL: w.namespace})):
                # The reconciler ignores jobs in unmanaged namespaces, queue label or not (pkg/controller/jobframework/reconciler.go:334-339).
                out.append(Violation(w.ref, "A10 namespace", f"has a queue label but Kueue does not manage namespace {w.namespace} "
                                     "(managedJobsNamespaceSelector), so it runs unqueued; valid: label the namespace to match the selector"))
            else:
                result = _admit(w, config, objs, out)
                if result is None:
                    continue  # never admitted, its pods stay gated: placement is moot
                admitted.append((w, result))
                effective = _with_flavors(w.pod, [objs.flavors[f] for f in result.flavors])
        group = _place(w, effective, nodes, provider, out)
        if group is not None:
            placed.append((w, group, pod_requests(effective)))
        _clocks(w, config, out)
    out += _quota_at_minimum(admitted, objs)
    out += _pool_at_minimum(placed)
    return sorted(set(out))


_DEFAULT_MANAGED = {"matchExpressions": [{"key": NAME_LABEL, "operator": "NotIn", "values": ["kube-system", KUEUE_NAMESPACE]}]}
"""Kueue's default managedJobsNamespaceSelector (apis/config/v1beta2/defaults.go:124-132)."""
CONFIG = "Kueue Configuration"


def _config_rules(config: Mapping[str, Any], objs: _Objects) -> list[Violation]:
    out = []
    resources = config.get("resources") or {}
    if resources.get("quotaCheckStrategy") == "IgnoreUndeclared" and resources.get("excludeResourcePrefixes"):
        # pkg/config/validation.go:110-136
        out.append(Violation(CONFIG, "A6 resources", "quotaCheckStrategy IgnoreUndeclared cannot be combined with excludeResourcePrefixes; valid: one of them"))
    if "managedJobsNamespaceSelector" not in config:
        # The default selector (defaults.go:124-132) matches every namespace but kube-system and Kueue's own.
        out.append(Violation(CONFIG, "W1 managedJobsNamespaceSelector", "not set, so Kueue's webhooks default to every namespace but kube-system and kueue-system; "
                             "valid: a selector matching exactly the namespaces that hold a LocalQueue"))
    selector = config.get("managedJobsNamespaceSelector", _DEFAULT_MANAGED)
    # The chart copies the selector into the pod/deployment/job webhooks' namespaceSelector, with
    # failurePolicy Fail (charts/kueue/templates/webhook/manifests.yaml:19-20,91-106,314-332@v0.19.2).
    matched = {ns for ns, labels in objs.namespaces.items() if selector_matches(selector, labels)}
    queued = {ns for ns, _ in objs.local_queues}
    extra, missing = sorted(matched - queued), sorted(queued - matched)
    if extra:
        out.append(Violation(CONFIG, "W2 webhook scope", f"Kueue's webhooks (failurePolicy Fail) also gate pods in {', '.join(extra)}, which hold no LocalQueue; "
                             f"valid: a selector matching exactly {', '.join(sorted(queued)) or 'no namespace'}"))
    if missing:
        out.append(Violation(CONFIG, "W2 webhook scope", f"namespace(s) {', '.join(missing)} hold a LocalQueue but Kueue's webhooks skip them, "
                             "so their jobs run unqueued; valid: label them to match managedJobsNamespaceSelector"))
    frameworks = (config.get("integrations") or {}).get("frameworks") or ["batch/job"]
    if "pod" not in frameworks and any(f in frameworks for f in POD_FRAMEWORKS):
        # Without `pod` listed the chart renders the pod webhook with failurePolicy Ignore (manifests.yaml:314-319),
        # so pods are created ungated whenever Kueue is down.
        out.append(Violation(CONFIG, "W3 frameworks", "deployment/statefulset/leaderworkerset pods are managed through the pod integration; valid: list pod in integrations.frameworks"))
    return out


def _queue_webhook_rules(objs: _Objects) -> list[Violation]:
    """K1-K4: what Kueue's ClusterQueue webhook rejects beyond the CRD schema and its CEL rules
    (pkg/webhooks/clusterqueue_webhook.go@v0.19.2 validateResourceGroups, validateFlavorQuotas,
    validateResourceQuantity, validateLimit, validateLendingLimit)."""
    out = []
    for name, spec in sorted(objs.cluster_queues.items()):
        ref = f"ClusterQueue {name}"
        seen_resources: set[str] = set()
        seen_flavors: set[str] = set()
        for group in spec.get("resourceGroups") or ():
            covered = list(group.get("coveredResources") or ())
            for r in covered:
                if r in seen_resources:
                    out.append(Violation(ref, "K1 groups", f"resource {r} is covered by two resource groups; valid: each resource in one group"))
                seen_resources.add(r)
            for f in group.get("flavors") or ():
                if f["name"] in seen_flavors:
                    out.append(Violation(ref, "K1 groups", f"flavor {f['name']} is in two resource groups; valid: each flavor in one group"))
                seen_flavors.add(f["name"])
                names = [r["name"] for r in f.get("resources") or ()]
                if names[: len(covered)] != covered[: len(names)]:
                    out.append(Violation(ref, "K2 order", f"flavor {f['name']} lists {', '.join(names)}; valid: the coveredResources order {', '.join(covered)}"))
                for r in f.get("resources") or ():
                    where = f"{f['name']} {r['name']}"
                    for key in ("nominalQuota", "borrowingLimit", "lendingLimit"):
                        if r.get(key) is not None and quantity(r[key]) < 0:
                            out.append(Violation(ref, "K3 quantity", f"{where} {key} {r[key]} is negative; valid: 0 or more"))
                    if r.get("lendingLimit") is not None:
                        if not spec.get("cohortName"):
                            out.append(Violation(ref, "K4 lendingLimit", f"{where}: lendingLimit must be nil when cohort is empty; valid: set cohortName or remove it"))
                        elif quantity(r["lendingLimit"]) > quantity(r["nominalQuota"]):
                            out.append(Violation(ref, "K4 lendingLimit", f"{where}: lendingLimit {r['lendingLimit']} must be less than or equal to the nominalQuota {r['nominalQuota']}"))
    return out


def _admit(w: Workload, config: Mapping[str, Any], objs: _Objects, out: list[Violation]) -> _Admitted | None:
    """A1-A7 for one queued workload: which ClusterQueue and flavors admit one of its pods, or None."""
    queue_name = w.labels[QUEUE_LABEL]
    cq_name = objs.local_queues.get((w.namespace, queue_name))
    if cq_name is None:
        # pkg/cache/queue/manager.go:658-665; "LocalQueue %s doesn't exist" (workload_controller.go:2081-2094)
        known = sorted(q for ns, q in objs.local_queues if ns == w.namespace)
        out.append(Violation(w.ref, "A2 queue", f"LocalQueue {w.namespace}/{queue_name} does not exist; valid: {', '.join(known) or 'none in this namespace'}"))
        return None
    cq = objs.cluster_queues.get(cq_name)
    if cq is None:
        out.append(Violation(w.ref, "A2 queue", f"LocalQueue {w.namespace}/{queue_name} points at ClusterQueue {cq_name}, which does not exist; valid: {', '.join(sorted(objs.cluster_queues)) or 'none'}"))
        return None
    missing_flavors = sorted({f["name"] for g in cq.get("resourceGroups") or () for f in g["flavors"]} - set(objs.flavors))
    if missing_flavors:
        # A ClusterQueue naming a missing ResourceFlavor is inactive and admits nothing (clusterqueue_types.go:284-287, scheduler.go:677-679).
        out.append(Violation(w.ref, "A2 inactive", f"ClusterQueue {cq_name} names ResourceFlavor(s) {', '.join(missing_flavors)} that do not exist, so it admits nothing"))
        return None
    ns_labels = objs.namespaces.get(w.namespace, {NAME_LABEL: w.namespace})
    if not selector_matches(cq.get("namespaceSelector"), ns_labels):
        # pkg/workload/resources.go:228-246, called from scheduler.go:683-693
        out.append(Violation(w.ref, "A3 namespace", f"ClusterQueue {cq_name}'s namespaceSelector {cq.get('namespaceSelector')} does not match namespace {w.namespace}; "
                             "valid: a selector that matches it ({} for all)"))
        return None
    priority = w.labels.get(PRIORITY_LABEL)
    if priority is not None and priority not in objs.priorities:
        # pkg/util/priority/priority.go:108-114: a plain Get that fails on a missing class.
        out.append(Violation(w.ref, "A4 priority", f"WorkloadPriorityClass {priority} does not exist; valid: {', '.join(sorted(objs.priorities)) or 'none rendered'}"))
        return None
    requests = _counted(pod_requests(w.pod), config)
    groups = cq.get("resourceGroups") or []
    covered = {r for g in groups for r in g["coveredResources"]}
    ignore = (config.get("resources") or {}).get("quotaCheckStrategy") == "IgnoreUndeclared"
    for resource, amount in sorted(requests.items()):
        # BlockUndeclared (the default, cmd/kueue/main.go:730-736): a requested resource in no group
        # fails the assignment (flavorassigner.go:802-812); zero quantities are skipped (:805-807).
        if resource not in covered and amount > 0 and not ignore:
            out.append(Violation(w.ref, f"A6 {resource}", f"resource {resource} unavailable in ClusterQueue {cq_name} (pod requests {show(resource, amount)}); "
                                 f"valid: cover it in a resource group or exclude it with resources.excludeResourcePrefixes"))
            return None
    chosen = []
    for group in groups:
        wanted = [r for r in group["coveredResources"] if requests.get(r, 0) > 0]
        if not wanted:
            continue
        flavor, reasons = _first_flavor(w.pod, group, wanted, requests, cq_name, objs)
        if flavor is None:
            out.append(Violation(w.ref, "A7 flavor", f"no flavor of ClusterQueue {cq_name} admits one pod: {'; '.join(reasons)}"))
            return None
        chosen.append(flavor)
    return _Admitted(cq_name, tuple(chosen), {r: a for r, a in requests.items() if r in covered})


def _counted(requests: Mapping[str, Fraction], config: Mapping[str, Any]) -> dict[str, Fraction]:
    """Requests after `resources.excludeResourcePrefixes`, a plain string-prefix match (pkg/workload/workload.go:463-478)."""
    prefixes = (config.get("resources") or {}).get("excludeResourcePrefixes") or ()
    return {r: a for r, a in requests.items() if not any(r.startswith(p) for p in prefixes)}


def _first_flavor(
    pod: Mapping[str, Any], group: Mapping[str, Any], wanted: list[str], requests: Mapping[str, Fraction], cq: str, objs: _Objects
) -> tuple[str | None, list[str]]:
    """The first flavor, in list order, that one pod fits (flavorassigner.go:1227-1357), and why the others do not."""
    reasons = []
    selector = pod.get("nodeSelector") or {}
    tolerations = pod.get("tolerations") or []
    for f in group["flavors"]:
        spec = objs.flavors[f["name"]]
        labels = spec.get("nodeLabels") or {}
        taints = [_taint(t) for t in spec.get("nodeTaints") or () if t["effect"] in ("NoSchedule", "NoExecute")]
        untolerated = [t for t in taints if not tolerates([*tolerations, *(spec.get("tolerations") or ())], t)]
        if untolerated:  # A7a, flavorassigner.go:1239-1245
            reasons.append(f"{f['name']}: taint {untolerated[0].key}={untolerated[0].value}:{untolerated[0].effect} not tolerated")
            continue
        # A7b: only the selector keys the flavor labels are compared (flavorassigner.go:1246-1255, 1278-1322).
        clash = [k for k in selector if k in labels and labels[k] != selector[k]]
        if clash:
            reasons.append(f"{f['name']}: nodeSelector {clash[0]}={selector[clash[0]]} but the flavor's node label is {labels[clash[0]]}")
            continue
        over = [(r, cap) for r in wanted for cap in [max_capacity(objs, cq, f["name"], r)] if requests[r] > cap]
        if over:  # A7c, flavorassigner.go:1330-1357
            r, cap = over[0]
            reasons.append(f"{f['name']}: {r} {show(r, requests[r])} per pod > maximum capacity {show(r, cap)}")
            continue
        return f["name"], reasons
    return None, reasons


def _with_flavors(pod: Mapping[str, Any], flavors: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The pod as admitted: each flavor's nodeLabels join its nodeSelector and its tolerations its
    tolerations (pkg/podset/podset.go:77-88, 133-140); nodeTaints are never injected."""
    selector = dict(pod.get("nodeSelector") or {})
    tolerations = list(pod.get("tolerations") or [])
    for f in flavors:
        selector.update(f.get("nodeLabels") or {})
        tolerations += [t for t in f.get("tolerations") or () if t not in tolerations]
    return {**pod, "nodeSelector": selector, "tolerations": tolerations}


def _quota_at_minimum(admitted: list[tuple[Workload, _Admitted]], objs: _Objects) -> list[Violation]:
    """A9: every workload's minimum pods are admitted together, per queue and per cohort.

    Without it a queue's minimum replicas get in only by preempting another queue's.
    """
    out = []
    demand: dict[tuple[str, str, str], Fraction] = {}
    who: dict[tuple[str, str, str], list[str]] = {}
    for w, a in admitted:
        for f in a.flavors:
            group = next(g for g in objs.cluster_queues[a.queue]["resourceGroups"] if f in [x["name"] for x in g["flavors"]])
            for r in group["coveredResources"]:
                if a.requests.get(r, 0) > 0:
                    key = (a.queue, f, r)
                    demand[key] = demand.get(key, Fraction(0)) + w.pods * a.requests[r]
                    who.setdefault(key, []).append(f"{w.namespace}/{w.name} {w.pods} x {show(r, a.requests[r])}")
    for (queue, flavor, resource), need in sorted(demand.items()):
        cap = max_capacity(objs, queue, flavor, resource)
        if need > cap:
            out.append(Violation(f"ClusterQueue {queue}", f"A9 {flavor} {resource}", f"minimum replicas ({', '.join(who[(queue, flavor, resource)])}) "
                                 f"need {show(resource, need)} but the queue can use at most {show(resource, cap)}; valid: more quota, borrowing, or fewer minimum replicas"))
    # Queues that each fit can still, together, need more than the cohort holds.
    over = {(objs.cluster_queues[q].get("cohortName"), f, r) for (q, f, r), need in demand.items() if need > max_capacity(objs, q, f, r)}
    cohorts: dict[tuple[str, str, str], Fraction] = {}
    for (queue, flavor, resource), need in demand.items():
        cohort = objs.cluster_queues[queue].get("cohortName")
        if cohort and (cohort, flavor, resource) not in over:
            cohorts[(cohort, flavor, resource)] = cohorts.get((cohort, flavor, resource), Fraction(0)) + need
    for (cohort, flavor, resource), need in sorted(cohorts.items()):
        total = sum(
            (quantity(q["nominalQuota"]) for cq in objs.cluster_queues.values() if cq.get("cohortName") == cohort
             for q in [_quotas(cq).get((flavor, resource))] if q is not None), Fraction(0))
        extra = _quotas(objs.cohorts.get(cohort, {})).get((flavor, resource))
        total += quantity(extra["nominalQuota"]) if extra else 0
        if need > total:
            out.append(Violation(f"Cohort {cohort}", f"A9 {flavor} {resource}", f"the queues' minimum replicas need {show(resource, need)} "
                                 f"but the cohort's nominal quota is {show(resource, total)}; valid: fewer minimum replicas or a larger pool"))
    return out


def _place(w: Workload, pod: Mapping[str, Any], nodes: Sequence[NodeGroup], provider: str, out: list[Violation]) -> NodeGroup | None:
    """P2-P4: some pool's nodes carry the pod's selector, their taints are tolerated and one node
    holds the pod; the first such pool, or None."""
    selector = pod.get("nodeSelector") or {}
    requests = pod_requests(pod)
    matching = [n for n in nodes if all(n.labels.get(k) == v for k, v in selector.items())]
    if not matching:
        shown = ", ".join(f"{k}={v}" for k, v in sorted(selector.items()))
        out.append(Violation(w.ref, "P2 selector", f"no pool's nodes carry {shown}; valid: the labels of one of {', '.join(n.name for n in nodes) or 'no pool'}"))
        return None
    tolerations = list(pod.get("tolerations") or [])
    if provider == "gke" and any(k == g.gpu_resource for k in requests for g in matching):
        # GKE's ExtendedResourceToleration admission plugin tolerates the GPU taint for pods that request GPUs.
        tolerations.append({"key": NVIDIA_GPU, "operator": "Exists"})
    failures: list[list[Violation]] = []
    for group in matching:
        found: list[Violation] = []
        untolerated = [t for t in group.taints if t.effect in ("NoSchedule", "NoExecute") and not tolerates(tolerations, t)]
        if untolerated:
            t = untolerated[0]
            found.append(Violation(w.ref, "P3 taint", f"pool {group.name}'s nodes are tainted {t.key}={t.value}:{t.effect} and the pod does not tolerate it; "
                                   f"valid: a toleration {t.toleration()}"))
        else:
            _fits(w, requests, group, found)
        if not found:
            return group
        failures.append(found)
    out.extend(v for found in failures for v in found)
    return None


def _fits(w: Workload, requests: Mapping[str, Fraction], group: NodeGroup, out: list[Violation]) -> None:
    """P4: one pod fits one node's allocatable, and the minimum pods fit the pool at its largest."""
    alloc = group.allocatable
    node: dict[str, Fraction | None] = {
        "cpu": Fraction(alloc.cpu_m, 1000),
        "memory": Fraction(alloc.memory_bytes),
        "ephemeral-storage": None if alloc.ephemeral_bytes is None else Fraction(alloc.ephemeral_bytes),
        group.gpu_resource: Fraction(alloc.gpu_units),
    }
    per_node = None
    for resource, amount in sorted(requests.items()):
        if amount <= 0 or (resource in node and node[resource] is None):
            continue
        have = node.get(resource, Fraction(0)) or Fraction(0)
        if amount > have:
            disk = group.disk_for(float(amount)) if resource == "ephemeral-storage" else None
            valid = f"nodePools.{group.name}.diskSizeGb >= {disk}" if disk else f"requests <= {show(resource, have)} or larger nodes"
            out.append(Violation(w.ref, f"P4 {resource}", f"pod requests {show(resource, amount)} but a node of {group.name} allocates "
                                 f"{show(resource, have)} ({alloc.basis}); valid: {valid}"))
            return
        fit = math.floor(have / amount)
        per_node = fit if per_node is None else min(per_node, fit)
    if per_node is not None and w.pods > per_node * group.max_nodes:
        out.append(Violation(w.ref, "P4 packing", f"{w.pods} minimum pods at {per_node} per node need {math.ceil(w.pods / per_node)} nodes "
                             f"but pool {group.name} has at most {group.max_nodes}; valid: nodes.max >= {math.ceil(w.pods / per_node)}"))


def _node_amounts(group: NodeGroup) -> dict[str, Fraction]:
    alloc = group.allocatable
    out = {"cpu": Fraction(alloc.cpu_m, 1000), "memory": Fraction(alloc.memory_bytes), group.gpu_resource: Fraction(alloc.gpu_units)}
    if alloc.ephemeral_bytes is not None:
        out["ephemeral-storage"] = Fraction(alloc.ephemeral_bytes)
    return out


def _pool_at_minimum(placed: list[tuple[Workload, NodeGroup, dict[str, Fraction]]]) -> list[Violation]:
    """P5: the minimum pods of every workload on a pool fit its nodes together (a necessary condition:
    per resource, their sum is at most the pool's allocatable at its largest)."""
    out = []
    for name in sorted({g.name for _, g, _ in placed}):
        on = [(w, g, r) for w, g, r in placed if g.name == name]
        group = on[0][1]
        for resource, per_node in sorted(_node_amounts(group).items()):
            need = sum((w.pods * r.get(resource, Fraction(0)) for w, _, r in on), Fraction(0))
            have = per_node * group.max_nodes
            if len(on) > 1 and need > have:
                listing = ", ".join(f"{w.namespace}/{w.name} {w.pods} x {show(resource, r.get(resource, 0))}" for w, _, r in on)
                out.append(Violation(f"Pool {name}", f"P5 {resource}", f"the minimum pods placed here ({listing}) need {show(resource, need)} "
                                     f"but {group.max_nodes} node(s) allocate {show(resource, have)}; valid: nodes.max >= {math.ceil(need / per_node)}"))
    return out


def _clocks(w: Workload, config: Mapping[str, Any], out: list[Violation]) -> None:
    """T1: Kueue's waitForPodsReady clock >= the Deployment's progress deadline >= its startup probe's,
    so the faster clock never kills a load that was going to succeed (core.budget)."""
    if w.kind != "Deployment" or QUEUE_LABEL not in w.labels or w.progress_deadline is None:
        return
    # waitForPodsReady is always on in v1beta2, defaulting to 30m (apis/config/v1beta2/defaults.go:99-117).
    wait = seconds(((config.get("waitForPodsReady") or {}).get("timeout")) or "30m")
    probe = max(
        (p.get("failureThreshold", 3) * p.get("periodSeconds", 10) + p.get("initialDelaySeconds", 0)
         for c in w.pod.get("containers") or () for p in [c.get("startupProbe")] if p),
        default=0,
    )
    if not wait >= w.progress_deadline >= probe:
        out.append(Violation(w.ref, "T1 clocks", f"waitForPodsReady.timeout {wait:g}s, progressDeadlineSeconds {w.progress_deadline}, "
                             f"startup probe {probe}s; valid: timeout >= progress deadline >= probe"))
