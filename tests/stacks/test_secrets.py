"""Secrets stay Pulumi secrets from config to every resource input; plaintext never appears."""

from __future__ import annotations

import json
import typing
from typing import Any, Iterator

import pytest
from pulumi.runtime import rpc
from pydantic import BaseModel, SecretStr, ValidationError

from components.cloud.spec import NodePool
from components.core.problems import ConfigError
from stacks.plan.cli import main
from stacks.schema import SECRET_KEYS, StackSpec

from stacks.plan import engine as plan
from stacks.plan import render as output

from ..conftest import EXISTING, GKE, config, write_stack

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


PLAINTEXT_SPELLINGS = [
    ("hfToken", "must be stored as a secret; set it with: pulumi config set --secret inferfleet:hfToken <value>"),
    ("hf_token", "is a secret in plaintext, under another spelling of hfToken; remove it and set it with: "
     "pulumi config set --secret inferfleet:hfToken <value>"),
    ("HF-TOKEN", "is a secret in plaintext, under another spelling of hfToken; remove it and set it with: "
     "pulumi config set --secret inferfleet:hfToken <value>"),
    ("grafana_admin_password", "is a secret in plaintext, under another spelling of grafanaAdminPassword; remove it "
     "and set it with: pulumi config set --secret inferfleet:grafanaAdminPassword <value>"),
    ("kube_config", "is a secret in plaintext, under another spelling of kubeconfig; remove it and set it with: "
     "pulumi config set --secret inferfleet:kubeconfig <value>"),
]


@pytest.mark.parametrize(("key", "message"), PLAINTEXT_SPELLINGS, ids=[k for k, _ in PLAINTEXT_SPELLINGS])
def test_a_plaintext_secret_under_any_spelling_exits_2(tmp_path, capsys, key: str, message: str) -> None:
    status = main(["plan", str(write_stack(tmp_path, config(GKE, **{key: HF_TOKEN})))])
    err = capsys.readouterr().err
    assert status == 2
    assert err.splitlines()[1:] == [f"inferfleet:{key}: {message}"]
    assert HF_TOKEN not in err


@pytest.mark.parametrize("key", ["hf_token", "hfToken"])
def test_pulumi_up_reads_config_through_the_same_guard(key: str) -> None:
    """`pulumi up` hands the program config through the runtime; a plaintext secret stops there too."""
    with pytest.raises(ConfigError) as e:
        plan.run_config("inferfleet", "test", as_pulumi_config(config(GKE, **{key: HF_TOKEN})), [])
    assert [p.path for p in e.value.problems] == [key]


def test_a_secret_under_another_spelling_is_an_unknown_key() -> None:
    """Stored as a secret but misspelt: not read at all, so a typo, with the key it should be."""
    with pytest.raises(ConfigError) as e:
        plan.run_config("inferfleet", "test", as_pulumi_config(config(GKE, hf_token=HF_TOKEN)), ["inferfleet:hf_token"])
    assert [p.line() for p in e.value.problems] == [
        "inferfleet:hf_token: unknown key; did you mean 'hfToken'? valid keys: environment, cluster, nodePools, models, "
        "scheduling, monitoring, versions, hfToken, kubeconfig, grafanaAdminPassword"
    ]


def _models(annotation: Any) -> Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
    for arg in typing.get_args(annotation):
        yield from _models(arg)


def _holds_secret(annotation: Any) -> bool:
    return annotation is SecretStr or any(_holds_secret(a) for a in typing.get_args(annotation))


def test_the_schema_has_no_other_way_in_for_a_secret() -> None:
    """Walk every model the stack schema reaches: secrets are top-level SecretStr fields, each in SECRET_KEYS
    (which the guard checks), and no model accepts a key by its Python name, so each has one spelling."""
    seen: set[type[BaseModel]] = set()
    todo = [StackSpec]
    secret_paths = []
    while todo:
        model = todo.pop()
        if model in seen:
            continue
        seen.add(model)
        assert model.model_config.get("validate_by_name") is False, model
        assert model.model_config.get("validate_by_alias") is True, model
        for name, field in model.model_fields.items():
            if _holds_secret(field.annotation):
                secret_paths.append((model, field.alias or name))
            todo.extend(_models(field.annotation))
    assert len(seen) > 15, "the walk reaches every layer's spec"
    assert secret_paths == [(StackSpec, key) for key in SECRET_KEYS]
    for key in SECRET_KEYS:
        name = next(n for n, f in StackSpec.model_fields.items() if f.alias == key)
        if name != key:  # the Python name is refused, so the guard on the alias sees every spelling that is read
            with pytest.raises(ValidationError, match="extra_forbidden"):
                StackSpec.model_validate({**GKE, name: "x"})


def test_python_code_builds_specs_by_field_name_when_it_says_so() -> None:
    pool = NodePool.model_validate({"gpu": "L4", "gpus_per_node": 2, "nodes": {"max": 1}}, by_name=True)
    assert pool.gpus_per_node == 2
    with pytest.raises(ValidationError, match="extra_forbidden"):
        NodePool.model_validate({"gpu": "L4", "gpus_per_node": 2, "nodes": {"max": 1}})
