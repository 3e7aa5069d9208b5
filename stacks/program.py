"""The Pulumi program: load the stack, resolve it, register the platform, export outputs.

`__main__.py` runs it under `pulumi up`; the offline plan runs the same `build` under mocks.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
from pydantic import SecretStr

from components.cloud.spec import EksClusterSpec, ExistingClusterSpec
from components.cloud.values import EksCluster, GkeCluster
from components.core.problems import ConfigError, Problem
from components.platform import PlatformValues

from .load import from_pulumi_runtime, parse
from .resolve import resolve
from .schema import StackSpec


@dataclass(frozen=True)
class LoadedStack:
    spec: StackSpec
    platform: PlatformValues


def load(project: str, stack: str) -> LoadedStack:
    """The current stack's config, validated and resolved; raises ConfigError listing every problem."""
    spec = parse(from_pulumi_runtime())
    return LoadedStack(spec, resolve(spec, project=project, stack=stack))


def preflight(loaded: LoadedStack, *, offline: bool, forced: bool = False) -> tuple[list[Problem], list[str]]:
    """Ask the cloud whether it can give the pools what they need: (problems that stop, warnings).

    `pulumi up` and `preview` always ask (unless the stack says `mode: off`). The offline plan asks
    AWS only when told to, by `preflight.inPlan` or `--preflight`, because that needs credentials;
    it cannot ask GCP, whose checks are pulumi-gcp data sources that only a real engine answers.
    """
    cluster, spec = loaded.platform.cluster, loaded.spec.cluster
    if isinstance(spec, ExistingClusterSpec) or spec.preflight.mode == "off":
        return [], []
    if isinstance(cluster, EksCluster) and isinstance(spec, EksClusterSpec):
        if offline and not (spec.preflight.in_plan or forced):
            return [], ["EKS preflight skipped: the offline plan calls AWS only with --preflight or cluster.preflight.inPlan: true"]
        from components.cloud import eks_preflight

        findings = eks_preflight.run(cluster, loaded.platform.pools)
    elif isinstance(cluster, GkeCluster):
        if offline:
            return [], ["GKE preflight skipped: it reads pulumi-gcp data sources, which run in pulumi preview and up only"]
        from components.cloud import gke_preflight

        findings = gke_preflight.check_gke(cluster, loaded.platform.pools)
    else:
        return [], []
    if spec.preflight.mode == "warn":
        return [], [p.line() for p in findings]
    return list(findings), []


def _secret(value: SecretStr | None) -> pulumi.Output[str] | None:
    return pulumi.Output.secret(value.get_secret_value()) if value is not None else None


def build(loaded: LoadedStack) -> None:
    from components.platform import InferencePlatform, PlatformArgs, Secrets

    spec, platform = loaded.spec, loaded.platform
    secrets = Secrets(
        hf_token=_secret(spec.hf_token),
        kubeconfig=_secret(spec.kubeconfig),
        grafana_admin_password=_secret(spec.grafana_admin_password),
    )
    deployed = InferencePlatform(platform.name, PlatformArgs(platform, secrets))
    pulumi.export("clusterName", deployed.cluster.name)
    pulumi.export("endpoint", deployed.cluster.endpoint)
    pulumi.export("kubeconfig", deployed.cluster.kubeconfig)
    pulumi.export(
        "gpuPools", {p.name: {"gpu": p.gpu, "gpusPerNode": p.gpus_per_node, "maxGpus": p.max_gpus} for p in platform.pools}
    )
    pulumi.export(
        "models", {m.name: {"namespace": m.namespace, "pool": m.pool, "model": m.model_id} for m in platform.serving.models}
    )


def main() -> None:
    """Entry point for `pulumi up`: a bad config stops here, before any resource, without a traceback."""
    try:
        loaded = load(pulumi.get_project(), pulumi.get_stack())
        problems, warnings = preflight(loaded, offline=False)
        if problems:
            raise ConfigError(problems)
    except ConfigError as e:
        raise pulumi.RunError(f"invalid stack configuration:\n{e.report()}") from None
    for warning in warnings:
        pulumi.log.warn(warning)
    build(loaded)
