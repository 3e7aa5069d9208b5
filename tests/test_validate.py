"""Manifest validation: core kinds with kubernetes-validate, custom resources with the pinned CRDs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from components.k8s import kueue, network
from components.versions import CRD_SCHEMA_FOLDERS
from stacks import validate

from .conftest import GKE, resolved

needs_schemas = pytest.mark.skipif(
    not validate.schema_dir().is_dir(), reason=f"no CRD schema folder at {validate.schema_dir()}; set {validate.SCHEMA_ENV}"
)


def flavor() -> dict:
    return kueue.resource_flavor(resolved(GKE).queueing.flavors[0])


@needs_schemas
def test_a_valid_custom_resource_passes() -> None:
    assert validate.validate_custom(flavor(), validate.schema_dir()) == []


@needs_schemas
def test_an_unknown_field_in_a_custom_resource_is_rejected() -> None:
    obj = flavor()
    obj["spec"]["nodeLabel"] = obj["spec"].pop("nodeLabels")
    errors = validate.validate_custom(obj, validate.schema_dir())
    assert errors == ["spec: Additional properties are not allowed ('nodeLabel' was unexpected)"]


@needs_schemas
def test_a_wrong_enum_in_a_custom_resource_is_rejected() -> None:
    queueing = resolved(GKE).queueing
    obj = kueue.cluster_queue(queueing, ["l4"])
    obj["spec"]["queueingStrategy"] = "FIFO"
    errors = validate.validate_custom(obj, validate.schema_dir())
    assert errors == ["spec.queueingStrategy: 'FIFO' is not one of ['StrictFIFO', 'BestEffortFIFO']"]


@needs_schemas
def test_an_api_version_the_pinned_crds_do_not_serve_is_rejected() -> None:
    obj = {**flavor(), "apiVersion": "kueue.x-k8s.io/v1alpha9"}
    assert validate.validate_custom(obj, validate.schema_dir()) == [
        f"no CRD schema for kueue.x-k8s.io/v1alpha9 ResourceFlavor under {validate.schema_dir() / CRD_SCHEMA_FOLDERS['kueue.x-k8s.io']}"
    ]


def test_core_kinds_are_checked_strictly() -> None:
    policy = network.default_deny("inference")
    assert validate.validate_core(policy, "1.34") == []
    policy["spec"]["policyType"] = ["Ingress"]
    assert validate.validate_core(policy, "1.34") == ["spec: Additional properties are not allowed ('policyType' was unexpected)"]


def test_a_schema_folder_without_the_crd_is_an_error_not_a_pass(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv(validate.SCHEMA_ENV, str(tmp_path))
    assert validate.schema_dir() == tmp_path
    report = validate.validate_all([flavor(), network.default_deny("inference")], "1.34")
    assert (report.core, report.custom, report.skipped) == (1, 1, 0)
    assert report.errors == [
        "kueue.x-k8s.io/v1beta2 ResourceFlavor l4: no CRD schema for kueue.x-k8s.io/v1beta2 ResourceFlavor under "
        f"{tmp_path / CRD_SCHEMA_FOLDERS['kueue.x-k8s.io']}"
    ]


@needs_schemas
def test_a_copied_schema_folder_is_used(tmp_path: Path, monkeypatch) -> None:
    folder = CRD_SCHEMA_FOLDERS["kueue.x-k8s.io"]
    shutil.copytree(validate.schema_dir() / folder, tmp_path / folder)
    monkeypatch.setenv(validate.SCHEMA_ENV, str(tmp_path))
    report = validate.validate_all([flavor()], "1.34")
    assert (report.custom, report.errors) == (1, [])


def test_missing_schema_folder_skips_custom_resources_with_a_clear_message(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv(validate.SCHEMA_ENV, str(tmp_path / "absent"))
    report = validate.validate_all([flavor()], "1.34")
    assert (report.custom, report.skipped) == (0, 1)
    assert f"1 custom resources NOT validated: no schema folder at {tmp_path / 'absent'}" in report.summary()
    assert validate.SCHEMA_ENV in report.summary()


@pytest.mark.parametrize(
    ("go", "python"),
    [("^(?i)[a-z]+$", "(?i)^[a-z]+$"), ("^[a-z]+$", "^[a-z]+$"), ("^(?i)a(?s).b$", "(?is)^a.b$")],
)
def test_go_inline_flags_move_to_the_front_for_python(go: str, python: str) -> None:
    assert validate._python_regex(go) == python
