"""Rendering a plan: plan.json and one YAML file per Kubernetes object."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from .engine import Plan, Registered, masked


def is_manifest(resource: Registered) -> bool:
    """A Kubernetes object the program registers itself (charts render theirs inside the provider)."""
    return resource.custom and resource.type.startswith("kubernetes:") and not resource.type.startswith("kubernetes:helm.sh/")


def manifests(plan: Plan) -> list[dict[str, Any]]:
    return [masked(r.inputs) for r in plan.resources if is_manifest(r)]


_SAFE = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-")


def _part(text: str) -> str:
    """One part of a file name: '/' as '+', every other character outside [A-Za-z0-9.-] as %XX."""
    return "".join(c if c in _SAFE else "+" if c == "/" else "".join(f"%{b:02X}" for b in c.encode()) for c in text)


def manifest_path(obj: dict[str, Any]) -> str:
    """Where an object's YAML goes: 0-crd/ or 1-manifest/, then `<apiVersion>_<kind>_<namespace>_<name>.yaml`.

    Collision-free: no part can hold '_' ('_' and '+' are escaped), so two objects share a file
    only if they are the same object. renderYamlToDirectory's `<api>-<kind>-<ns>-<name>`, which
    this once copied, joins with '-', which names contain, and writes a cluster-wide object under
    `default`, so two objects could overwrite each other's file.
    """
    meta = obj.get("metadata", {})
    parts = (obj["apiVersion"], obj["kind"], meta.get("namespace") or "", meta["name"])
    folder = "0-crd" if obj["kind"] == "CustomResourceDefinition" else "1-manifest"
    return f"{folder}/{'_'.join(map(_part, parts))}.yaml"


def write(plan: Plan, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "plan.json").write_text(json.dumps(plan.to_json(), indent=2, sort_keys=True) + "\n")
    root = out / "manifests"
    for folder in ("0-crd", "1-manifest"):
        (root / folder).mkdir(parents=True, exist_ok=True)
        for stale in (root / folder).glob("*.yaml"):
            stale.unlink()
    written: set[str] = set()
    for obj in manifests(plan):
        path = manifest_path(obj)
        if path in written:  # one object registered twice: `pulumi up` would fail on it too
            raise ValueError(f"two resources create the same object {path}")
        written.add(path)
        (root / path).write_text(yaml.safe_dump(obj, sort_keys=True))
