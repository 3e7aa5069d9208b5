"""The scheduling layer's intent (`inferfleet:scheduling`): who gets the pools' GPUs, and who yields.

Queues are Kueue ClusterQueues in one cohort, each with a share of each pool; priorities are
WorkloadPriorityClasses. Enums mirror the Kueue v0.19.2 CRD enums exactly
(apis/kueue/v1beta2/clusterqueue_types.go:460-594).
"""

from __future__ import annotations

import re
from typing import Annotated, Literal, Union

from pydantic import AfterValidator, Field

from ..core.spec import Name, SpecModel

_PERCENT = re.compile(r"^(100|[1-9]?[0-9])%$")


def _share(value: int | str) -> int | str:
    if isinstance(value, int) and value < 0 or isinstance(value, str) and not _PERCENT.match(value):
        raise ValueError(f"'{value}' is not a share of a pool; valid: GPU units (0 or more) or a percentage 0% to 100%, e.g. 40%")
    return value


Share = Annotated[Union[int, str], AfterValidator(_share)]
"""GPU units of a pool (a whole number), or a percentage of the pool's units at its maximum size ("40%")."""


class BorrowWithinCohort(SpecModel):
    policy: Literal["Never", "LowerPriority"] = Field(..., description="Never or LowerPriority: preempt to borrow beyond the quota.")
    max_priority_threshold: int | None = Field(
        None, description="Only workloads at or below this priority are preempted to borrow, e.g. 100."
    )


class Preemption(SpecModel):
    within_cluster_queue: Literal["Never", "LowerPriority", "LowerOrNewerEqualPriority"] | None = Field(
        None, description="Preempt lower-priority workloads of the same queue; default LowerPriority."
    )
    reclaim_within_cohort: Literal["Never", "LowerPriority", "Any"] | None = Field(
        None, description="Take back lent quota from the cohort; default Any for serving, LowerPriority otherwise."
    )
    borrow_within_cohort: BorrowWithinCohort | None = Field(
        None, description="Preempt in the cohort to borrow; only with classical preemption (fairSharing: false)."
    )


class QueueSpec(SpecModel):
    namespaces: tuple[Name, ...] | None = Field(
        None, description="Namespaces whose workloads use this queue, each gets a LocalQueue; default (serving only): the models'."
    )
    priority: Name | None = Field(
        None, description="Priority class stamped on this queue's model services; default realtime-inference for serving."
    )
    quota: dict[Name, Share] | None = Field(
        None, description="Share of each pool: GPU units or a percentage, e.g. {a100: 40%}; default: what other queues leave."
    )
    borrowing_limit: dict[Name, Annotated[int, Field(ge=0)]] = Field(
        default_factory=dict, description="Most GPU units of each pool borrowed from the cohort; default unlimited."
    )
    lending_limit: dict[Name, Annotated[int, Field(ge=0)]] = Field(
        default_factory=dict, description="Most GPU units of each pool lent to the cohort, at most the quota; default all."
    )
    preemption: Preemption = Field(Preemption(), description="Who this queue's workloads may preempt.")
    queueing_strategy: Literal["StrictFIFO", "BestEffortFIFO"] = Field(
        "BestEffortFIFO", description="StrictFIFO or BestEffortFIFO (a workload that does not fit lets later ones in)."
    )
    fair_sharing_weight: int | None = Field(None, ge=0, le=1000, description="Weight of this queue under fair sharing; default 1.")


class PrioritySpec(SpecModel):
    value: int = Field(..., ge=-(2**31), le=2**31 - 1, description="Priority value; higher preempts lower, e.g. 1000.")
    description: str = Field("", max_length=2048, description="What the class is for.")


DEFAULT_PRIORITIES = {
    "realtime-inference": PrioritySpec(value=1000, description="Production inference; preempts batch training"),
    "batch-training": PrioritySpec(value=100, description="Training; yields to inference"),
}
SERVING = "serving"
"""The queue model services use unless another queue lists their namespace."""


class SchedulingSpec(SpecModel):
    cohort: Name | None = Field("inferfleet", description="Cohort every queue joins and lends in; null: none (then no limits).")
    fair_sharing: bool = Field(False, description="Kueue fair sharing across the cohort instead of classical preemption.")
    priorities: dict[Name, PrioritySpec] = Field(
        default_factory=lambda: dict(DEFAULT_PRIORITIES), description="WorkloadPriorityClasses by name, e.g. {batch: {value: 100}}."
    )
    queues: dict[Name, QueueSpec] = Field(
        default_factory=lambda: {SERVING: QueueSpec()}, description="ClusterQueues by name, e.g. {serving: {}, training: {...}}."
    )
