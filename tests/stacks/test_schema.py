"""The stack schema as a user meets it: every key documented, every secret a Pulumi secret."""

from __future__ import annotations

import typing

from pydantic import BaseModel, SecretStr

from stacks.schema import SECRET_KEYS, StackSpec


def _models(root: type[BaseModel]) -> list[type[BaseModel]]:
    """Every model class reachable from `root`, through Optional, unions, tuples and dicts."""
    seen: list[type[BaseModel]] = []

    def visit(annotation: typing.Any) -> None:
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            if annotation not in seen:
                seen.append(annotation)
                for info in annotation.model_fields.values():
                    visit(info.annotation)
            return
        for arg in typing.get_args(annotation):
            visit(arg)

    visit(root)
    return seen


def test_every_field_of_every_spec_has_a_description() -> None:
    missing = [
        f"{model.__name__}.{info.alias or name}"
        for model in _models(StackSpec)
        for name, info in model.model_fields.items()
        if not info.description
    ]
    assert missing == []


def test_the_walk_reaches_every_layer() -> None:
    names = {m.__name__ for m in _models(StackSpec)}
    assert {"NodePool", "GkeClusterSpec", "EksClusterSpec", "ExistingClusterSpec", "ModelSpec", "Vllm", "MonitoringSpec", "Versions"} <= names


def test_secret_keys_are_exactly_the_secret_fields() -> None:
    secret = {info.alias for info in StackSpec.model_fields.values() if info.annotation == typing.Optional[SecretStr]}
    assert secret == set(SECRET_KEYS)
