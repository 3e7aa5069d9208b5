"""The serving components: inference namespaces and the vLLM model services in them."""

from __future__ import annotations

from typing import Optional

import pulumi

from ..core.kube import KubernetesObject, chart
from ..core.meta import namespace as namespace_manifest
from ..core.versions import HelmChart
from . import vllm
from .values import ModelService as ModelServiceValues
from .values import Namespace, ServingArgs


LWS_NAMESPACE = "lws-system"
BASELINE = {"pod-security.kubernetes.io/enforce": "baseline"}


def lws_values(pinned: HelmChart) -> dict[str, object]:
    """The LWS chart's values: its controller at the chart's own release (the chart defaults to `main`)."""
    return {"image": {"manager": {"tag": f"v{pinned.version}"}}}


class InferenceNamespace(pulumi.ComponentResource):
    """A restricted namespace for model servers and (for gated models) the Hugging Face token.

    Its Kueue LocalQueue is the scheduling layer's (`Kueue` takes the namespace's name output).
    """

    name: pulumi.Output[str]
    hf_secret: pulumi.Output[str] | None

    def __init__(
        self,
        name: str,
        namespace: Namespace,
        *,
        hf_token: pulumi.Input[str] | None,
        opts: Optional[pulumi.ResourceOptions] = None,
    ):
        super().__init__("inferfleet:index:InferenceNamespace", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        ns = KubernetesObject(f"{name}-namespace", vllm.namespace(namespace.name), child)
        self.name = ns.name
        self.hf_secret = None
        if namespace.hf_token:
            if hf_token is None:
                raise ValueError(f"namespace {namespace.name} serves a gated model and needs the Hugging Face token")
            secret = KubernetesObject(f"{name}-hf-token", vllm.hf_token_secret(ns.name, pulumi.Output.secret(hf_token)), child)
            self.hf_secret = secret.name
        self.register_outputs({"name": self.name})


class ModelService(pulumi.ComponentResource):
    """One model on vLLM: a Deployment placed on its GPU pool, queued by Kueue, and its Service."""

    service: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        model: ModelServiceValues,
        namespace: InferenceNamespace,
        *,
        local_queue: str,
        lws: pulumi.Resource | None = None,
        opts: Optional[pulumi.ResourceOptions] = None,
    ):
        super().__init__("inferfleet:index:ModelService", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        hf_secret = namespace.hf_secret if model.hf_token else None
        # Pulumi waits for the pods as long as the model's budget allows (core.budget).
        waits = pulumi.CustomTimeouts(create=model.budget.wait, update=model.budget.wait)
        if model.multi_node:
            if lws is None:
                raise ValueError(f"model {model.name} spans {model.pipeline_parallel} nodes and needs the LeaderWorkerSet chart")
            KubernetesObject(
                f"{name}-leader-worker-set",
                vllm.leader_worker_set(model, namespace=namespace.name, queue=local_queue, hf_secret=hf_secret),
                pulumi.ResourceOptions(parent=self, custom_timeouts=waits, depends_on=[lws]),  # its CRD comes with the chart
            )
            KubernetesObject(f"{name}-group-policy", vllm.group_policy(model, namespace.name), child)
        else:
            KubernetesObject(
                f"{name}-deployment",
                vllm.deployment(model, namespace=namespace.name, queue=local_queue, hf_secret=hf_secret),
                pulumi.ResourceOptions(parent=self, custom_timeouts=waits),
            )
        KubernetesObject(f"{name}-pdb", vllm.disruption_budget(model, namespace.name), child)
        service = KubernetesObject(f"{name}-service", vllm.service(model, namespace.name), child)
        self.service = service.name
        self.register_outputs({"service": self.service})


class Serving(pulumi.ComponentResource):
    """Every inference namespace and model service of the platform."""

    namespaces: dict[str, InferenceNamespace]

    def __init__(self, name: str, args: ServingArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("inferfleet:index:Serving", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        lws = None
        if any(m.multi_node for m in args.models):
            if args.lws_chart is None:
                raise ValueError("a model spans nodes: pass the pinned LeaderWorkerSet chart (ServingArgs.lws_chart)")
            # Baseline: the chart's controller sets no seccomp profile, which the restricted profile requires.
            ns = KubernetesObject(f"{name}-lws-namespace", namespace_manifest(LWS_NAMESPACE, "lws", BASELINE), child)
            # The chart's default image tag is `main`; pin the controller to the chart's release.
            lws = chart(f"{name}-lws", args.lws_chart, namespace=ns.name, values=lws_values(args.lws_chart), release="lws", opts=child)
        self.namespaces = {
            ns.name: InferenceNamespace(f"{name}-ns-{ns.name}", ns, hf_token=args.hf_token, opts=child) for ns in args.namespaces
        }
        for model in args.models:
            ModelService(
                f"{name}-model-{model.name}",
                model,
                self.namespaces[model.namespace],
                local_queue=args.local_queue,
                lws=lws,
                opts=child,
            )
        self.register_outputs({"namespaces": [ns.name for ns in self.namespaces.values()]})
