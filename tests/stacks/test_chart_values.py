"""Helm values are checked against the pinned chart defaults: an unread key fails the plan."""

from __future__ import annotations

import shutil
from pathlib import Path

from components.core.versions import DEFAULT_PINS, HelmChart
from components.gpu import operator
from components.platform import gpu_args
from stacks.plan import chart_values, validate
from stacks.plan.cli import main

from ..conftest import GKE, resolved

CHARTS = DEFAULT_PINS.charts()


def root() -> Path:
    return validate.schemas_root() / "charts"


def gke_operator_values() -> dict:
    return operator.chart_values(gpu_args(resolved(GKE)))


def test_every_pinned_chart_has_pinned_defaults() -> None:
    for pinned in CHARTS.all():
        assert chart_values.load_defaults(root() / pinned.values_folder) is not None, pinned


def test_the_gpu_operator_values_pass() -> None:
    assert chart_values.check_chart(CHARTS.gpu_operator, gke_operator_values(), root()) == []


def test_a_key_the_chart_no_longer_has_fails_with_its_path() -> None:
    # gpu-operator@v26.7.0 api/nvidia/v1/clusterpolicy_types.go:1967-1973: cdi.default is no longer used.
    values = gke_operator_values()
    values["cdi"]["default"] = True
    assert chart_values.check_chart(CHARTS.gpu_operator, values, root()) == [
        "'cdi.default' is not a value of this chart; valid here: enabled, nriPluginEnabled"
    ]


def test_subchart_values_nest_under_the_subchart_name() -> None:
    ok = {"node-feature-discovery": {"worker": {"tolerations": [{"key": "a", "operator": "Exists"}], "enable": True}}}
    assert chart_values.check_chart(CHARTS.gpu_operator, ok, root()) == []
    bad = {"node-feature-discovery": {"worker": {"bogus": 1}}}
    [problem] = chart_values.check_chart(CHARTS.gpu_operator, bad, root())
    assert problem.startswith("'node-feature-discovery.worker.bogus' is not a value of this chart; valid here: ")


def test_a_subchart_alias_names_its_values() -> None:
    pool = HelmChart("oci://registry.k8s.io/gateway-api-inference-extension/charts/inferencepool", "v1.5.0")
    assert chart_values.check_chart(pool, {"inferenceExtension": {"replicas": 2, "extProcPort": 9002}}, root()) == []
    [problem] = chart_values.check_chart(pool, {"inferenceExtension": {"replica": 2}}, root())
    assert problem.startswith("'inferenceExtension.replica' is not a value of this chart")


def test_keys_under_an_empty_default_are_free_form() -> None:
    values = {"operator": {"resources": {"limits": {"cpu": "1"}}}, "daemonsets": {"tolerations": [{"key": "x"}]}}
    assert chart_values.check_chart(CHARTS.gpu_operator, values, root()) == []


def test_a_chart_without_pinned_defaults_fails(tmp_path: Path) -> None:
    assert chart_values.check_chart(CHARTS.kueue, {}, tmp_path) == [
        f"no pinned default values in {tmp_path / 'kueue-0.19.2'}; run `python -m stacks schemas fetch` "
        "or point INFERFLEET_SCHEMAS at a copy"
    ]


def test_values_for_a_subchart_without_pinned_defaults_fail() -> None:
    # kube-prometheus-stack 88.5.3 Chart.yaml depends on prometheus-windows-exporter; its values are not pinned.
    values = {"prometheus-windows-exporter": {"releaseLabel": True}}
    assert chart_values.check_chart(CHARTS.kube_prometheus_stack, values, root()) == [
        f"'prometheus-windows-exporter' configures the subchart prometheus-windows-exporter, whose default values are "
        f"not pinned in {root() / 'kube-prometheus-stack-88.5.3/charts/prometheus-windows-exporter'}; "
        "pin them (run `python -m stacks schemas fetch`) or drop these values"
    ]


CERT_MANAGER = HelmChart("cert-manager", "v1.21.1", "https://charts.jetstack.io")


def test_the_values_schema_checks_what_the_defaults_cannot() -> None:
    # podDisruptionBudget.minAvailable is commented out in values.yaml but declared in values.schema.json.
    assert chart_values.check_chart(CERT_MANAGER, {"podDisruptionBudget": {"enabled": True, "minAvailable": 1}}, root()) == []
    assert chart_values.check_chart(CERT_MANAGER, {"replicaCount": "two"}, root()) == [
        "'replicaCount': 'two' is not of type 'number' (values.schema.json)"
    ]


def test_a_key_the_schema_forbids_fails_twice_over() -> None:
    problems = chart_values.check_chart(CERT_MANAGER, {"crds": {"enabled": True, "keeep": True}}, root())
    assert problems[0] == "'crds.keeep' is not a value of this chart; valid here: enabled, keep"
    assert problems[1:] == ["'crds': Additional properties are not allowed ('keeep' was unexpected) (values.schema.json)"]


def test_a_planted_unknown_key_fails_the_plan(monkeypatch, capsys) -> None:
    real = operator.chart_values

    def planted(args):
        values = real(args)
        values["migManager"]["confg"] = {"name": "x"}
        return values

    monkeypatch.setattr(operator, "chart_values", planted)
    assert main(["plan", "dev"]) == 1
    out = capsys.readouterr().out
    assert "helm values for gpu-operator (gpu-operator@v26.7.0): 'migManager.confg' is not a value of this chart; valid here: " in out


def test_a_missing_defaults_folder_fails_the_plan(tmp_path: Path, monkeypatch, capsys) -> None:
    copy = tmp_path / "schemas"
    copy.mkdir()
    (copy / "crds").symlink_to(validate.schemas_root() / "crds")
    shutil.copytree(root(), copy / "charts", ignore=shutil.ignore_patterns("kueue-*"))
    monkeypatch.setenv(validate.SCHEMAS_ENV, str(copy))
    assert main(["plan", "dev"]) == 1
    assert f"helm values for kueue (oci://registry.k8s.io/kueue/charts/kueue@0.19.2): no pinned default values in {copy / 'charts/kueue-0.19.2'}" in capsys.readouterr().out
