"""The base of every layer's spec: strict, immutable pydantic models with camelCase keys.

A layer's `spec.py` declares the stack keys it reads with these types; `stacks.schema` composes
the layers' specs under the config keys users write. Field descriptions are part of the product:
errors quote them to say what would be valid, so every field has one (a test walks the schema).
"""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated, Callable, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from . import names

_NAME = re.compile(r"^[a-z]([-a-z0-9]{0,28}[a-z0-9])?$")

Effect = Literal["NoSchedule", "PreferNoSchedule", "NoExecute"]
"""Kubernetes taint effects."""


def _name(value: str) -> str:
    if not _NAME.match(value):
        raise ValueError(
            f"'{value}' is not a valid name; use 1-30 lowercase letters, digits and '-', "
            "starting with a letter and not ending with '-'"
        )
    return value


def _cidr(value: str) -> str:
    try:
        ipaddress.ip_network(value, strict=True)
    except ValueError:
        raise ValueError(f"'{value}' is not a CIDR block; write it like 10.0.0.0/16") from None
    return value


def _named(rule: str, what: str) -> Callable[[str], str]:
    """A validator applying one of `names.RULES`: the rule the API server or the cloud applies."""

    def check(value: str) -> str:
        problem = names.check(rule, value)
        if problem:
            raise ValueError(f"{what} {names.show_value(value)}: {problem}")
        return value

    return check


Name = Annotated[str, AfterValidator(_name)]
"""A config key that names a pool, model, namespace or cluster: a DNS label of at most 30 chars."""
Cidr = Annotated[str, AfterValidator(_cidr)]
LabelKey = Annotated[str, AfterValidator(_named("label-key", "label key"))]
LabelValue = Annotated[str, AfterValidator(_named("label-value", "label value"))]
TaintKey = Annotated[str, AfterValidator(_named("taint-key", "taint key"))]
TaintValue = Annotated[str, AfterValidator(_named("taint-value", "taint value"))]
ZoneLabel = Annotated[str, AfterValidator(_named("label-value", "zone"))]
"""A zone as nodes carry it in topology.kubernetes.io/zone: a label value."""
GcpProject = Annotated[str, AfterValidator(_named("gcp-project-id", "project id"))]
GcpRegion = Annotated[str, AfterValidator(_named("gcp-region", "region"))]
GcpZone = Annotated[str, AfterValidator(_named("gcp-zone", "zone"))]
AwsRegion = Annotated[str, AfterValidator(_named("aws-region", "region"))]
AwsZone = Annotated[str, AfterValidator(_named("aws-zone", "zone"))]


class SpecModel(BaseModel):
    """Unknown keys are errors, values are immutable, and inputs never appear in error text.

    One spelling per key: a stack file's keys are the camelCase aliases only (validate_by_name off),
    so `hf_token` is an unknown key like any typo, and a check keyed on `hfToken` sees every way in.
    Python code that builds a spec from field names says so: `model_validate(data, by_name=True)`.
    Dumps keep field names (serialize_by_alias off): they feed Python code, never a stack file.
    """

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        alias_generator=to_camel,
        validate_by_alias=True,
        validate_by_name=False,
        serialize_by_alias=False,
        hide_input_in_errors=True,
        allow_inf_nan=False,  # .inf and .nan reach arithmetic (sizing, prices) as silent NaN; refuse them
    )


class NodeCount(SpecModel):
    min: int = Field(0, ge=0, le=1000, description="Fewest nodes; 0 lets the pool scale to zero.")
    max: int = Field(..., ge=1, le=1000, description="Most nodes; GPU capacity and queue quota derive from it.")


class Taint(SpecModel):
    """A node taint, as a stack declares it and as the layers pass it on (one type for both)."""

    key: TaintKey = Field(..., description="Taint key, e.g. dedicated.")
    value: TaintValue = Field("", description="Taint value; empty matches any value.")
    effect: Effect = Field(..., description="NoSchedule, PreferNoSchedule or NoExecute.")

    def toleration(self) -> dict[str, str]:
        """The toleration a pod needs on a node with this taint."""
        if self.value:
            return {"key": self.key, "operator": "Equal", "value": self.value, "effect": self.effect}
        return {"key": self.key, "operator": "Exists", "effect": self.effect}
