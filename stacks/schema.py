"""The typed stack: the layers' specs composed under the config keys of `Pulumi.<stack>.yaml`.

Keys are camelCase as written in the stack file; unknown keys are errors. Each layer's spec
checks shape, types and ranges; `stacks.resolve` checks what needs the catalogs or several keys.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, SecretStr, create_model

from components.cloud.spec import ClusterSpec, NodePool
from components.core.spec import Name, SpecModel
from components.core.versions import pin_fields
from components.monitoring.spec import MonitoringSpec
from components.scheduling.spec import SchedulingSpec
from components.serving.spec import ModelSpec

def _pin_type(check: Any) -> Any:
    return Annotated[str, AfterValidator(check)] if check else str


Versions = create_model(  # type: ignore[call-overload]
    "Versions",
    __base__=SpecModel,
    **{name: (_pin_type(check) | None, Field(None, description=doc)) for name, (doc, check) in pin_fields().items()},
)
"""`inferfleet:versions`: any pin of `components.core.versions.Pins`, by its camelCase name."""


class StackSpec(SpecModel):
    """Everything under `inferfleet:` in a stack file."""

    environment: Literal["development", "staging", "production"] = Field(
        "development", description="development, staging or production (production adds rules)."
    )
    cluster: ClusterSpec = Field(..., description="The cluster: provider gke, eks or existing, and its settings.")
    node_pools: dict[Name, NodePool] = Field(..., min_length=1, description="GPU node pools by name.")
    models: dict[Name, ModelSpec] = Field(default_factory=dict, description="vLLM model services by name.")
    scheduling: SchedulingSpec = Field(SchedulingSpec(), description="Kueue queues, their shares of the pools, and priorities.")
    monitoring: MonitoringSpec = Field(MonitoringSpec(), description="Prometheus monitoring.")
    versions: Versions = Field(Versions(), description="Overrides of the pinned versions, e.g. {vllm: v0.33.0}.")
    hf_token: SecretStr | None = Field(None, description="Hugging Face token (a secret) for gated models.")
    kubeconfig: SecretStr | None = Field(None, description="Kubeconfig (a secret) for provider: existing.")
    grafana_admin_password: SecretStr | None = Field(None, description="Grafana admin password (a secret).")


SECRET_KEYS = tuple(f.alias or n for n, f in StackSpec.model_fields.items() if f.annotation == SecretStr | None)
"""Top-level keys that must be stored as Pulumi secrets: every SecretStr field (a test proves none hides deeper)."""
