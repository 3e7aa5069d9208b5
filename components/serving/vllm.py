"""vLLM model services: namespace, Hugging Face token Secret, Deployment and Service (pure builders).

Everything vLLM-specific lives here: the port, the flags and the probes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from ..core.meta import labels, manifest
from ..core.meta import namespace as namespace_manifest
from ..core.security import RESTRICTED_NAMESPACE_LABELS, RUN_AS_USER, container_security_context, pod_defaults
from ..core.versions import APPS, CORE, KSERVE_ISVC, KSERVE_LLM, LWS, NETWORKING, POLICY, RESOURCE
from ..scheduling.values import INFERENCE_NAMESPACE_LABEL, PRIORITY_LABEL, QUEUE_LABEL
from .values import ModelService

PORT = 8000
PORT_NAME = "http"
COMPONENT = "vllm"
POD_LABELS = {"app.kubernetes.io/name": COMPONENT}
"""Every vLLM pod carries these; network policies and monitors select model servers by them."""
HOME = "/home/vllm"
CACHE = f"{HOME}/.cache"
CONFIG = f"{HOME}/.config"
ENV: Mapping[str, str] = {
    "HOME": HOME,
    # The image's UID 10001 has no passwd entry: getpass.getuser() reads LOGNAME and USER before pwd.
    # torch 2.14 (vLLM v0.33.0's pin) guards its own call (torch/_inductor/runtime/cache_dir_utils.py:24-29),
    # but FA4's CuTe cache does not (vllm@v0.33.0 vllm/vllm_flash_attn/cute/cache_utils.py:46; vllm#44548).
    "USER": "vllm",
    "LOGNAME": "vllm",
    # Every cache under the writable home: vllm@v0.33.0 vllm/envs.py:340-351 (XDG), :705-719 (vLLM roots).
    "XDG_CACHE_HOME": CACHE,
    "XDG_CONFIG_HOME": CONFIG,
    "VLLM_CACHE_ROOT": f"{CACHE}/vllm",
    "VLLM_CONFIG_ROOT": f"{CONFIG}/vllm",
    "HF_HOME": f"{CACHE}/huggingface",  # huggingface_hub 2.4.0 constants.py:160-165
    "TORCHINDUCTOR_CACHE_DIR": f"{CACHE}/torchinductor",  # torch 2.14.0 default: /tmp/torchinductor_<user>
    # Triton writes dump and override dirs under TRITON_HOME/.triton, `~` by default (triton 3.8.0 knobs.py:344-348).
    "TRITON_HOME": CACHE,
    "TRITON_CACHE_DIR": f"{CACHE}/triton",
    # FlashInfer's JIT cache is $FLASHINFER_WORKSPACE_BASE/.cache/flashinfer (flashinfer 0.7.2 jit/env.py:66-70).
    "FLASHINFER_WORKSPACE_BASE": HOME,
    # FA4's CuTe DSL cache, else /tmp/<user> (vllm@v0.33.0 vllm/vllm_flash_attn/cute/cache_utils.py:37-48).
    "FLASH_ATTENTION_CUTE_DSL_CACHE_DIR": f"{CACHE}/flash_attention_cute_dsl",
    # The CUDA driver's JIT cache defaults to ~/.nv/ComputeCache (CUDA Programming Guide, environment variables).
    "CUDA_CACHE_PATH": f"{CACHE}/nv/ComputeCache",
    # No usage report written to VLLM_CONFIG_ROOT or sent out (vllm@v0.33.0 vllm/envs.py:842-846).
    "VLLM_NO_USAGE_STATS": "1",
    "DO_NOT_TRACK": "1",
}
"""The container's environment: the user name and every cache under the writable home emptyDirs."""
WRITABLE = {"cache": CACHE, "config": CONFIG, "tmp": "/tmp"}
"""The emptyDirs under the read-only root, by volume name; /tmp also holds vLLM's RPC sockets (envs.py:732)."""
WEIGHTS_DIR = "/models"
HF_TOKEN_KEY = "token"
HF_TOKEN_DIR = "/var/run/secrets/huggingface"


@dataclass(frozen=True)
class TypedFlag:
    """A `vllm serve` flag inferfleet sets from a typed field; `key` is that field under `models.<name>`."""

    option: str
    dest: str
    key: str
    source: str
    """Where the pinned vLLM defines it (vllm@v0.33.0 path:line)."""


TYPED_FLAGS = (
    TypedFlag("--port", "port", "", "vllm/entrypoints/common/cli_args.py:295"),
    TypedFlag("--served-model-name", "served_model_name", "model", "vllm/engine/arg_utils.py:1031"),
    TypedFlag("--tensor-parallel-size", "tensor_parallel_size", "gpus", "vllm/engine/arg_utils.py:1209"),
    TypedFlag("--gpu-memory-utilization", "gpu_memory_utilization", "vllm.gpuMemoryUtilization", "vllm/engine/arg_utils.py:1389"),
    TypedFlag("--max-num-seqs", "max_num_seqs", "vllm.maxNumSeqs", "vllm/engine/arg_utils.py:1754"),
    TypedFlag("--max-model-len", "max_model_len", "maxModelLen", "vllm/engine/arg_utils.py:991"),
    # EnableDisableAction: --enable-x and --disable-x (vllm/utils/argparse_utils.py:120-153).
    TypedFlag("--enable-prefix-caching", "enable_prefix_caching", "vllm.prefixCaching", "vllm/engine/arg_utils.py:1402"),
    TypedFlag("--disable-prefix-caching", "enable_prefix_caching", "vllm.prefixCaching", "vllm/engine/arg_utils.py:1402"),
    TypedFlag("--quantization", "quantization", "precision", "vllm/engine/arg_utils.py:992"),
    TypedFlag("--kv-cache-dtype", "kv_cache_dtype", "kvCacheDtype", "vllm/engine/arg_utils.py:1397"),
    # int seconds: 0 aborts in-flight requests on SIGTERM, more drains them that long.
    TypedFlag("--shutdown-timeout", "shutdown_timeout", "longestRequestSeconds", "vllm/engine/arg_utils.py:1941"),
    # A multi-node replica (models.<name>.nodes > 1).
    TypedFlag("--pipeline-parallel-size", "pipeline_parallel_size", "nodes", "vllm/engine/arg_utils.py:1171"),
    TypedFlag("--nnodes", "nnodes", "nodes", "vllm/engine/arg_utils.py:1177"),
    TypedFlag("--node-rank", "node_rank", "nodes", "vllm/engine/arg_utils.py:1178"),
    TypedFlag("--master-addr", "master_addr", "nodes", "vllm/engine/arg_utils.py:1175"),
    TypedFlag("--master-port", "master_port", "nodes", "vllm/engine/arg_utils.py:1176"),
    TypedFlag("--headless", "headless", "nodes", "vllm/entrypoints/common/cli_args.py:445"),
)
"""Every flag `args` can emit, checked against the pinned version's table (`vllm_flags`) at plan time."""

_ONE_GROUP = "inferfleet sizes and places each replica from models.<name>.gpus and nodes"
RESERVED_DESTS: Mapping[str, str] = {
    "model": "set the model with models.<name>.model",
    "data_parallel_size": _ONE_GROUP,
    "data_parallel_size_local": _ONE_GROUP,
    "kv_cache_memory_bytes": "it bypasses the memory budget inferfleet sizes from models.<name>.vllm.gpuMemoryUtilization",
    "hf_token": "the token is mounted from inferfleet:hfToken, never put on the command line",
}
"""Dests extra args may not set although `args` does not emit them, and why."""


MASTER_PORT = 29501
"""torch.distributed's store on the leader (vLLM's default, vllm@v0.33.0 vllm/config/parallel.py:317-326)."""


def args(model: ModelService, role: str = "server") -> list[str]:
    """`vllm serve` arguments from the model's typed settings, then its extra args (normalised by `vllm_flags`).

    A multi-node replica runs vLLM's own multiprocessing across nodes (`--nnodes`, no Ray; `nnodes > 1`
    selects the mp backend, vllm@v0.33.0 vllm/config/parallel.py:1064-1065); `$(LWS_*)` are the
    variables LWS injects into every pod (kubernetes-sigs/lws@v0.10.0 pkg/utils/pod/pod_utils.go:131-175).
    """
    out = [
        model.model_id,
        f"--port={PORT}",
        f"--served-model-name={model.model_id}",
        f"--tensor-parallel-size={model.tensor_parallel}",
        f"--gpu-memory-utilization={model.gpu_memory_utilization}",
        f"--max-num-seqs={model.max_num_seqs}",
        f"--max-model-len={model.max_model_len}",
        "--enable-prefix-caching" if model.prefix_caching else "--disable-prefix-caching",
        f"--shutdown-timeout={model.longest_request_seconds}",
    ]
    if model.quantization:
        out.append(f"--quantization={model.quantization}")
    if model.kv_cache_dtype != "auto":
        out.append(f"--kv-cache-dtype={model.kv_cache_dtype}")
    if model.multi_node:
        out += [
            f"--pipeline-parallel-size={model.pipeline_parallel}",
            "--nnodes=$(LWS_GROUP_SIZE)",
            "--node-rank=0" if role == "server" else "--node-rank=$(LWS_WORKER_INDEX)",
            "--master-addr=$(LWS_LEADER_ADDRESS)",
            f"--master-port={MASTER_PORT}",
        ]
        if role == "worker":
            out.append("--headless")
    return [*out, *model.extra_args]


def selector(model_name: str) -> dict[str, str]:
    """The Deployment selector: immutable, so only the two labels that never change."""
    return {"app.kubernetes.io/name": COMPONENT, "app.kubernetes.io/instance": model_name}


def namespace(name: str) -> dict[str, Any]:
    return namespace_manifest(name, "inference-namespace", RESTRICTED_NAMESPACE_LABELS, {INFERENCE_NAMESPACE_LABEL: "true"})


def hf_token_secret(namespace: Any, token: Any) -> dict[str, Any]:
    return manifest(
        CORE, "Secret", "hf-token", namespace, labels=labels("hf-token"), type="Opaque", stringData={HF_TOKEN_KEY: token}
    )


def _probe(period: int, failures: int, timeout: int) -> dict[str, Any]:
    return {
        "httpGet": {"path": "/health", "port": PORT_NAME},
        "periodSeconds": period,
        "failureThreshold": failures,
        "timeoutSeconds": timeout,
    }


SHUTDOWN_MARGIN_SECONDS = 30
"""Beyond vLLM's drain: engine and worker teardown before the kubelet's SIGKILL."""


CLAIM = "gpu"
"""The name of a DRA pod's GPU claim, and of the request in its template."""


def resource_claim_template(model: ModelService, namespace: Any) -> dict[str, Any]:
    """The ResourceClaimTemplate a DRA pool's model pods claim their GPUs from: the pool's device class
    and CEL selector, as many devices as the model's tensor parallelism (resource.k8s.io/v1)."""
    assert model.gpu_claim is not None
    request = {
        "deviceClassName": model.gpu_claim.device_class,
        # Kueue counts only ExactCount requests (kueue@v0.19.2 pkg/dra/claims.go:56-110).
        "allocationMode": "ExactCount",
        "count": model.tensor_parallel,
        "selectors": [{"cel": {"expression": model.gpu_claim.selector}}],
    }
    return manifest(
        RESOURCE, "ResourceClaimTemplate", f"{model.name}-gpu", namespace, labels=labels(COMPONENT, model.name),
        spec={"spec": {"devices": {"requests": [{"name": CLAIM, "exactly": request}]}}},
    )


def pod_template(model: ModelService, *, hf_secret: Any | None, role: str = "server", claim_template: Any | None = None) -> dict[str, Any]:
    """The pod every serving mode runs: `server` (a Deployment's pods and a LeaderWorkerSet's leader) or
    `worker` (a LeaderWorkerSet's other nodes, which serve no HTTP and so have no port and no probes).
    On a DRA pool the GPUs come from `claim_template` (the ResourceClaimTemplate's name), not limits."""
    budget = model.budget
    env = [{"name": name, "value": value} for name, value in ENV.items()]
    mounts: list[dict[str, Any]] = [
        *({"name": name, "mountPath": path} for name, path in WRITABLE.items()),
        {"name": "dshm", "mountPath": "/dev/shm"},
    ]
    volumes: list[dict[str, Any]] = [
        {"name": "cache", "emptyDir": {"sizeLimit": model.ephemeral_storage}},
        {"name": "config", "emptyDir": {"sizeLimit": "64Mi"}},
        {"name": "tmp", "emptyDir": {"sizeLimit": "2Gi"}},
        {"name": "dshm", "emptyDir": {"medium": "Memory", "sizeLimit": model.shm_size}},
    ]
    if model.weights_claim is not None:
        # The hub cache pre-staged on a shared claim: read it in place, never reach the hub
        # (huggingface_hub 2.4.0 constants.py:177 HF_HUB_CACHE, :194 HF_HUB_OFFLINE).
        env += [{"name": "HF_HUB_CACHE", "value": WEIGHTS_DIR}, {"name": "HF_HUB_OFFLINE", "value": "1"}]
        mounts.append({"name": "weights", "mountPath": WEIGHTS_DIR, "readOnly": True})
        volumes.append({"name": "weights", "persistentVolumeClaim": {"claimName": model.weights_claim, "readOnly": True}})
    bucket = model.weights_bucket
    if bucket is not None:
        # A pre-staged hub cache in a bucket, mounted read-only and read in place, offline, as for a claim.
        env += [{"name": "HF_HUB_CACHE", "value": WEIGHTS_DIR}, {"name": "HF_HUB_OFFLINE", "value": "1"}]
        mounts.append({"name": "weights", "mountPath": WEIGHTS_DIR, "readOnly": True})
        volumes.append(weights_volume(model))
    if hf_secret is not None:
        # A file, not an env var: the token stays out of `kubectl describe` and process listings.
        env.append({"name": "HF_TOKEN_PATH", "value": f"{HF_TOKEN_DIR}/{HF_TOKEN_KEY}"})
        mounts.append({"name": "hf-token", "mountPath": HF_TOKEN_DIR, "readOnly": True})
        volumes.append({"name": "hf-token", "secret": {"secretName": hf_secret, "defaultMode": 0o440}})
    resources = {"cpu": model.cpu, "memory": model.memory, "ephemeral-storage": model.ephemeral_storage}
    claims: dict[str, Any] = {}
    if model.gpu_claim is None:
        resources[model.gpu_resource] = str(model.tensor_parallel)
    else:
        if claim_template is None:
            raise ValueError(f"model {model.name} is on a DRA pool and needs its ResourceClaimTemplate")
        # The GPUs come only through the claim, which Kueue counts by its device class (scheduling.kueue).
        claims = {"claims": [{"name": CLAIM}]}
    container: dict[str, Any] = {
        "name": COMPONENT,
        # checkov CKV_K8S_43 (digest) and CKV_K8S_15 (pull Always, waived once a digest is set) fail until
        # inferfleet:versions.vllmDigest is set: the digest cannot be looked up offline. Always would
        # re-pull a ~10 GB image on every start; with a digest IfNotPresent is exact.
        "image": model.image,
        "imagePullPolicy": "IfNotPresent",
        "command": ["vllm", "serve"],
        "args": args(model, role),
        "env": env,
        "resources": {"requests": resources, "limits": dict(resources), **claims},
        "securityContext": container_security_context(),
        "volumeMounts": mounts,
    }
    if role == "server":
        container |= {
            "ports": [{"name": PORT_NAME, "containerPort": PORT, "protocol": "TCP"}],
            "startupProbe": _probe(budget.probe_period_seconds, budget.probe_failures, 5),
            "readinessProbe": _probe(10, 3, 5),
            "livenessProbe": _probe(30, 5, 10),
        }
    # A headless worker (`--headless`, vllm@v0.33.0 vllm/entrypoints/cli/serve.py:181-230) has no HTTP
    # endpoint to probe (checkov CKV_K8S_8/9 would fail, but checkov does not read LeaderWorkerSets);
    # LWS recreates the whole group when any pod fails (restartPolicy RecreateGroupOnPodRestart).
    pod_labels = {**labels(COMPONENT, model.name), **POD_LABELS, "inferfleet.dev/model": model.name, "inferfleet.dev/pool": model.pool}
    annotations = {**model.pod_annotations, "kubectl.kubernetes.io/default-container": COMPONENT}
    if bucket is not None and bucket.source == "gcs":
        # The driver's webhook injects its sidecar only into pods that ask
        # (GoogleCloudPlatform/gcs-fuse-csi-driver@5fcdc04 pkg/webhook/mutatingwebhook.go:49).
        annotations[GCSFUSE_ANNOTATION] = "true"
    return {
        "metadata": {"labels": pod_labels, "annotations": annotations},
        "spec": {
            **pod_defaults(),
            # The bucket's credentials come through the CSI driver's token request for this account
            # (CSIDriver tokenRequests), not a token mounted into vLLM's container, which stays unmounted.
            **({"serviceAccountName": bucket.service_account} if bucket is not None else {}),
            "terminationGracePeriodSeconds": model.longest_request_seconds + SHUTDOWN_MARGIN_SECONDS,
            "nodeSelector": dict(model.node_selector),
            "tolerations": [t.toleration() for t in model.tolerations],
            "containers": [container],
            "volumes": volumes,
            **({"resourceClaims": [{"name": CLAIM, "resourceClaimTemplateName": claim_template}]} if claims else {}),
        },
    }


GCSFUSE_DRIVER = "gcsfuse.csi.storage.gke.io"
"""GoogleCloudPlatform/gcs-fuse-csi-driver@5fcdc04 pkg/csi_driver/gcs_fuse_driver.go:40."""
GCSFUSE_ANNOTATION = "gke-gcsfuse/volumes"
S3_DRIVER = "s3.csi.aws.com"
"""awslabs/mountpoint-s3-csi-driver@57c6bed examples/kubernetes/static_provisioning/pod_level_identity.yaml."""
S3_CAPACITY = "1Ti"
"""Kubernetes requires a PV capacity; Mountpoint ignores it (examples/kubernetes/static_provisioning/static_provisioning.yaml)."""
# The CSI drivers' own attributes (bucketName, mountOptions, authenticationSource) cannot be validated
# offline: Kubernetes' schema types csi.volumeAttributes as a free string map and each driver reads it
# at mount time. The keys below are the drivers' own (gcs-fuse-csi-driver@5fcdc04 pkg/csi_driver/utils.go:55-81;
# mountpoint-s3-csi-driver@57c6bed docs/CONFIGURATION.md:43).


def weights_volume(model: ModelService) -> dict[str, Any]:
    """The pod's read-only `weights` volume: a GCS FUSE ephemeral CSI volume, or the S3 bucket's claim."""
    bucket = model.weights_bucket
    assert bucket is not None
    if bucket.source == "gcs":
        # implicit-dirs: a staged hub cache has no folder objects; only-dir mounts the prefix as the root.
        options = ["implicit-dirs", *([f"only-dir={bucket.prefix}"] if bucket.prefix else [])]
        attributes = {"bucketName": bucket.bucket, "mountOptions": ",".join(options)}
        return {"name": "weights", "csi": {"driver": GCSFUSE_DRIVER, "readOnly": True, "volumeAttributes": attributes}}
    return {"name": "weights", "persistentVolumeClaim": {"claimName": weights_claim_name(model), "readOnly": True}}


def weights_claim_name(model: ModelService) -> str:
    return f"{model.name}-weights"


def weights_volume_name(model: ModelService) -> str:
    """PersistentVolumes are cluster-wide: the namespace keeps two namespaces' models apart."""
    return f"{model.namespace}-{model.name}-weights"


def weights_service_account(model: ModelService, namespace: Any) -> dict[str, Any]:
    """The model's own service account, the one identity the cloud lets read its bucket (and nothing else).

    GKE: it impersonates the Google service account the cloud layer grants roles/storage.objectViewer on
    the bucket (annotation iam.gke.io/gcp-service-account, Workload Identity). EKS: the cloud layer's Pod
    Identity association maps it to a role that may only list and read the bucket (and prefix).
    """
    bucket = model.weights_bucket
    assert bucket is not None
    annotations = {"iam.gke.io/gcp-service-account": model.google_service_account} if model.google_service_account else None
    return manifest(
        CORE, "ServiceAccount", bucket.service_account, namespace, labels=labels(COMPONENT, model.name),
        annotations=annotations, automountServiceAccountToken=False,
    )


def s3_weights(model: ModelService, namespace: Any) -> list[dict[str, Any]]:
    """A static PersistentVolume of the bucket for Mountpoint, bound only to the model's claim, and that claim.

    `authenticationSource: pod` mounts with the pod's own service account's credentials (Pod Identity),
    not the driver's (mountpoint-s3-csi-driver@57c6bed examples/kubernetes/static_provisioning/
    pod_level_identity.yaml:14-22); `allow-other` with the pod's uid lets the non-root vLLM read it (non_root.yaml:15-17).
    """
    bucket = model.weights_bucket
    assert bucket is not None and bucket.source == "s3"
    options = ["read-only", "allow-other", f"uid={RUN_AS_USER}", "gid=0"]
    if bucket.region:
        options.append(f"region {bucket.region}")
    if bucket.prefix:
        options.append(f"prefix {bucket.prefix}/")
    pv = manifest(
        CORE, "PersistentVolume", weights_volume_name(model), labels=labels(COMPONENT, model.name),
        spec={
            "capacity": {"storage": S3_CAPACITY},
            "accessModes": ["ReadOnlyMany"],
            "storageClassName": "",
            "persistentVolumeReclaimPolicy": "Retain",
            "claimRef": {"namespace": model.namespace, "name": weights_claim_name(model)},
            "mountOptions": options,
            "csi": {
                "driver": S3_DRIVER,
                "volumeHandle": weights_volume_name(model),
                "volumeAttributes": {"bucketName": bucket.bucket, "authenticationSource": "pod"},
            },
        },
    )
    pvc = manifest(
        CORE, "PersistentVolumeClaim", weights_claim_name(model), namespace, labels=labels(COMPONENT, model.name),
        spec={
            "accessModes": ["ReadOnlyMany"],
            "storageClassName": "",
            "volumeName": weights_volume_name(model),
            "resources": {"requests": {"storage": S3_CAPACITY}},
        },
    )
    return [pv, pvc]


def _workload_labels(model: ModelService, queue: Any, priority: str | None) -> dict[str, Any]:
    """A model workload's labels: Kueue's queue and, when its queue has one, its WorkloadPriorityClass."""
    return {**labels(COMPONENT, model.name), QUEUE_LABEL: queue, **({PRIORITY_LABEL: priority} if priority else {})}


def deployment(
    model: ModelService,
    *,
    namespace: Any,
    queue: Any,
    hf_secret: Any | None,
    priority: str | None = None,
    claim_template: Any | None = None,
) -> dict[str, Any]:
    """The vLLM Deployment for one model; `queue` is its Kueue LocalQueue and `priority` its
    WorkloadPriorityClass (so inference preempts batch work), `hf_secret` the token Secret,
    `claim_template` the ResourceClaimTemplate its pods claim GPUs from on a DRA pool.

    vLLM serves /health only once the weights are loaded, so the startup probe allows the model's
    whole load budget, and the progress deadline the budget's rollout on top (see `core.budget`).
    """
    return manifest(
        APPS,
        "Deployment",
        model.name,
        namespace,
        labels=_workload_labels(model, queue, priority),
        spec={
            "replicas": model.replicas,
            "selector": {"matchLabels": selector(model.name)},
            # A surge pod needs a GPU and quota that are usually not there: replace in place unless the stack allows it.
            "strategy": {"type": "RollingUpdate", "rollingUpdate": _rolling(model)},
            "progressDeadlineSeconds": model.budget.progress_deadline_seconds,
            "template": pod_template(model, hf_secret=hf_secret, claim_template=claim_template),
        },
    )


LWS_NAME_LABEL = "leaderworkerset.sigs.k8s.io/name"
LWS_WORKER_INDEX_LABEL = "leaderworkerset.sigs.k8s.io/worker-index"
"""Labels LWS puts on every pod of a group; the leader's worker index is 0 (kubernetes-sigs/lws@v0.10.0
api/leaderworkerset/v1/leaderworkerset_types.go)."""


def leader_worker_set(
    model: ModelService, *, namespace: Any, queue: Any, hf_secret: Any | None, priority: str | None = None
) -> dict[str, Any]:
    """A replica across `pipeline_parallel` nodes: the leader serves the API, workers run headless.

    Kueue admits each group as one workload from the queue label on the LeaderWorkerSet itself
    (kueue@v0.19.2 site/content/en/docs/tasks/run/leaderworkerset.md:51-57). Its name (the model's)
    must be at most 39 characters for Kueue's pod-group label (:124-131); model names are at most 30.
    """
    return manifest(
        LWS,
        "LeaderWorkerSet",
        model.name,
        namespace,
        labels=_workload_labels(model, queue, priority),
        spec={
            "replicas": model.replicas,
            "startupPolicy": "LeaderCreated",
            "rolloutStrategy": {"type": "RollingUpdate", "rollingUpdateConfiguration": _rolling(model)},
            "leaderWorkerTemplate": {
                "size": model.pipeline_parallel,
                # A failed rank leaves the others waiting on collectives: restart the group together.
                "restartPolicy": "RecreateGroupOnPodRestart",
                "leaderTemplate": pod_template(model, hf_secret=hf_secret),
                "workerTemplate": pod_template(model, hf_secret=hf_secret, role="worker"),
            },
        },
    )


def llm_inference_service(
    model: ModelService, *, namespace: Any, queue: Any, hf_secret: Any | None, priority: str | None = None
) -> dict[str, Any]:
    """The model as a KServe LLMInferenceService (kserve@v0.20.0), running the same pod as the vllm mode.

    The controller merges `template` onto its preset `kserve-config-llm-template` by strategic merge,
    container `main` by name (pkg/controller/v1alpha2/llmisvc/config_merge.go:779-816); the preset's
    command (a bash wrapper adding its own flags, config-llm-template.yaml:166-176) is replaced by
    `vllm serve` and inferfleet's checked flags. The storage initializer is off (workload_storage.go:97-104):
    vLLM downloads the weights itself, with the token file, as in the vllm mode. `labels` reach the
    pods and the Kueue queue label on the object reaches the Deployment (workload_single_node.go:179,302-321).
    """
    pod = pod_template(model, hf_secret=hf_secret)
    container = {**pod["spec"]["containers"][0], "name": "main"}
    # The preset points the hub cache at its own /models volume; keep it in the sized cache emptyDir.
    container["env"] = [*container["env"], {"name": "HF_HUB_CACHE", "value": f"{CACHE}/huggingface/hub"}]
    return manifest(
        KSERVE_LLM,
        "LLMInferenceService",
        model.name,
        namespace,
        labels=_workload_labels(model, queue, priority),
        spec={
            "model": {"uri": f"hf://{model.model_id}", "name": model.model_id},
            "replicas": model.replicas,
            "parallelism": {"tensor": model.tensor_parallel},
            "storageInitializer": {"enabled": False},
            "labels": pod["metadata"]["labels"],
            "annotations": {**model.pod_annotations, "kubectl.kubernetes.io/default-container": "main"},
            "template": {**pod["spec"], "containers": [container]},
        },
    )


ISVC_PORT = 8080
"""The KServe model server's HTTP port (kserve@v0.20.0 python/kserve/kserve/model_server.py:53, --http_port)."""
DEPLOYMENT_MODE = "serving.kserve.io/deploymentMode"


def inference_service(
    model: ModelService, *, namespace: Any, queue: Any, hf_secret: Any | None, priority: str | None = None
) -> dict[str, Any]:
    """The model as a KServe InferenceService (v1beta1) on the Hugging Face runtime, with a canary when asked.

    The runtime `kserve-huggingfaceserver` runs vllm 0.24.0 (kserve@v0.20.0 python/kserve/pyproject.toml:78)
    and parses with parse_known_args, dropping unknown flags (python/huggingfaceserver/huggingfaceserver/
    __main__.py:168,213), so only the typed engine flags are passed and extra args are a plan error.
    `--model_id` makes the server download from the hub itself, with the token file, into the sized cache
    (__main__.py:53-57). A canary needs the Standard mode spelled on the object (pkg/apis/serving/v1beta1/
    inference_service_validation.go:188-191), a name of its own and no maxReplicas (:200-240); KServe
    splits traffic by replicas (components/predictor.go:795-800, 886-895).
    """
    pod = pod_template(model, hf_secret=hf_secret)
    base = pod["spec"]["containers"][0]

    def predictor(revision: str | None) -> dict[str, Any]:
        flags = [
            f"--model_id={model.model_id}",
            *([f"--model_revision={revision}"] if revision else []),
            # Clients ask for the repo id, as in the other modes; it overrides the runtime's --model_name
            # of the object's name (huggingfaceserver/__main__.py:235-236).
            f"--served-model-name={model.model_id}",
            f"--tensor-parallel-size={model.tensor_parallel}",
            # The server's own spelling of max_model_len (huggingfaceserver/__main__.py:98-100).
            f"--max_length={model.max_model_len}",
            f"--gpu-memory-utilization={model.gpu_memory_utilization}",
            f"--max-num-seqs={model.max_num_seqs}",
        ]
        if model.quantization:
            flags.append(f"--quantization={model.quantization}")
        if model.kv_cache_dtype != "auto":
            flags.append(f"--kv-cache-dtype={model.kv_cache_dtype}")
        # Ready once every model is loaded: the v2 protocol's server readiness (kserve/protocol/rest/v2_endpoints.py).
        probe = {"httpGet": {"path": "/v2/health/ready", "port": ISVC_PORT}, "timeoutSeconds": 5}
        budget = model.budget
        spec: dict[str, Any] = {
            # The runtime's container, which KServe merges this onto (config/runtimes/kserve-huggingfaceserver.yaml:20);
            # the canary's schema requires the name.
            "name": "kserve-container",
            "modelFormat": {"name": "huggingface"},
            "runtime": "kserve-huggingfaceserver",
            "args": flags,
            "env": base["env"],
            "resources": base["resources"],
            "securityContext": base["securityContext"],
            "volumeMounts": base["volumeMounts"],
            "startupProbe": {**probe, "periodSeconds": budget.probe_period_seconds, "failureThreshold": budget.probe_failures},
            "readinessProbe": {**probe, "periodSeconds": 10, "failureThreshold": 3},
        }
        return spec

    pod_spec = {k: v for k, v in pod["spec"].items() if k != "containers"}
    stable: dict[str, Any] = {
        **pod_spec,
        "name": "stable",
        "minReplicas": model.replicas,
        "model": predictor(None),
        "labels": pod["metadata"]["labels"],
        "annotations": {k: v for k, v in pod["metadata"]["annotations"].items() if k != "kubectl.kubernetes.io/default-container"},
    }
    body: dict[str, Any] = {"predictor": stable}
    if model.canary_revision:
        canary = {**{k: v for k, v in stable.items() if k != "minReplicas"}, "name": "canary", "model": predictor(model.canary_revision)}
        body["canary"] = [{"predictor": canary, "trafficPercent": model.canary_percent}]
    else:
        stable["maxReplicas"] = model.max_replicas
    return manifest(
        KSERVE_ISVC,
        "InferenceService",
        model.name,
        namespace,
        labels=_workload_labels(model, queue, priority),
        annotations={DEPLOYMENT_MODE: "Standard"},
        spec=body,
    )


def group_policy(model: ModelService, namespace: Any) -> dict[str, Any]:
    """Lets the pods of one LeaderWorkerSet group reach each other on any port: torch.distributed's
    store on the master port and NCCL's own sockets (the network layer denies everything else)."""
    group = {"podSelector": {"matchLabels": {LWS_NAME_LABEL: model.name}}}
    return manifest(
        NETWORKING,
        "NetworkPolicy",
        f"{model.name}-group",
        namespace,
        labels=labels(COMPONENT, model.name),
        spec={**group, "policyTypes": ["Ingress", "Egress"], "ingress": [{"from": [group]}], "egress": [{"to": [group]}]},
    )


def _rolling(model: ModelService) -> dict[str, int]:
    return {"maxSurge": 1, "maxUnavailable": 0} if model.allow_surge else {"maxSurge": 0, "maxUnavailable": 1}


def disruption_budget(model: ModelService, namespace: Any) -> dict[str, Any]:
    """At most one replica evicted at a time by drains and node upgrades (one replica: it may go, or nodes never drain)."""
    return manifest(
        POLICY,
        "PodDisruptionBudget",
        model.name,
        namespace,
        labels=labels(COMPONENT, model.name),
        spec={"maxUnavailable": 1, "selector": {"matchLabels": selector(model.name)}},
    )


def service(model: ModelService, namespace: Any) -> dict[str, Any]:
    return manifest(
        CORE,
        "Service",
        model.name,
        namespace,
        labels=labels(COMPONENT, model.name),
        spec={
            "type": "ClusterIP",
            # Only a group's leader serves HTTP.
            "selector": {**selector(model.name), LWS_WORKER_INDEX_LABEL: "0"} if model.multi_node else selector(model.name),
            "ports": [{"name": PORT_NAME, "port": PORT, "targetPort": PORT_NAME, "protocol": "TCP"}],
        },
    )
