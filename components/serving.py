"""The serving layer: inference namespaces and the vLLM model services in them."""

from __future__ import annotations

from typing import Optional, Sequence

import pulumi

from . import resolved as r
from .k8s import kueue, serving
from .kube import KubernetesObject

MODEL_LOAD_TIMEOUT = "75m"
"""Pulumi waits this long for a Deployment to become ready: a model load can take an hour (pitfall 19)."""


class InferenceNamespace(pulumi.ComponentResource):
    """A restricted namespace for model servers, its Kueue LocalQueue and the Hugging Face token."""

    name: pulumi.Output[str]
    local_queue: pulumi.Output[str]
    hf_secret: pulumi.Output[str] | None

    def __init__(
        self,
        name: str,
        namespace: r.Namespace,
        *,
        local_queue: str,
        cluster_queue: pulumi.Input[str],
        hf_token: pulumi.Input[str] | None,
        opts: Optional[pulumi.ResourceOptions] = None,
    ):
        super().__init__("inferfleet:index:InferenceNamespace", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        ns = KubernetesObject(f"{name}-namespace", serving.namespace(namespace.name), child)
        self.name = ns.name
        queue = KubernetesObject(f"{name}-local-queue", kueue.local_queue(local_queue, ns.name, cluster_queue), child)
        self.local_queue = queue.name
        self.hf_secret = None
        if namespace.hf_token and hf_token is not None:
            secret = KubernetesObject(
                f"{name}-hf-token", serving.hf_token_secret(ns.name, pulumi.Output.secret(hf_token)), child
            )
            self.hf_secret = secret.name
        self.register_outputs({"name": self.name, "localQueue": self.local_queue})


class ModelService(pulumi.ComponentResource):
    """One model on vLLM: a Deployment placed on its GPU pool, queued by Kueue, and its Service."""

    service: pulumi.Output[str]

    def __init__(self, name: str, model: r.ModelService, namespace: InferenceNamespace, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("inferfleet:index:ModelService", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        hf_secret = namespace.hf_secret if model.hf_token else None
        KubernetesObject(
            f"{name}-deployment",
            serving.deployment(model, namespace=namespace.name, queue=namespace.local_queue, hf_secret=hf_secret),
            pulumi.ResourceOptions(parent=self, custom_timeouts=pulumi.CustomTimeouts(create=MODEL_LOAD_TIMEOUT, update=MODEL_LOAD_TIMEOUT)),
        )
        service = KubernetesObject(f"{name}-service", serving.service(model, namespace.name), child)
        self.service = service.name
        self.register_outputs({"service": self.service})


class Serving(pulumi.ComponentResource):
    """Every inference namespace and model service of the platform."""

    namespaces: dict[str, InferenceNamespace]

    def __init__(
        self,
        name: str,
        namespaces: Sequence[r.Namespace],
        models: Sequence[r.ModelService],
        *,
        local_queue: str,
        cluster_queue: pulumi.Input[str],
        hf_token: pulumi.Input[str] | None,
        opts: Optional[pulumi.ResourceOptions] = None,
    ):
        super().__init__("inferfleet:index:Serving", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.namespaces = {
            ns.name: InferenceNamespace(
                f"{name}-ns-{ns.name}", ns, local_queue=local_queue, cluster_queue=cluster_queue, hf_token=hf_token, opts=child
            )
            for ns in namespaces
        }
        for model in models:
            ModelService(f"{name}-model-{model.name}", model, self.namespaces[model.namespace], opts=child)
        self.register_outputs({"namespaces": [ns.name for ns in self.namespaces.values()]})
