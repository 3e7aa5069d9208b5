"""Manifest validation: core kinds with kubernetes-validate, custom resources with the pinned CRDs."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from components.core.versions import DEFAULT_PINS
from components.network import policies
from components.scheduling import kueue
from stacks.plan import validate
from stacks.plan.schemas import FETCH_COMMAND

from ..conftest import GKE, resolved

KUEUE_FOLDER = DEFAULT_PINS.crd_folders()["kueue.x-k8s.io"]


def flavor() -> dict:
    return kueue.resource_flavor(resolved(GKE).queueing.flavors[0])


def crds() -> Path:
    return validate.schemas_root() / "crds"


def test_a_valid_custom_resource_passes() -> None:
    assert validate.validate_custom(flavor(), crds(), DEFAULT_PINS) == []


def test_an_unknown_field_in_a_custom_resource_is_rejected() -> None:
    obj = flavor()
    obj["spec"]["nodeLabel"] = obj["spec"].pop("nodeLabels")
    errors = validate.validate_custom(obj, crds(), DEFAULT_PINS)
    assert errors == ["spec: Additional properties are not allowed ('nodeLabel' was unexpected)"]


def test_a_wrong_enum_in_a_custom_resource_is_rejected() -> None:
    queueing = resolved(GKE).queueing
    obj = kueue.cluster_queue(queueing.queue("serving"), queueing.flavors, {"l4": "l4"})
    obj["spec"]["queueingStrategy"] = "FIFO"
    errors = validate.validate_custom(obj, crds(), DEFAULT_PINS)
    assert errors == ["spec.queueingStrategy: 'FIFO' is not one of ['StrictFIFO', 'BestEffortFIFO']"]


def test_an_api_version_the_pinned_crds_do_not_serve_is_rejected() -> None:
    obj = {**flavor(), "apiVersion": "kueue.x-k8s.io/v1alpha9"}
    assert validate.validate_custom(obj, crds(), DEFAULT_PINS) == [
        f"no CRD schema for kueue.x-k8s.io/v1alpha9 ResourceFlavor under {crds() / KUEUE_FOLDER}"
    ]


def test_core_kinds_are_checked_strictly() -> None:
    policy = policies.default_deny("inference")
    assert validate.validate_core(policy, "1.34") == []
    policy["spec"]["policyType"] = ["Ingress"]
    assert validate.validate_core(policy, "1.34") == ["spec: Additional properties are not allowed ('policyType' was unexpected)"]


def test_a_folder_without_the_crd_is_an_error_not_a_pass(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "crds" / KUEUE_FOLDER).mkdir(parents=True)
    monkeypatch.setenv(validate.SCHEMAS_ENV, str(tmp_path))
    report = validate.validate_all([flavor(), policies.default_deny("inference")], DEFAULT_PINS)
    assert (report.core, report.custom) == (1, 1)
    assert report.errors == [
        "kueue.x-k8s.io/v1beta2 ResourceFlavor l4: no CRD schema for kueue.x-k8s.io/v1beta2 ResourceFlavor under "
        f"{tmp_path / 'crds' / KUEUE_FOLDER}"
    ]


def test_a_copied_schema_folder_is_used(tmp_path: Path, monkeypatch) -> None:
    shutil.copytree(crds() / KUEUE_FOLDER, tmp_path / "crds" / KUEUE_FOLDER)
    monkeypatch.setenv(validate.SCHEMAS_ENV, str(tmp_path))
    report = validate.validate_all([flavor()], DEFAULT_PINS)
    assert (report.custom, report.errors) == (1, [])


def test_without_schemas_a_custom_resource_fails_naming_the_fetch_command(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv(validate.SCHEMAS_ENV, str(tmp_path / "absent"))
    report = validate.validate_all([flavor()], DEFAULT_PINS)
    assert not report.ok
    assert report.errors == [
        f"kueue.x-k8s.io/v1beta2 ResourceFlavor l4: no pinned CRD schemas at {tmp_path / 'absent' / 'crds' / KUEUE_FOLDER}; "
        f"run `{FETCH_COMMAND}` or point {validate.SCHEMAS_ENV} at a copy"
    ]


def test_an_overridden_pin_validates_against_the_schemas_of_that_version(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv(validate.SCHEMAS_ENV, str(tmp_path))
    report = validate.validate_all([flavor()], replace(DEFAULT_PINS, kueue="0.20.0"))
    assert report.errors[0].startswith(f"kueue.x-k8s.io/v1beta2 ResourceFlavor l4: no pinned CRD schemas at {tmp_path / 'crds' / 'kueue-v0.20.0'}")


@pytest.mark.parametrize(
    ("go", "python"),
    [("^(?i)[a-z]+$", "(?i)^[a-z]+$"), ("^[a-z]+$", "^[a-z]+$"), ("^(?i)a(?s).b$", "(?is)^a.b$")],
)
def test_go_inline_flags_move_to_the_front_for_python(go: str, python: str) -> None:
    assert validate._python_regex(go) == python
