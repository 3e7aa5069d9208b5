"""Registering built manifests and Helm charts with Pulumi."""

from __future__ import annotations

from typing import Any, Mapping, Optional

import pulumi
import pulumi_kubernetes as k8s

from .versions import HelmChart


class KubernetesObject(pulumi.CustomResource):
    """Any Kubernetes object, registered exactly as its manifest says.

    The type token is the one pulumi-kubernetes' own classes use (`kubernetes:apps/v1:Deployment`),
    so the provider treats it the same; the manifest keys are sent as written (camelCase).
    """

    metadata: pulumi.Output[dict[str, Any]]

    def __init__(self, resource_name: str, manifest: Mapping[str, Any], opts: Optional[pulumi.ResourceOptions] = None):
        api_version = manifest["apiVersion"]
        group_version = api_version if "/" in api_version else f"core/{api_version}"
        super().__init__(f"kubernetes:{group_version}:{manifest['kind']}", resource_name, dict(manifest), opts)

    @property
    def name(self) -> pulumi.Output[str]:
        """The object's name, as an output so that users of it wait for it."""
        return self.metadata.apply(lambda m: str(m["name"]))


def chart(
    resource_name: str,
    pinned: HelmChart,
    *,
    namespace: pulumi.Input[str],
    values: Mapping[str, Any],
    opts: pulumi.ResourceOptions,
    release: str | None = None,
    skip_crds: bool = False,
) -> k8s.helm.v4.Chart:
    """A pinned Helm chart, rendered by pulumi-kubernetes so every object it holds is a resource."""
    repository = k8s.helm.v4.RepositoryOptsArgs(repo=pinned.repository) if pinned.repository else None
    return k8s.helm.v4.Chart(
        resource_name,
        chart=pinned.chart,
        version=pinned.version,
        repository_opts=repository,
        namespace=namespace,
        name=release,
        values=dict(values),
        skip_crds=skip_crds or None,
        opts=opts,
    )
