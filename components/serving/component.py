"""The serving components: inference namespaces and the vLLM model services in them."""

from __future__ import annotations

from typing import Optional

import pulumi

from ..core.kube import KubernetesObject, chart
from ..core.meta import namespace as namespace_manifest
from ..core.versions import Charts, HelmChart
from ..scheduling.values import FIXED_WHILE_RUNNING
from . import vllm
from .values import ModelService as ModelServiceValues
from .values import Namespace, ServingArgs


LWS_NAMESPACE = "lws-system"
BASELINE = {"pod-security.kubernetes.io/enforce": "baseline"}


def lws_values(pinned: HelmChart) -> dict[str, object]:
    """The LWS chart's values: its controller at the chart's own release (the chart defaults to `main`)."""
    return {"image": {"manager": {"tag": f"v{pinned.version}"}}}


KSERVE_NAMESPACE = "kserve"
"""Fixed: the LLMInferenceService conversion webhook names it (shared/crds/kserve-v0.20.0/SOURCE.md)."""
CERT_MANAGER_NAMESPACE = "cert-manager"


def _kserve(name: str, charts: Charts, child: pulumi.ResourceOptions, *, isvc: bool = False) -> pulumi.Resource:
    """cert-manager, then KServe's CRDs (each owned by one chart), its LLMInferenceService controller and presets."""
    cm_ns = KubernetesObject(f"{name}-cert-manager-namespace", namespace_manifest(CERT_MANAGER_NAMESPACE, "cert-manager", BASELINE), child)
    # crds.enabled puts cert-manager's CRDs in the release; keep leaves them when it is removed (values.yaml:104-116).
    cert_manager = chart(f"{name}-cert-manager", charts.cert_manager, namespace=cm_ns.name,
                         values={"crds": {"enabled": True, "keep": True}}, release="cert-manager", opts=child)
    ns = KubernetesObject(f"{name}-kserve-namespace", namespace_manifest(KSERVE_NAMESPACE, "kserve", BASELINE), child)
    crds = [
        chart(f"{name}-{key}", pinned, namespace=ns.name, values={}, release=key, opts=child)
        for key, pinned in (("kserve-crd", charts.kserve_crd), ("kserve-llmisvc-crd", charts.kserve_llmisvc_crd))
    ]
    after = pulumi.ResourceOptions(parent=child.parent, depends_on=[cert_manager, *crds])
    # The Gateway API Inference Extension's CRDs are the routing layer's, not this chart's (values.yaml:109).
    controller = chart(f"{name}-kserve-llmisvc", charts.kserve_llmisvc, namespace=ns.name,
                       values={"kserve": {"llmisvc": {"createGIECRDs": False}}}, release="kserve-llmisvc", opts=after)
    controllers: list[pulumi.Resource] = [controller]
    presets: dict[str, object] = {"llmisvcConfigs": {"enabled": True}}
    if isvc:
        # The InferenceService controller in Standard mode (chart default Knative, values.yaml:109); the shared
        # resources (webhook certificate, cluster roles) are the LLMInferenceService chart's already.
        controllers.append(chart(
            f"{name}-kserve-resources", charts.kserve_resources, namespace=ns.name,
            values={"kserve": {"createSharedResources": False, "controller": {"deploymentMode": "Standard"}}},
            release="kserve", opts=after,
        ))
        presets["servingruntime"] = {"enabled": True}  # the ClusterServingRuntimes, kserve-huggingfaceserver among them
    return chart(f"{name}-kserve-presets", charts.kserve_runtime_configs, namespace=ns.name,
                 values={"kserve": presets}, release="kserve-runtime-configs",
                 opts=pulumi.ResourceOptions(parent=child.parent, depends_on=controllers))


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
        priority: str | None = None,
        lws: pulumi.Resource | None = None,
        kserve: pulumi.Resource | None = None,
        opts: Optional[pulumi.ResourceOptions] = None,
    ):
        super().__init__("inferfleet:index:ModelService", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        hf_secret = namespace.hf_secret if model.hf_token else None
        # Pulumi waits for the pods as long as the model's budget allows (core.budget).
        waits = pulumi.CustomTimeouts(create=model.budget.wait, update=model.budget.wait)
        # Kueue rejects a queue or priority change on a running workload: replace it instead.
        fixed = pulumi.ResourceOptions(replace_on_changes=list(FIXED_WHILE_RUNNING), delete_before_replace=True)
        if model.weights_bucket is not None:
            KubernetesObject(f"{name}-service-account", vllm.weights_service_account(model, namespace.name), child)
            if model.weights_bucket.source == "s3":
                for obj in vllm.s3_weights(model, namespace.name):
                    KubernetesObject(f"{name}-weights-{obj['kind'].lower()}", obj, child)
        if model.mode == "kserve" and model.kserve_api == "inferenceService":
            if kserve is None:
                raise ValueError(f"model {model.name} is served through KServe and needs its charts")
            KubernetesObject(
                f"{name}-inference-service",
                vllm.inference_service(model, namespace=namespace.name, queue=local_queue, hf_secret=hf_secret, priority=priority),
                pulumi.ResourceOptions(parent=self, custom_timeouts=waits, depends_on=[kserve]),
            )
        elif model.mode == "kserve":
            if kserve is None:
                raise ValueError(f"model {model.name} is served through KServe and needs its charts")
            KubernetesObject(
                f"{name}-llm-inference-service",
                vllm.llm_inference_service(model, namespace=namespace.name, queue=local_queue, hf_secret=hf_secret, priority=priority),
                pulumi.ResourceOptions(parent=self, custom_timeouts=waits, depends_on=[kserve]),  # CRD, webhook, presets
            )
        elif model.multi_node:
            if lws is None:
                raise ValueError(f"model {model.name} spans {model.pipeline_parallel} nodes and needs the LeaderWorkerSet chart")
            KubernetesObject(
                f"{name}-leader-worker-set",
                vllm.leader_worker_set(model, namespace=namespace.name, queue=local_queue, hf_secret=hf_secret, priority=priority),
                pulumi.ResourceOptions.merge(  # its CRD comes with the chart
                    pulumi.ResourceOptions(parent=self, custom_timeouts=waits, depends_on=[lws]), fixed
                ),
            )
            KubernetesObject(f"{name}-group-policy", vllm.group_policy(model, namespace.name), child)
        else:
            # Kueue reads a DRA pod's claim template when it admits the pod: the name output makes the
            # Deployment wait for it (kueue@v0.19.2 pkg/dra/claims.go:132-134).
            template = (
                KubernetesObject(f"{name}-gpu-claim", vllm.resource_claim_template(model, namespace.name), child).name
                if model.gpu_claim
                else None
            )
            KubernetesObject(
                f"{name}-deployment",
                vllm.deployment(
                    model,
                    namespace=namespace.name,
                    queue=local_queue,
                    hf_secret=hf_secret,
                    priority=priority,
                    claim_template=template,
                ),
                pulumi.ResourceOptions.merge(pulumi.ResourceOptions(parent=self, custom_timeouts=waits), fixed),
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
        lws = kserve = None
        needs_lws = any(m.multi_node for m in args.models)
        needs_kserve = any(m.mode == "kserve" for m in args.models)
        if (needs_lws or needs_kserve) and args.charts is None:
            raise ValueError("a model spans nodes or uses KServe: pass the pinned charts (ServingArgs.charts)")
        if needs_lws and args.charts is not None:
            # Baseline: the chart's controller sets no seccomp profile, which the restricted profile requires.
            ns = KubernetesObject(f"{name}-lws-namespace", namespace_manifest(LWS_NAMESPACE, "lws", BASELINE), child)
            # The chart's default image tag is `main`; pin the controller to the chart's release.
            lws = chart(f"{name}-lws", args.charts.lws, namespace=ns.name, values=lws_values(args.charts.lws), release="lws", opts=child)
        if needs_kserve and args.charts is not None:
            kserve = _kserve(name, args.charts, child, isvc=any(m.kserve_api == "inferenceService" for m in args.models))
        self.namespaces = {
            ns.name: InferenceNamespace(f"{name}-ns-{ns.name}", ns, hf_token=args.hf_token, opts=child) for ns in args.namespaces
        }
        for model in args.models:
            ModelService(
                f"{name}-model-{model.name}",
                model,
                self.namespaces[model.namespace],
                local_queue=args.queues[model.namespace][0],
                priority=args.queues[model.namespace][1],
                lws=lws,
                kserve=kserve,
                opts=child,
            )
        self.register_outputs({"namespaces": [ns.name for ns in self.namespaces.values()]})
