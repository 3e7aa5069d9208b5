"""Validate rendered manifests against the pinned upstream schemas.

Core kinds: kubernetes-validate, strict, at the stack's Kubernetes version. Custom resources:
the CRDs' `openAPIV3Schema`, from the folder the version lock names for the group's pin, with
unknown fields rejected as a strict server would, and their CEL rules (`x-kubernetes-validations`)
evaluated on the defaulted object for the groups `cel.GROUPS` names.

Where the schemas come from: the folder `INFERFLEET_SCHEMAS` names (holding `crds/` and
`charts/`, laid out like the project's shared folder; CI and the tests point it there), else the
cache `python -m stacks schemas fetch` fills. Without them a custom resource is a validation
error naming that command; nothing is skipped silently.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

import jsonschema
import kubernetes_validate
import yaml

from components.core.versions import Pins

from . import cel
from .schemas import FETCH_COMMAND, default_cache

SCHEMAS_ENV = "INFERFLEET_SCHEMAS"
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
DNS_SUBDOMAIN = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
_METADATA = {
    "type": "object",
    "required": ["name"],
    "properties": {
        "name": {"type": "string", "maxLength": 253, "pattern": DNS_SUBDOMAIN},
        "namespace": {"type": "string", "maxLength": 63, "pattern": r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"},
        "labels": {"type": "object", "additionalProperties": {"type": "string", "maxLength": 63}},
        "annotations": {"type": "object", "additionalProperties": {"type": "string"}},
    },
    "additionalProperties": False,
}


def schemas_root() -> Path:
    """The folder holding `crds/` and `charts/`: the setting, else the download cache."""
    return Path(os.environ.get(SCHEMAS_ENV) or default_cache())


def _group(api_version: str) -> str:
    return api_version.split("/")[0] if "/" in api_version else ""


def is_custom(obj: dict[str, Any], pins: Pins) -> bool:
    return _group(obj["apiVersion"]) in pins.crd_folders()


def _strict(schema: Any) -> Any:
    """An OpenAPI v3 CRD schema as JSON Schema that rejects unknown fields and honours `nullable`."""
    if isinstance(schema, list):
        return [_strict(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: _strict(v) for k, v in schema.items() if not k.startswith("x-kubernetes-validations")}
    if isinstance(out.get("pattern"), str):
        out["pattern"] = _python_regex(out["pattern"])
    if out.get("nullable") and "type" in out:
        out["type"] = [out["type"], "null"]
    if out.get("x-kubernetes-int-or-string"):
        out.pop("type", None)
        out.setdefault("anyOf", [{"type": "integer"}, {"type": "string"}])
    if "properties" in out and "additionalProperties" not in out and not out.get("x-kubernetes-preserve-unknown-fields"):
        out["additionalProperties"] = False
    return out


_INLINE_FLAGS = re.compile(r"\(\?([aiLmsux]+)\)")


def _python_regex(pattern: str) -> str:
    """CRD patterns are Go (RE2) regexes, which allow `^(?i)...`; Python wants global flags first."""
    flags = "".join(_INLINE_FLAGS.findall(pattern))
    return f"(?{flags}){_INLINE_FLAGS.sub('', pattern)}" if flags else pattern


@lru_cache(maxsize=64)
def _crd_validators(folder: Path, group: str) -> dict[tuple[str, str], jsonschema.protocols.Validator]:
    """Validators by (version, kind) for one API group, from that group's pinned CRD folder."""
    validators = {}
    for path in sorted(folder.glob("*.yaml")):
        for doc in yaml.load_all(path.read_text(), Loader=_LOADER):
            if not isinstance(doc, dict) or doc.get("kind") != "CustomResourceDefinition" or doc["spec"]["group"] != group:
                continue
            spec = doc["spec"]
            for version in spec["versions"]:
                schema = _strict(version["schema"]["openAPIV3Schema"])
                schema.setdefault("properties", {})["metadata"] = _METADATA
                cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
                validators[(version["name"], spec["names"]["kind"])] = cls(schema)
    return validators


def validate_custom(obj: dict[str, Any], crds: Path, pins: Pins) -> list[str]:
    group, _, version = obj["apiVersion"].partition("/")
    folder = crds / pins.crd_folders()[group]
    if not folder.is_dir():
        return [f"no pinned CRD schemas at {folder}; run `{FETCH_COMMAND}` or point {SCHEMAS_ENV} at a copy"]
    validator = _crd_validators(folder, group).get((version, obj["kind"]))
    if validator is None:
        return [f"no CRD schema for {obj['apiVersion']} {obj['kind']} under {folder}"]
    return [
        f"{'.'.join(str(p) for p in e.absolute_path) or '(root)'}: {e.message}"
        for e in sorted(validator.iter_errors(obj), key=lambda e: list(map(str, e.absolute_path)))
    ] + cel.rule_errors(obj, folder)


def validate_core(obj: dict[str, Any], kubernetes_version: str) -> list[str]:
    try:
        kubernetes_validate.validate(obj, kubernetes_version, strict=True)
    except kubernetes_validate.ValidationError as e:
        return [f"{'.'.join(str(p) for p in e.absolute_path) or '(root)'}: {e.message}"]
    except kubernetes_validate.SchemaNotFoundError as e:
        return [str(e)]
    return []


@dataclass
class Report:
    kubernetes_version: str
    schema_dir: Path
    core: int = 0
    custom: int = 0
    charts: int = 0
    """Helm charts whose values were checked against their pinned defaults (`chart_values`)."""
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        lines = [
            f"Schema validation: {self.core} core objects (kubernetes-validate, strict, Kubernetes {self.kubernetes_version}), "
            f"{self.custom} custom resources (CRDs in {self.schema_dir}, CEL rules of {', '.join(cel.GROUPS)})"
            + (f", {self.charts} Helm charts' values (pinned chart defaults)" if self.charts else "")
            + ": "
            + ("all valid" if self.ok else f"{len(self.errors)} problem(s)")
        ]
        lines += [f"  {e}" for e in self.errors]
        return "\n".join(lines)


def object_id(obj: dict[str, Any]) -> str:
    meta = obj.get("metadata", {})
    where = f"{meta.get('namespace')}/" if meta.get("namespace") else ""
    return f"{obj['apiVersion']} {obj['kind']} {where}{meta.get('name')}"


def validate_all(objects: Iterable[dict[str, Any]], pins: Pins) -> Report:
    crds = schemas_root() / "crds"
    report = Report(pins.kubernetes, crds)
    for obj in objects:
        if is_custom(obj, pins):
            report.custom += 1
            problems = validate_custom(obj, crds, pins)
        else:
            report.core += 1
            problems = validate_core(obj, pins.kubernetes)
        report.errors += [f"{object_id(obj)}: {p}" for p in problems]
    return report
