"""The plan's behaviour check: every rendered workload is admitted by Kueue and placed on a pool.

It reads what the plan sends: the manifests, and the Kueue Configuration inside the Kueue chart's
values; the nodes come from the resolved pools (`components.scheduling.nodes`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

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


def check(plan: Plan) -> Report:
    platform = plan.loaded.platform
    objects = manifests(plan)
    provider = platform.cluster.provider
    nodes = [node_group(p, provider, platform.gpu.resources[p.name].name) for p in platform.pools]
    violations = admission.check(objects, kueue_config(plan), nodes, provider)
    return Report(len(admission.workloads(objects)), [v.line() for v in violations])
