"""Resolve a validated stack: run each layer's resolver in layer order and collect every problem.

Pure Python, no Pulumi. A layer's resolver reads its own spec and the values of the layers below;
the problems of all layers are raised together as one `ConfigError`, so a user sees every line
at once. What only the program knows (secrets present, environment rules) is checked here.
"""

from __future__ import annotations

from components.cloud import resolve as cloud
from components.core.problems import Problems
from components.core.versions import pins_with
from components.gpu import resolve as gpu
from components.monitoring import resolve as monitoring
from components.platform import PlatformValues
from components.scheduling import resolve as scheduling
from components.serving import resolve as serving

from .rules import environment_problems
from .schema import StackSpec

__all__ = ["resolve"]


def resolve(spec: StackSpec, *, project: str, stack: str) -> PlatformValues:
    problems = Problems()
    production = spec.environment == "production"
    protect = production if spec.cluster.provider == "existing" or spec.cluster.protect is None else spec.cluster.protect
    pins = pins_with(spec.versions.model_dump(exclude_none=True))
    _check_secrets(spec, problems)

    clouds = cloud.resolve(
        spec.cluster,
        spec.node_pools,
        problems,
        default_name=f"{project}-{stack}",
        kubernetes_version=pins.kubernetes,
        protect=protect,
        autoscaler_image=pins.cluster_autoscaler_image,
    )
    gpus = gpu.resolve(clouds.cluster, clouds.pools, problems)
    queueing = scheduling.resolve(
        spec.scheduling,
        clouds.pools,
        gpus,
        clouds.cluster.provider,
        problems,
        model_namespaces=[m.namespace for m in spec.models.values()],
        reserved_namespaces=[spec.monitoring.namespace],
        pool_names=spec.node_pools,
    )
    served = serving.resolve(
        spec.models,
        {p.name: p for p in clouds.pools},
        gpus,
        pins,
        problems,
        pool_names=spec.node_pools,
        reserved_namespaces=[spec.monitoring.namespace],
        has_hf_token=spec.hf_token is not None,
        cloud=spec.cluster.provider,
        cluster=clouds.cluster,
    )
    scheduling.check_models(
        queueing,
        {p.name: p for p in clouds.pools},
        [scheduling.ModelDemand(m.name, m.namespace, m.pool, m.tensor_parallel, m.replicas) for m in served.models],
        problems,
    )
    problems.extend(environment_problems(spec))
    problems.raise_if_any()
    return PlatformValues(
        name=f"{project}-{stack}",
        production=production,
        protect=protect,
        cluster=clouds.cluster,
        pools=clouds.pools,
        gpu=gpus,
        queueing=queueing,
        serving=served,
        monitoring=monitoring.resolve(spec.monitoring),
        pins=pins,
        budget=served.budget,
    )


def _check_secrets(spec: StackSpec, problems: Problems) -> None:
    """Each secret is needed exactly where the stack says so."""
    existing = spec.cluster.provider == "existing"
    if spec.kubeconfig is not None and not existing:
        problems.add("kubeconfig", f"only used with cluster.provider: existing, not {spec.cluster.provider}; remove it")
    if existing and spec.kubeconfig is None:
        problems.add(
            "kubeconfig",
            "required with cluster.provider: existing; set it with: pulumi config set --secret inferfleet:kubeconfig < ~/.kube/config",
        )
    if spec.monitoring.grafana and spec.grafana_admin_password is None:
        problems.add(
            "monitoring.grafana",
            "Grafana needs an admin password; set it with: pulumi config set --secret inferfleet:grafanaAdminPassword <password>",
        )
