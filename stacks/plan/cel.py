"""Evaluate a CRD's CEL validation rules (`x-kubernetes-validations`) on a rendered custom resource.

As the API server does on create: the schema's defaults are applied first, then each rule is
evaluated with `self` bound to the value of the node that carries it, wherever that node is
present. Transition rules (those naming `oldSelf`) cannot fail on create and are not evaluated.

Only the API groups in `GROUPS` are evaluated: their rules use standard CEL alone (has, all,
size, in, the ternary), which cel-python evaluates; other CRDs' rules call Kubernetes' own CEL
libraries (url, quantity, regex helpers) that cel-python does not have. The validation summary
says which groups were evaluated.
"""

from __future__ import annotations

import copy
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

GROUPS = ("kueue.x-k8s.io",)
"""Groups whose CRD rules are evaluated (every Kueue v0.19.2 rule was checked to be standard CEL)."""
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
MISSING = "CEL rules not evaluated: cel-python is not installed; run pip install -r requirements.txt"


@lru_cache(maxsize=16)
def _schemas(folder: Path, group: str) -> dict[tuple[str, str], dict[str, Any]]:
    """The raw openAPIV3Schema by (version, kind) of a group's CRDs in a folder."""
    out = {}
    for path in sorted(folder.glob("*.yaml")):
        for doc in yaml.load_all(path.read_text(), Loader=_LOADER):
            if isinstance(doc, dict) and doc.get("kind") == "CustomResourceDefinition" and doc["spec"]["group"] == group:
                for version in doc["spec"]["versions"]:
                    out[(version["name"], doc["spec"]["names"]["kind"])] = version["schema"]["openAPIV3Schema"]
    return out


@lru_cache(maxsize=1)
def _celpy() -> Any:
    """cel-python, imported when first needed, so that without it the plan says so instead of crashing."""
    import celpy

    return celpy


@lru_cache(maxsize=1)
def _environment() -> Any:
    return _celpy().Environment()


@lru_cache(maxsize=512)
def _program(rule: str) -> Any:
    env = _environment()
    return env.program(env.compile(rule))


def defaulted(schema: dict[str, Any], value: Any) -> Any:
    """`value` with the schema's defaults filled in where a property is missing, at every level."""
    if isinstance(value, dict):
        out = dict(value)
        props = schema.get("properties") or {}
        for key, sub in props.items():
            if key not in out and "default" in sub:
                out[key] = copy.deepcopy(sub["default"])
            if key in out:
                out[key] = defaulted(sub, out[key])
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            for key in out:
                if key not in props:
                    out[key] = defaulted(extra, out[key])
        return out
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        return [defaulted(schema["items"], v) for v in value]
    return value


def _errors(schema: dict[str, Any], value: Any, path: str) -> list[str]:
    out = []
    for rule in schema.get("x-kubernetes-validations") or ():
        text = rule["rule"]
        if "oldSelf" in text:
            continue
        try:
            ok = bool(_program(text).evaluate({"self": _celpy().json_to_cel(value)}))
        except Exception as e:  # an evaluation error rejects the object, as it does in the API server
            out.append(f"{path or '(root)'}: CEL rule {text!r} could not be evaluated: {e}")
            continue
        if not ok:
            out.append(f"{path or '(root)'}: {rule.get('message') or f'failed rule: {text}'}")
    if isinstance(value, dict):
        props = schema.get("properties") or {}
        extra = schema.get("additionalProperties")
        for key, v in value.items():
            sub = props.get(key, extra if isinstance(extra, dict) else None)
            if sub is not None and v is not None:
                out += _errors(sub, v, f"{path}.{key}" if path else key)
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        for i, v in enumerate(value):
            out += _errors(schema["items"], v, f"{path}[{i}]")
    return out


def rule_errors(obj: dict[str, Any], folder: Path) -> list[str]:
    """Every CEL rule of the object's CRD (in `folder`) that the object, defaulted, breaks."""
    group, _, version = obj["apiVersion"].partition("/")
    if group not in GROUPS:
        return []
    schema = _schemas(folder, group).get((version, obj["kind"]))
    if schema is None:
        return []  # the schema check reports a kind its folder does not serve
    try:
        _celpy()
    except ImportError:
        return [MISSING]  # not skipped silently: the plan fails and says what to install
    return _errors(schema, defaulted(schema, obj), "")
