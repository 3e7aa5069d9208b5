"""The plan's behaviour check: every rendered workload is admitted by Kueue and placed on a pool.

It reads what the plan sends: the manifests, and the Kueue Configuration inside the Kueue chart's
values; the nodes come from the resolved pools (`components.scheduling.nodes`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from components.cloud.values import POOL_LABEL
from components.scheduling import admission
from components.scheduling.nodes import node_group

from .engine import Plan, masked
from .render import manifests

KUEUE_CHART = "kueue/charts/kueue"


def kueue_config(plan: Plan) -> dict[str, Any]:
    """The Kueue controller Configuration the plan hands the chart."""
    for r in plan.resources:
        if r.type == "kubernetes:helm.sh/v4:Chart" and str(r.inputs.get("chart", "")).endswith(KUEUE_CHART):
            values = masked(r.inputs.get("values") or {})
            return dict(yaml.safe_load(values["managerConfig"]["controllerManagerConfigYaml"]))
    raise ValueError("the plan has no Kueue chart")


@dataclass
class Report:
    workloads: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        head = (
            f"Behaviour: {self.workloads} workload(s) checked for Kueue admission, placement and webhook scope: "
            + ("all admitted and placed" if self.ok else f"{len(self.errors)} problem(s)")
        )
        return "\n".join([head, *(f"  {e}" for e in self.errors)])


def _selected_pools(obj: Any) -> set[str]:
    """The pools any pod template in `obj` selects by inferfleet's pool label."""
    if isinstance(obj, dict):
        selector = obj.get("nodeSelector")
        found = {selector[POOL_LABEL]} if isinstance(selector, dict) and POOL_LABEL in selector else set()
        return found.union(*(_selected_pools(v) for v in obj.values()))
    if isinstance(obj, list):
        return set().union(*(_selected_pools(v) for v in obj))
    return set()


def check(plan: Plan) -> Report:
    platform = plan.loaded.platform
    objects = manifests(plan)
    provider = platform.cluster.provider
    nodes = [node_group(p, provider, platform.gpu.resources[p.name].name) for p in platform.pools]
    # Kueue admits nothing on a suspended pool on purpose (quota 0, scheduling.resolve); the workloads placed
    # there wait until it resumes, and the resolve step already refused any whose minimum needs it.
    suspended = {p.name for p in platform.pools if p.suspended}
    if suspended:
        objects = [o for o in objects if not (_selected_pools(o) & suspended)]
    violations = admission.check(objects, kueue_config(plan), nodes, provider)
    return Report(len(admission.workloads(objects)), [v.line() for v in violations])
