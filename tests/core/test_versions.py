"""The version lock: schema folders follow the pins, and every clock follows one load budget."""

from __future__ import annotations

from dataclasses import fields, replace

from components.core.budget import DEFAULT_BUDGET, StartupBudget
from components.core.versions import DEFAULT_PINS, Pins, pin_fields

from ..conftest import SHARED


def test_crd_folders_follow_the_pins() -> None:
    assert DEFAULT_PINS.crd_folders()["kueue.x-k8s.io"] == "kueue-v0.19.2"
    moved = replace(DEFAULT_PINS, kueue="0.20.1", karpenter="1.15.0")
    assert moved.crd_folders()["kueue.x-k8s.io"] == "kueue-v0.20.1"
    assert moved.crd_folders()["karpenter.k8s.aws"] == moved.crd_folders()["karpenter.sh"] == "karpenter-v1.15.0"


def test_every_default_folder_is_a_pinned_schema_folder_or_chart() -> None:
    """The default pins name folders that exist in the shared copy of the pinned upstream files."""
    crds = {p.name for p in (SHARED / "crds").iterdir()}
    assert set(DEFAULT_PINS.crd_folders().values()) <= crds
    charts = {p.name for p in (SHARED / "charts").iterdir()}
    assert {c.values_folder for c in DEFAULT_PINS.charts().all()} <= charts


def test_every_pin_is_documented_and_overridable() -> None:
    docs = pin_fields()
    assert set(docs) == {f.name for f in fields(Pins)}
    assert all(doc for doc, _ in docs.values())


def test_the_clocks_that_wait_for_a_model_are_ordered() -> None:
    for budget in (DEFAULT_BUDGET, StartupBudget(load_seconds=7200), StartupBudget(load_seconds=95, probe_period_seconds=10)):
        assert budget.probe_seconds >= budget.load_seconds
        assert budget.wait_seconds >= budget.progress_deadline_seconds >= budget.probe_seconds
        assert int(budget.wait.removesuffix("m")) * 60 >= budget.wait_seconds
    assert (DEFAULT_BUDGET.probe_failures, DEFAULT_BUDGET.progress_deadline_seconds, DEFAULT_BUDGET.wait) == (120, 4200, "75m")
