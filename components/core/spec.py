"""The base of every layer's spec: strict, immutable pydantic models with camelCase keys.

A layer's `spec.py` declares the stack keys it reads with these types; `stacks.schema` composes
the layers' specs under the config keys users write. Field descriptions are part of the product:
errors quote them to say what would be valid, so every field has one (a test walks the schema).
"""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

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


Name = Annotated[str, AfterValidator(_name)]
"""A config key that names a pool, model, namespace or cluster: a DNS label of at most 30 chars."""
Cidr = Annotated[str, AfterValidator(_cidr)]


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

    key: str = Field(..., min_length=1, max_length=253, description="Taint key, e.g. dedicated.")
    value: str = Field("", max_length=63, description="Taint value; empty matches any value.")
    effect: Effect = Field(..., description="NoSchedule, PreferNoSchedule or NoExecute.")

    def toleration(self) -> dict[str, str]:
        """The toleration a pod needs on a node with this taint."""
        if self.value:
            return {"key": self.key, "operator": "Equal", "value": self.value, "effect": self.effect}
        return {"key": self.key, "operator": "Exists", "effect": self.effect}
