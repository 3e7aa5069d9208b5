"""Secrets stay Pulumi secrets from config to every resource input; plaintext never appears."""

from __future__ import annotations

import json
from typing import Any, Iterator

from pulumi.runtime import rpc

from stacks.plan import engine as plan
from stacks.plan import render as output

from ..conftest import EXISTING, GKE, config

HF_TOKEN = "hf_PLAINTEXT_token_4f1c9e"
KUBECONFIG = "apiVersion: v1\nkind: Config\nclusters: []\n# PLAINTEXT_kubeconfig_77ab\n"
GRAFANA = "PLAINTEXT_grafana_pw_9d2"
LLAMA = {"llama": {"model": "meta-llama/Llama-3.1-8B-Instruct", "pool": "l4"}}


def as_pulumi_config(values: dict[str, Any]) -> dict[str, str]:
    """Config the way `pulumi up` hands it to the program, secrets already decrypted."""
    return {f"inferfleet:{k}": v if isinstance(v, str) else json.dumps(v) for k, v in values.items()}


def plaintext_outside_secrets(value: Any, needle: str, inside_secret: bool = False) -> Iterator[str]:
    """Every place the needle appears that is not wrapped as a secret."""
    if rpc.is_rpc_secret(value):
        yield from plaintext_outside_secrets(value["value"], needle, True)
    elif isinstance(value, dict):
        for v in value.values():
            yield from plaintext_outside_secrets(v, needle, inside_secret)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from plaintext_outside_secrets(v, needle, inside_secret)
    elif isinstance(value, str) and needle in value and not inside_secret:
        yield value


def run_with(values: dict[str, Any], secret_keys: list[str]) -> plan.Plan:
    return plan.run_config("inferfleet", "test", as_pulumi_config(values), [f"inferfleet:{k}" for k in secret_keys])


def test_hf_token_reaches_the_secret_only_as_a_pulumi_secret() -> None:
    result = run_with(config(GKE, models=LLAMA, hfToken=HF_TOKEN), ["hfToken"])
    secrets = [r for r in result.resources if r.type == "kubernetes:core/v1:Secret"]
    assert len(secrets) == 1, "one token Secret in the model namespace"
    assert rpc.is_rpc_secret(secrets[0].inputs["stringData"])
    assert secrets[0].inputs["stringData"]["value"] == {"token": HF_TOKEN}, "the cluster still gets the real token"
    for r in result.resources:
        assert list(plaintext_outside_secrets(r.inputs, HF_TOKEN)) == [], r.urn
    rendered = json.dumps(result.to_json()) + json.dumps(output.manifests(result))
    assert HF_TOKEN not in rendered


def test_kubeconfig_and_grafana_password_stay_secret() -> None:
    values = config(EXISTING, kubeconfig=KUBECONFIG, grafanaAdminPassword=GRAFANA, monitoring={"grafana": True})
    result = run_with(values, ["kubeconfig", "grafanaAdminPassword"])
    for r in result.resources:
        assert list(plaintext_outside_secrets(r.inputs, "PLAINTEXT_kubeconfig")) == [], r.urn
        assert list(plaintext_outside_secrets(r.inputs, GRAFANA)) == [], r.urn
    rendered = json.dumps(result.to_json())
    assert "PLAINTEXT_kubeconfig" not in rendered and GRAFANA not in rendered
    provider = next(r for r in result.resources if r.type == "pulumi:providers:kubernetes")
    assert rpc.is_rpc_secret(provider.inputs["kubeconfig"])


def test_generated_kubeconfig_is_secret(plan_of) -> None:
    provider = next(r for r in plan_of(GKE).resources if r.type == "pulumi:providers:kubernetes")
    assert rpc.is_rpc_secret(provider.inputs["kubeconfig"])
    assert "gke-gcloud-auth-plugin" in provider.inputs["kubeconfig"]["value"], "credentials come from the CLI, not state"
