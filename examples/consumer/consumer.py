"""An example consumer: a Pulumi project of its own that uses inferfleet as a library.

It installs the package (`pip install git+https://…/inferfleet` or a path) and uses, on two
clusters it already has (the secrets `queuesKubeconfig` and `kubeconfig`):
- one layer on its own: Kueue with a flavor per GPU pool and the serving queue;
- the whole InferencePlatform, resolved by the library's own layer resolvers (no `stacks/`, no
  inferfleet stack file): specs in, values out, components registered.
"""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s

from inferfleet import InferencePlatform, PlatformArgs, PlatformValues, Secrets
from inferfleet.cloud import resolve as cloud
from inferfleet.cloud.spec import ExistingClusterSpec, NodePool
from inferfleet.core.budget import DEFAULT_BUDGET
from inferfleet.core.problems import Problems
from inferfleet.core.versions import DEFAULT_PINS
from inferfleet.gpu import resolve as gpu
from inferfleet.monitoring import resolve as monitoring
from inferfleet.monitoring.spec import MonitoringSpec
from inferfleet.scheduling import resolve as scheduling
from inferfleet.scheduling.component import Kueue
from inferfleet.scheduling.spec import SchedulingSpec
from inferfleet.scheduling.values import KueueArgs
from inferfleet.serving import resolve as serving
from inferfleet.serving.spec import ModelSpec

POOLS = {
    "l40s": NodePool.model_validate(
        {"gpu": "L40S", "gpusPerNode": 4, "nodes": {"min": 1, "max": 3}, "node": {"vcpus": 48, "memoryGib": 384}}
    )
}
MODELS = {"qwen": ModelSpec.model_validate({"model": "Qwen/Qwen3-8B", "pool": "l40s"})}


def resolve_platform() -> PlatformValues:
    """The library's resolvers, layer by layer; every problem is raised at once as a ConfigError."""
    problems = Problems()
    cluster_spec = ExistingClusterSpec(provider="existing", name="their-cluster")
    clouds = cloud.resolve(cluster_spec, POOLS, problems, default_name="their-cluster", kubernetes_version="1.34", protect=False)
    gpus = gpu.resolve(clouds.cluster, clouds.pools, problems)
    served = serving.resolve(
        MODELS, {p.name: p for p in clouds.pools}, gpus, DEFAULT_PINS, problems, pool_names=POOLS, has_hf_token=False
    )
    queueing = scheduling.resolve(SchedulingSpec(), clouds.pools, gpus, "existing", problems, model_namespaces=["inference"])
    problems.raise_if_any()
    return PlatformValues(
        name="consumer",
        production=False,
        protect=False,
        cluster=clouds.cluster,
        pools=clouds.pools,
        gpu=gpus,
        queueing=queueing,
        serving=served,
        monitoring=monitoring.resolve(MonitoringSpec(enabled=False)),
    )


def main() -> None:
    platform = resolve_platform()
    config = pulumi.Config()
    empty = "apiVersion: v1\nkind: Config\n"  # lets the example run under mocks without config

    # One layer alone, on a provider this project already has.
    theirs = k8s.Provider("their-cluster", kubeconfig=config.get_secret("queuesKubeconfig") or pulumi.Output.secret(empty))
    queues = Kueue(
        "queues",
        KueueArgs(platform.queueing, DEFAULT_PINS.charts().kueue, DEFAULT_BUDGET),
        pulumi.ResourceOptions(providers={"kubernetes": theirs}),
    )
    pulumi.export("clusterQueues", queues.cluster_queues)

    # The whole platform, on the other cluster.
    kubeconfig = config.get_secret("kubeconfig") or pulumi.Output.secret(empty)
    deployed = InferencePlatform("platform", PlatformArgs(platform, Secrets(kubeconfig=kubeconfig)))
    pulumi.export("endpoint", deployed.cluster.endpoint)
