"""Rendering a plan: plan.json and one YAML file per Kubernetes object, as `renderYamlToDirectory` lays them out."""

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


def manifest_path(obj: dict[str, Any]) -> str:
    """Where pulumi-kubernetes' renderYamlToDirectory puts an object: 0-crd/ or 1-manifest/."""
    meta = obj.get("metadata", {})
    api = obj["apiVersion"].replace("/", "_").replace(":", "_")
    name = f"{api}-{obj['kind'].lower()}-{meta.get('namespace') or 'default'}-{meta['name']}.yaml"
    folder = "0-crd" if obj["kind"] == "CustomResourceDefinition" else "1-manifest"
    return f"{folder}/{name}"


def write(plan: Plan, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "plan.json").write_text(json.dumps(plan.to_json(), indent=2, sort_keys=True) + "\n")
    root = out / "manifests"
    for folder in ("0-crd", "1-manifest"):
        (root / folder).mkdir(parents=True, exist_ok=True)
        for stale in (root / folder).glob("*.yaml"):
            stale.unlink()
    for obj in manifests(plan):
        (root / manifest_path(obj)).write_text(yaml.safe_dump(obj, sort_keys=True))
