"""Validate rendered manifests against the pinned upstream schemas.

Core kinds: kubernetes-validate, strict, at the stack's Kubernetes version. Custom resources:
the CRDs' `openAPIV3Schema` from the schema folder (`INFERFLEET_SCHEMA_DIR`, default
`../shared/crds`), with unknown fields rejected as a strict server would. CEL rules
(`x-kubernetes-validations`) are not evaluated.
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

from components.versions import CRD_SCHEMA_FOLDERS

SCHEMA_ENV = "INFERFLEET_SCHEMA_DIR"
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
DEFAULT_SCHEMA_DIR = Path(__file__).resolve().parent.parent.parent / "shared" / "crds"
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


def schema_dir() -> Path:
    return Path(os.environ.get(SCHEMA_ENV) or DEFAULT_SCHEMA_DIR)


def _group(api_version: str) -> str:
    return api_version.split("/")[0] if "/" in api_version else ""


def is_custom(obj: dict[str, Any]) -> bool:
    return _group(obj["apiVersion"]) in CRD_SCHEMA_FOLDERS


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


@lru_cache(maxsize=32)
def _crd_validators(root: Path, group: str) -> dict[tuple[str, str], jsonschema.protocols.Validator]:
    """Validators by (version, kind) for one API group, from that group's pinned CRD folder."""
    validators = {}
    for path in sorted((root / CRD_SCHEMA_FOLDERS[group]).glob("*.yaml")):
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


def validate_custom(obj: dict[str, Any], root: Path) -> list[str]:
    group, _, version = obj["apiVersion"].partition("/")
    validator = _crd_validators(root, group).get((version, obj["kind"]))
    if validator is None:
        return [f"no CRD schema for {obj['apiVersion']} {obj['kind']} under {root / CRD_SCHEMA_FOLDERS[group]}"]
    return [
        f"{'.'.join(str(p) for p in e.absolute_path) or '(root)'}: {e.message}"
        for e in sorted(validator.iter_errors(obj), key=lambda e: list(map(str, e.absolute_path)))
    ]


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
    skipped: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        lines = [
            f"Schema validation: {self.core} core objects (kubernetes-validate, strict, Kubernetes {self.kubernetes_version}), "
            f"{self.custom} custom resources (CRDs in {self.schema_dir}): "
            + ("all valid" if self.ok else f"{len(self.errors)} problem(s)")
        ]
        if self.skipped:
            lines.append(
                f"  {self.skipped} custom resources NOT validated: no schema folder at {self.schema_dir} "
                f"(point {SCHEMA_ENV} at a copy of the pinned CRDs)"
            )
        lines += [f"  {e}" for e in self.errors]
        return "\n".join(lines)


def object_id(obj: dict[str, Any]) -> str:
    meta = obj.get("metadata", {})
    where = f"{meta.get('namespace')}/" if meta.get("namespace") else ""
    return f"{obj['apiVersion']} {obj['kind']} {where}{meta.get('name')}"


def validate_all(objects: Iterable[dict[str, Any]], kubernetes_version: str) -> Report:
    root = schema_dir()
    report = Report(kubernetes_version, root)
    for obj in objects:
        if is_custom(obj):
            if not root.is_dir():
                report.skipped += 1
                continue
            report.custom += 1
            problems = validate_custom(obj, root)
        else:
            report.core += 1
            problems = validate_core(obj, kubernetes_version)
        report.errors += [f"{object_id(obj)}: {p}" for p in problems]
    return report
