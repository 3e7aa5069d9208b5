"""Bad stacks: each must fail before any resource is registered, with the exact line it produces."""

from __future__ import annotations

import copy
import json
import time
import subprocess
import sys
from typing import Any

import pytest

from stacks.plan.cli import main
from components.core.problems import ConfigError
from ..conftest import EKS, EXISTING, GKE, PROJECT, resolved, write_stack

REMOVE = object()
LABEL = "use a-z, A-Z, 0-9, '-', '_' and '.'"


def changed(base: dict[str, Any], *edits: tuple[str, Any]) -> dict[str, Any]:
    """`base` with each dotted path set to a value (or removed with REMOVE)."""
    out = copy.deepcopy(base)
    for path, value in edits:
        *parents, last = path.split(".")
        node = out
        for key in parents:
            node = node.setdefault(key, {})
        if value is REMOVE:
            del node[last]
        else:
            node[last] = value
    return out


def problems(values: dict[str, Any], secret: tuple[str, ...] = ()) -> list[str]:
    try:
        resolved(values, secret=secret)
    except ConfigError as e:
        return [p.line() for p in e.problems]
    return []


CASES = [
    ("misspelt top-level key", {**GKE, "nodepools": {}},
     ["inferfleet:nodepools: unknown key; did you mean 'nodePools'? valid keys: environment, cluster, nodePools, models, "
      "scheduling, monitoring, versions, hfToken, kubeconfig, grafanaAdminPassword"]),
    ("misspelt pool key", changed(GKE, ("nodePools.l4.gpusPerNodes", 2)),
     ["inferfleet:nodePools.l4.gpusPerNodes: unknown key; did you mean 'gpusPerNode'? valid keys: gpu, gpusPerNode, "
      "machineType, nodes, capacity, reservation, zones, mig, sharing, allocation, labels, taints, diskSizeGb, suspend, nodeSelector, node"]),
    ("wrong type", changed(GKE, ("nodePools.l4.gpusPerNode", "two")),
     ["inferfleet:nodePools.l4.gpusPerNode: 'two' is not a whole number; valid: a whole number, e.g. 1"]),
    ("a taint without its effect", changed(GKE, ("nodePools.l4.taints", [{"key": "team"}])),
     ["inferfleet:nodePools.l4.taints[0].effect: required key is missing; valid: NoSchedule, PreferNoSchedule, NoExecute"]),
    ("a list where a mapping belongs", changed(GKE, ("nodePools.l4.nodes", [0, 2])),
     ["inferfleet:nodePools.l4.nodes: a list is not a mapping of keys; valid: a mapping of keys"]),
    ("text where a flag belongs", changed(GKE, ("cluster.regional", "maybe")),
     ["inferfleet:cluster.regional: 'maybe' is not true or false; valid: true or false"]),
    ("GPU not in the catalog", changed(GKE, ("nodePools.l4.gpu", "T4")),
     ["inferfleet:nodePools.l4.gpu: unknown GPU 'T4'; valid: L4, A10G, L40S, A100-40GB, A100-80GB, H100-80GB, H200-141GB, B200"]),
    ("GPU the cloud does not offer", changed(GKE, ("nodePools.l4.gpu", "A10G")),
     ["inferfleet:nodePools.l4.gpu: GKE offers no A10G machines; valid on GKE: L4, A100-40GB, A100-80GB, H100-80GB, "
      "H200-141GB, B200"]),
    ("GPU count no machine has", changed(GKE, ("nodePools.l4.gpusPerNode", 3)),
     ["inferfleet:nodePools.l4.gpusPerNode: no GKE machine has 3 x L4; valid GPU counts: 1, 2, 4, 8"]),
    ("machine type not in the catalog", changed(EKS, ("nodePools.l4.machineType", "g6.4xlarge")),
     ["inferfleet:nodePools.l4.machineType: 'g6.4xlarge' is not among the EKS machines with 1 x L4; valid: g6.xlarge, g6.2xlarge"]),
    ("MIG on a GPU without MIG", changed(GKE, ("nodePools.l4.mig", "1g.10gb")),
     ["inferfleet:nodePools.l4.mig: L4 has no MIG; GPUs with MIG: A100-40GB, A100-80GB, H100-80GB, H200-141GB, B200"]),
    ("MIG profile of another GPU", changed(GKE, ("nodePools.l4.gpu", "A100-40GB"), ("nodePools.l4.mig", "3g.40gb")),
     ["inferfleet:nodePools.l4.mig: '3g.40gb' is not a MIG profile of A100-40GB; valid: 1g.5gb, 1g.10gb, 2g.10gb, "
      "3g.20gb, 4g.20gb, 7g.40gb"]),
    ("min above max", changed(GKE, ("nodePools.l4.nodes", {"min": 3, "max": 2})),
     ["inferfleet:nodePools.l4.nodes.min: 3 is more than max 2; min must be <= max"]),
    ("spot with a reservation", changed(GKE, ("nodePools.l4.capacity", "spot"), ("nodePools.l4.reservation", "res-1")),
     ["inferfleet:nodePools.l4.reservation: not used with capacity: spot; a reservation needs capacity: reservation or "
      "capacity-block"]),
    ("reservation without a name", changed(GKE, ("nodePools.l4.capacity", "reservation")),
     ["inferfleet:nodePools.l4.reservation: required with capacity: reservation; name the reservation"]),
    ("capacity the cloud does not sell", changed(EKS, ("nodePools.l4.capacity", "flex-start")),
     ["inferfleet:nodePools.l4.capacity: 'flex-start' is not offered on EKS; valid: on-demand, spot, reservation, "
      "capacity-block"]),
    ("model on a pool that does not exist", changed(GKE, ("models.qwen.pool", "h100")),
     ["inferfleet:models.qwen.pool: no node pool 'h100'; valid: l4"]),
    ("gated model without a token", changed(GKE, ("models.qwen.model", "meta-llama/Llama-3.1-8B-Instruct")),
     ["inferfleet:models.qwen.model: meta-llama/Llama-3.1-8B-Instruct is gated on Hugging Face and needs a token; "
      "set it with: pulumi config set --secret inferfleet:hfToken <token>"]),
    ("unknown cloud", changed(GKE, ("cluster.provider", "aks")),
     ["inferfleet:cluster: 'aks' is not a known provider; valid: gke, eks, existing"]),
    ("required key missing", changed(GKE, ("cluster.project", REMOVE)),
     ["inferfleet:cluster.project: required key is missing; the Google Cloud project id, e.g. acme-inference"]),
    ("pool name that is not a DNS label", {**GKE, "nodePools": {"L4_pool": GKE["nodePools"]["l4"]}, "models": {}},
     ["inferfleet:nodePools.L4_pool: 'L4_pool' is not a valid name; use 1-30 lowercase letters, digits and '-', "
      "starting with a letter and not ending with '-'"]),
    ("EKS in one zone", changed(EKS, ("cluster.zones", ["us-east-1a"])),
     ["inferfleet:cluster.zones: needs at least 2 item(s), got 1; EKS needs subnets in two zones at least, "
      "e.g. [us-east-1a, us-east-1b]"]),
    ("tensor parallelism that does not divide the node", changed(GKE, ("nodePools.l4.gpusPerNode", 4), ("models.qwen.gpus", 3)),
     ["inferfleet:models.qwen.gpus: 3 does not divide the 4 GPUs of a g2-standard-48 node in pool l4; valid: 1, 2, 4"]),
    ("weights larger than the GPU", changed(GKE, ("models.qwen.model", "Qwen/Qwen2.5-72B-Instruct")),
     ["inferfleet:models.qwen.gpus: Qwen/Qwen2.5-72B-Instruct (bf16) needs 135.04 GiB of weights per GPU at gpus: 1, "
      "but one L4 gives vLLM 20.7 GiB (0.92 x 22.5 GiB, less 3 GiB for activations); valid: "
      "nodePools.l4.gpusPerNode: 8 with gpus: 8, or nodePools.l4.gpu: B200 with gpusPerNode: 8"]),
    ("context longer than the KV cache", changed(GKE, ("models.qwen.maxModelLen", 32768)),
     ["inferfleet:models.qwen.maxModelLen: 32768 tokens need 4.5 GiB of KV cache per GPU at gpus: 1 but only 2.43 GiB "
      "remain after the weights on one L4; valid: maxModelLen <= 17664, or kvCacheDtype: fp8, or precision: fp8, "
      "or nodePools.l4.gpusPerNode: 2 with gpus: 2, or nodePools.l4.gpu: A100-40GB"]),
    ("MIG slices joined for tensor parallelism",
     changed(GKE, ("nodePools.l4.gpu", "A100-80GB"), ("nodePools.l4.mig", "3g.40gb"), ("models.qwen.gpus", 2)),
     ["inferfleet:models.qwen.gpus: MIG slices cannot be combined for tensor parallelism; valid on pool l4: 1"]),
    ("minimum replicas above the pool's capacity", changed(GKE, ("models.qwen.replicas", {"min": 3, "max": 4})),
     ["inferfleet:nodePools.l4.nodes.max: the minimum replicas placed here (qwen 3 x 1) need 3 GPUs but 2 node(s) give 2; "
      "valid: nodes.max >= 3"]),
    ("model outside the catalog without a size", changed(GKE, ("models.qwen.model", "acme/foo-7b")),
     ["inferfleet:models.qwen.model: 'acme/foo-7b' is not in the model catalog; describe it with models.qwen.size "
      "(weightsGb, layers, kvHeads, headDim), set models.qwen.unchecked: true to serve it unsized, or use one of: "
      "meta-llama/Llama-3.1-8B-Instruct, meta-llama/Llama-3.1-70B-Instruct, meta-llama/Llama-3.3-70B-Instruct, "
      "meta-llama/Llama-3.1-405B-Instruct, meta-llama/Llama-3.1-405B-Instruct-FP8, Qwen/Qwen3-8B, Qwen/Qwen3-32B, "
      "Qwen/Qwen3-235B-A22B, Qwen/Qwen2.5-7B-Instruct, Qwen/Qwen2.5-72B-Instruct, mistralai/Mistral-7B-Instruct-v0.3, "
      "mistralai/Mixtral-8x7B-Instruct-v0.1, openai/gpt-oss-120b, openai/gpt-oss-20b, deepseek-ai/DeepSeek-V3, "
      "deepseek-ai/DeepSeek-R1, google/gemma-3-27b-it, microsoft/phi-4"]),
    ("existing pool without its node shape", changed(EXISTING, ("nodePools.l4.node", REMOVE)),
     ["inferfleet:nodePools.l4.node: required for an existing cluster: the vCPUs and memory of one node, "
      "e.g. {vcpus: 48, memoryGib: 384}"]),
    ("a pool named like the system pool", {**GKE, "nodePools": {"system": GKE["nodePools"]["l4"]}, "models": {}},
     ["inferfleet:nodePools.system: 'system' names the pool for platform components; choose another name"]),
    ("a Capacity Block outside one zone",
     changed(EKS, ("nodePools.l4.capacity", "capacity-block"), ("nodePools.l4.reservation", "cr-0123456789abcdef0")),
     ["inferfleet:nodePools.l4.zones: a Capacity Block lives in one zone; list exactly that zone"]),
    ("a new EKS VPC too small for pod addresses", changed(EKS, ("cluster.network", {"vpcCidr": "10.0.0.0/22"})),
     ["inferfleet:cluster.network.vpcCidr: 10.0.0.0/22 leaves too few pod addresses per zone (the VPC CNI gives every "
      "pod a VPC address); valid: a /20 or larger block, e.g. 10.0.0.0/16"]),
    ("EKS zones that share a letter", changed(EKS, ("cluster.zones", ["us-east-1a", "us-east-2a"])),
     ["inferfleet:cluster.zones: each zone gets subnets by its letter; valid: zones ending in distinct letters a-g, "
      "e.g. us-east-1a, us-east-1b",
      "inferfleet:cluster.zones: us-east-2a not in region us-east-1; use zones of us-east-1, e.g. us-east-1a"]),
    ("a pool that can never have a node", changed(GKE, ("nodePools.l4.nodes", {"min": 0, "max": 0})),
     ["inferfleet:nodePools.l4.nodes.max: 0 is out of range; must be >= 1"]),
    ("GKE preflight asked of the offline plan", changed(GKE, ("cluster.preflight", {"inPlan": True})),
     ["inferfleet:cluster.preflight.inPlan: the GKE preflight asks pulumi-gcp data sources, which only a real pulumi "
      "preview or up can answer; remove inPlan"]),
    ("existing cluster without a kubeconfig", changed(EXISTING, ("kubeconfig", REMOVE)),
     ["inferfleet:kubeconfig: required with cluster.provider: existing; set it with: "
      "pulumi config set --secret inferfleet:kubeconfig < ~/.kube/config"]),
    ("Kubernetes older than DRA v1", changed(GKE, ("versions", {"kubernetes": "1.30"})),
     ["inferfleet:versions.kubernetes: '1.30' is not a supported Kubernetes minor; valid: 1.34 or newer "
      "(DRA v1 is GA from 1.34), written like 1.34"]),
    ("Grafana without a password", changed(GKE, ("monitoring", {"grafana": True})),
     ["inferfleet:monitoring.grafana: Grafana needs an admin password; set it with: "
      "pulumi config set --secret inferfleet:grafanaAdminPassword <password>"]),
    ("vLLM flag inferfleet owns", changed(GKE, ("models.qwen.vllm", {"extraArgs": ["--tensor-parallel-size=2"]})),
     ["inferfleet:models.qwen.vllm.extraArgs: '--tensor-parallel-size' sets tensor_parallel_size, which inferfleet sets "
      "from models.qwen.gpus; valid: set models.qwen.gpus and drop the flag"]),
    ("several problems at once", changed(GKE, ("nodePools.l4.gpu", "T4"), ("models.qwen.pool", "h100")),
     ["inferfleet:models.qwen.pool: no node pool 'h100'; valid: l4",
      "inferfleet:nodePools.l4.gpu: unknown GPU 'T4'; valid: L4, A10G, L40S, A100-40GB, A100-80GB, H100-80GB, "
      "H200-141GB, B200"]),
]


CUSTOM = changed(GKE, ("models.qwen.model", "acme/foo-7b"),
                 ("models.qwen.size", {"weightsGb": 14, "layers": 32, "kvHeads": 8, "headDim": 128}))

# Issue 8: input that crashed, hung or slipped through.
CASES += [
    # numbers are finite and sane (bullet 3)
    ("infinite weights", changed(CUSTOM, ("models.qwen.size.weightsGb", float("inf"))),
     ["inferfleet:models.qwen.size.weightsGb: inf is not a finite number; valid: a finite number"]),
    ("NaN weights", changed(CUSTOM, ("models.qwen.size.weightsGb", float("nan"))),
     ["inferfleet:models.qwen.size.weightsGb: nan is not a finite number; valid: a finite number"]),
    ("weights of 1e300 GB", changed(CUSTOM, ("models.qwen.size.weightsGb", 1e300)),
     ["inferfleet:models.qwen.size.weightsGb: 1e+300 is out of range; must be <= 10000"]),
    ("a million layers", changed(CUSTOM, ("models.qwen.size.layers", 10**6)),
     ["inferfleet:models.qwen.size.layers: 1000000 is out of range; must be <= 1024"]),
    ("a context of 2**40 tokens", changed(CUSTOM, ("models.qwen.size.context", 2**40)),
     ["inferfleet:models.qwen.size.context: 1099511627776 is out of range; must be <= 16777216"]),
    ("maxModelLen of 2**40", changed(GKE, ("models.qwen.maxModelLen", 2**40)),
     ["inferfleet:models.qwen.maxModelLen: 1099511627776 is out of range; must be <= 16777216"]),
    ("infinite memory utilization", changed(GKE, ("models.qwen.vllm", {"gpuMemoryUtilization": float("-inf")})),
     ["inferfleet:models.qwen.vllm.gpuMemoryUtilization: -inf is not a finite number; valid: a finite number"]),
    # one spelling per key (bullet 1)
    ("a snake_case top-level key", {**GKE, "node_pools": GKE["nodePools"]},
     ["inferfleet:node_pools: unknown key; did you mean 'nodePools'? valid keys: environment, cluster, nodePools, "
      "models, scheduling, monitoring, versions, hfToken, kubeconfig, grafanaAdminPassword"]),
    ("a snake_case pool key", changed(GKE, ("nodePools.l4.gpus_per_node", 2)),
     ["inferfleet:nodePools.l4.gpus_per_node: unknown key; did you mean 'gpusPerNode'? valid keys: gpu, gpusPerNode, "
      "machineType, nodes, capacity, reservation, zones, mig, sharing, allocation, labels, taints, diskSizeGb, suspend, nodeSelector, "
      "node"]),
    ("a snake_case cluster key", changed(GKE, ("cluster.release_channel", "RAPID")),
     ["inferfleet:cluster.release_channel: unknown key; did you mean 'releaseChannel'? valid keys: provider, project, "
      "region, zones, regional, name, releaseChannel, network, endpoint, systemPool, managedDcgm, preflight, protect"]),
    # Kubernetes' and the clouds' name rules (bullet 4; components/core/names.py has the sources)
    ("a label key with a space", changed(GKE, ("nodePools.l4.labels", {"team name": "ml"})),
     [f"inferfleet:nodePools.l4.labels.team name: label key 'team name': a space at position 5 is not allowed; {LABEL}"]),
    ("a label key with a non-ASCII letter", changed(GKE, ("nodePools.l4.labels", {"t\u00e9am": "ml"})),
     [f"inferfleet:nodePools.l4.labels.t\u00e9am: label key 't\\xe9am': U+00E9 (not ASCII) at position 2 is not "
      f"allowed; {LABEL}"]),
    ("a label key with two slashes", changed(GKE, ("nodePools.l4.labels", {"a/b/c": "ml"})),
     ["inferfleet:nodePools.l4.labels.a/b/c: label key 'a/b/c': has more than one '/'; write an optional prefix, '/', "
      "then a name, e.g. example.com/gpu"]),
    ("a label value with a space", changed(GKE, ("nodePools.l4.labels", {"team": "ML ops"})),
     [f"inferfleet:nodePools.l4.labels.team: label value 'ML ops': a space at position 3 is not allowed; {LABEL}"]),
    ("a label value with a non-ASCII letter", changed(GKE, ("nodePools.l4.labels", {"team": "\u00fcber"})),
     [f"inferfleet:nodePools.l4.labels.team: label value '\\xfcber': U+00FC (not ASCII) at position 1 is not "
      f"allowed; {LABEL}"]),
    ("a label value too long", changed(GKE, ("nodePools.l4.labels", {"team": "x" * 64})),
     ["inferfleet:nodePools.l4.labels.team: label value '" + "x" * 37 + "...': must be at most 63 characters (it has 64)"]),
    ("a taint key with a space", changed(GKE, ("nodePools.l4.taints", [{"key": "dedicated team", "effect": "NoSchedule"}])),
     [f"inferfleet:nodePools.l4.taints[0].key: taint key 'dedicated team': a space at position 10 is not allowed; {LABEL}"]),
    ("a taint key with an uppercase prefix",
     changed(GKE, ("nodePools.l4.taints", [{"key": "Example.com/gpu", "effect": "NoSchedule"}])),
     ["inferfleet:nodePools.l4.taints[0].key: taint key 'Example.com/gpu': prefix 'Example.com': 'E' at position 1 is "
      "not allowed; use lowercase only: a-z, 0-9, '-' and '.'"]),
    ("a taint value with a space",
     changed(GKE, ("nodePools.l4.taints", [{"key": "dedicated", "value": "gpu users", "effect": "NoSchedule"}])),
     [f"inferfleet:nodePools.l4.taints[0].value: taint value 'gpu users': a space at position 4 is not allowed; {LABEL}"]),
    ("a taint value with a non-ASCII letter",
     changed(GKE, ("nodePools.l4.taints", [{"key": "dedicated", "value": "\u00e9quipe", "effect": "NoSchedule"}])),
     [f"inferfleet:nodePools.l4.taints[0].value: taint value '\\xe9quipe': U+00E9 (not ASCII) at position 1 is not "
      f"allowed; {LABEL}"]),
    ("a nodeSelector value with a space", changed(EXISTING, ("nodePools.l4.nodeSelector", {"pool": "gpu pool"})),
     [f"inferfleet:nodePools.l4.nodeSelector.pool: label value 'gpu pool': a space at position 4 is not allowed; {LABEL}"]),
    ("a nodeSelector key with a non-ASCII letter", changed(EXISTING, ("nodePools.l4.nodeSelector", {"p\u00f6ol": "gpu"})),
     [f"inferfleet:nodePools.l4.nodeSelector.p\u00f6ol: label key 'p\\xf6ol': U+00F6 (not ASCII) at position 2 is "
      f"not allowed; {LABEL}"]),
    ("a pool zone of an existing cluster with a space", changed(EXISTING, ("nodePools.l4.zones", ["zone a"])),
     [f"inferfleet:nodePools.l4.zones[0]: zone 'zone a': a space at position 5 is not allowed; {LABEL}"]),
    ("a namespace with uppercase letters", changed(GKE, ("models.qwen.namespace", "Inference")),
     ["inferfleet:models.qwen.namespace: 'Inference' is not a valid name; use 1-30 lowercase letters, digits and '-', "
      "starting with a letter and not ending with '-'"]),
    ("a zone with a Cyrillic letter", changed(GKE, ("cluster.zones", ["us-centr\u0430l1-a"])),
     ["inferfleet:cluster.zones[0]: zone 'us-centr\\u0430l1-a': U+0430 (not ASCII) at position 9 is not allowed; "
      "use a-z, 0-9 and '-'"]),
    ("a region with a Cyrillic letter", changed(GKE, ("cluster.region", "us-centr\u0430l1")),
     ["inferfleet:cluster.region: region 'us-centr\\u0430l1': U+0430 (not ASCII) at position 9 is not allowed; "
      "use a-z, 0-9 and '-'"]),
    ("a GCP project id in uppercase", changed(GKE, ("cluster.project", "Acme-Inference")),
     ["inferfleet:cluster.project: project id 'Acme-Inference': 'A' at position 1 is not allowed; use lowercase only: "
      "a-z, 0-9 and '-'"]),
    ("a GCP project id with a space", changed(GKE, ("cluster.project", "acme inference")),
     ["inferfleet:cluster.project: project id 'acme inference': a space at position 5 is not allowed; use a-z, 0-9 and '-'"]),
    ("a GCP region that is a zone", changed(GKE, ("cluster.region", "us-central1-a")),
     ["inferfleet:cluster.region: region 'us-central1-a': is not a region such as us-central1 or europe-west4"]),
    ("a GCP zone in AWS syntax", changed(GKE, ("cluster.zones", ["us-central1a"])),
     ["inferfleet:cluster.zones[0]: zone 'us-central1a': is not a zone such as us-central1-a (its region, '-' and a letter)"]),
    ("a GCP zone of another region", changed(GKE, ("cluster.zones", ["us-central1-a", "us-east1-b"])),
     ["inferfleet:cluster.zones: us-east1-b not in region us-central1; use zones of us-central1, e.g. us-central1-a"]),
    ("an AWS zone in GCP syntax", changed(EKS, ("cluster.zones", ["us-east-1a", "us-east-1-b"])),
     ["inferfleet:cluster.zones[1]: zone 'us-east-1-b': is not a zone such as us-east-1a (its region and a letter)"]),
    ("an AWS region in uppercase", changed(EKS, ("cluster.region", "US-EAST-1")),
     ["inferfleet:cluster.region: region 'US-EAST-1': 'U' at position 1 is not allowed; use lowercase only: a-z, 0-9 "
      "and '-'"]),
    ("an AWS zone of another region", changed(EKS, ("cluster.zones", ["us-east-1a", "us-west-2b"])),
     ["inferfleet:cluster.zones: us-west-2b not in region us-east-1; use zones of us-east-1, e.g. us-east-1a"]),
    ("an AWS Local Zone as a cluster zone", changed(EKS, ("cluster.zones", ["us-east-1a", "us-east-1-bos-1a"])),
     ["inferfleet:cluster.zones[1]: zone 'us-east-1-bos-1a': is not a zone such as us-east-1a (its region and a letter)"]),
    # derived defaults (bullet 6): an error a derived value causes says it was derived, and from what
    ("a model too large for its derived share of a GPU",
     changed(GKE, ("nodePools.l4.sharing", {"strategy": "time-slicing", "clientsPerGpu": 8})),
     ["inferfleet:models.qwen.gpus: Qwen/Qwen3-8B (bf16) needs 15.27 GiB of weights per GPU at gpus: 1, but one L4 "
      "gives vLLM 2.48 GiB (0.11 x 22.5 GiB, less 3 GiB for activations) (gpuMemoryUtilization 0.11 is derived: 0.92 / 8 time-slicing clients per GPU of pool l4); "
      "valid: a pool with larger GPUs or more GPUs per node"]),
    ("a derived maxModelLen longer than the KV cache", changed(CUSTOM, ("models.qwen.size.layers", 256)),
     ["inferfleet:models.qwen.maxModelLen: 8192 tokens need 8.0 GiB of KV cache per GPU at gpus: 1 but only 4.66 GiB "
      "remain after the weights on one L4 (maxModelLen 8192 is derived: min(8192, the model's context 8192)); "
      "valid: maxModelLen <= 4608, or kvCacheDtype: fp8, or nodePools.l4.gpusPerNode: 2 with gpus: 2, "
      "or nodePools.l4.gpu: A100-40GB"]),
    ("a set share of a GPU over the limit", changed(GKE, ("nodePools.l4.sharing", {"strategy": "mps", "clientsPerGpu": 8}),
                                                    ("models.qwen.vllm", {"gpuMemoryUtilization": 0.2})),
     ["inferfleet:models.qwen.vllm.gpuMemoryUtilization: 0.2 x 8 pods sharing a GPU is more than the GPU; valid: <= 0.11"]),
    ("a newline in a value stays on one line", changed(GKE, ("cluster.provider", "gke\naks")),
     ["inferfleet:cluster: 'gke\\naks' is not a known provider; valid: gke, eks, existing"]),
    ("an invisible character in a key", {**GKE, "\ue000": 1},
     ["inferfleet:\\ue000: unknown key; valid keys: environment, cluster, nodePools, models, scheduling, monitoring, "
      "versions, hfToken, kubeconfig, grafanaAdminPassword"]),
    ("a plaintext secret in snake_case", {**GKE, "grafana_admin_password": "pw"},
     ["inferfleet:grafana_admin_password: is a secret in plaintext, under another spelling of grafanaAdminPassword; "
      "remove it and set it with: pulumi config set --secret inferfleet:grafanaAdminPassword <value>"]),
]


@pytest.mark.parametrize(("values", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_stack_reports_exact_problems(values: dict[str, Any], expected: list[str]) -> None:
    secret = ("kubeconfig",) if "kubeconfig" in values else ()
    assert problems(values, secret) == expected


def test_a_plaintext_secret_is_rejected() -> None:
    assert problems({**GKE, "hfToken": "hf_plaintext"}) == [
        "inferfleet:hfToken: must be stored as a secret; set it with: pulumi config set --secret inferfleet:hfToken <value>"
    ]


def test_limits_are_accepted_up_to_the_boundary() -> None:
    """The pool's maximum holds exactly the minimum replicas; one more replica fails."""
    at_limit = changed(GKE, ("models.qwen.replicas", {"min": 2, "max": 4}))
    over = changed(GKE, ("models.qwen.replicas", {"min": 3, "max": 4}))
    assert problems(at_limit) == []
    assert problems(over) != []


@pytest.mark.parametrize(
    ("name", "values", "line"),
    [
        ("typo", {**GKE, "nodepools": {}}, "inferfleet:nodepools: unknown key"),
        ("type", changed(GKE, ("nodePools.l4.gpusPerNode", "two")), "inferfleet:nodePools.l4.gpusPerNode: 'two' is not a whole number"),
        ("gpu", changed(GKE, ("nodePools.l4.gpu", "T4")), "inferfleet:nodePools.l4.gpu: unknown GPU 'T4'"),
        ("pool", changed(GKE, ("models.qwen.pool", "h100")), "inferfleet:models.qwen.pool: no node pool 'h100'"),
        ("gated", changed(GKE, ("models.qwen.model", "meta-llama/Llama-3.1-8B-Instruct")),
         "inferfleet:models.qwen.model: meta-llama/Llama-3.1-8B-Instruct is gated"),
    ],
)
def test_plan_exits_2_with_one_line_per_problem(tmp_path, capsys, name: str, values: dict[str, Any], line: str) -> None:
    status = main(["plan", str(write_stack(tmp_path, values)), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err.splitlines()
    assert status == 2
    assert err[0].endswith(": invalid stack configuration")
    assert len(err) == 2 and err[1].startswith(line)
    assert not (tmp_path / "out").exists(), "nothing is written for an invalid stack"


def test_invalid_stack_in_a_real_process_has_no_traceback(tmp_path) -> None:
    path = write_stack(tmp_path, changed(GKE, ("nodePools.l4.gpu", "T4")))
    run = subprocess.run([sys.executable, "-m", "stacks", "plan", str(path)], cwd=PROJECT, capture_output=True, text=True)
    assert run.returncode == 2
    assert "Traceback" not in run.stderr
    assert "inferfleet:nodePools.l4.gpu: unknown GPU 'T4'" in run.stderr


def test_unreadable_stack_file_exits_2(tmp_path, capsys) -> None:
    path = tmp_path / "Pulumi.broken.yaml"
    path.write_text("config: [not, a, mapping]\n")
    assert main(["plan", str(path)]) == 2
    assert capsys.readouterr().err == (
        f"{path}:1: config: is a list; it must be a mapping of keys to values, e.g. config: {{inferfleet:cluster: ...}}\n"
    )


# Names inferfleet derives from the project and stack names (bullet 4), and the stack each case runs as.
DERIVED = [
    ("a GKE cluster name derived from an uppercase stack name", GKE, "MyStack",
     ["inferfleet:cluster.name: not set, so derived from the project and stack names as 'inferfleet-MyStack', which is "
      "not a GKE cluster name: 'M' at position 12 is not allowed; use lowercase only: a-z, 0-9 and '-'; set cluster.name"]),
    ("a GKE cluster name derived from a long stack name", GKE, "s" * 30,
     ["inferfleet:cluster.name: not set, so derived from the project and stack names as 'inferfleet-" + "s" * 26 + "...', "
      "which is not a GKE cluster name: must be at most 40 characters (it has 41); set cluster.name"]),
    ("a GKE cluster name derived from a stack name with a dot", GKE, "team.a",
     ["inferfleet:cluster.name: not set, so derived from the project and stack names as 'inferfleet-team.a', which is "
      "not a GKE cluster name: '.' at position 16 is not allowed; use a-z, 0-9 and '-'; set cluster.name"]),
    ("an EKS cluster name derived from a stack name with a dot", EKS, "team.a",
     ["inferfleet:cluster.name: not set, so derived from the project and stack names as 'inferfleet-team.a', which is "
      "not an EKS cluster name: '.' at position 16 is not allowed; use a-z, A-Z, 0-9, '-' and '_'; set cluster.name"]),
    ("IAM role names derived from a long stack name", changed(EKS, ("cluster.name", "prod")), "s" * 32,
     ["inferfleet:cluster: the IAM role names derived from the project and stack names, such as "
      "'inferfleet-" + "s" * 26 + "...' and Pulumi's 8-character suffix, are not IAM role names: must be at most 64 "
      "characters (it has 65); valid: <project>-<stack> of at most 42 characters (it is 43)"]),
]


@pytest.mark.parametrize(("values", "stack", "expected"), [c[1:] for c in DERIVED], ids=[c[0] for c in DERIVED])
def test_a_derived_name_that_breaks_a_rule_says_what_it_was_derived_from(values, stack: str, expected: list[str]) -> None:
    with pytest.raises(ConfigError) as e:
        resolved(values, stack=stack)
    assert [p.line() for p in e.value.problems] == expected


def test_derived_names_at_the_limit_are_accepted() -> None:
    resolved(GKE, stack="s" * 29)  # inferfleet-<29> is 40 characters, GKE's limit
    resolved(changed(EKS, ("cluster.name", "prod")), stack="s" * 31)  # 42 + 14 + 8 = 64, IAM's limit


LAUGHS = b"".join(
    b"    %s: &%s [%s]\n" % (name, name, b",".join([previous] * 9))
    for name, previous in zip((b"a", b"b", b"c", b"d", b"e", b"f", b"g", b"h", b"i"),
                              (b"lol", b"*a", b"*b", b"*c", b"*d", b"*e", b"*f", b"*g", b"*h"))
)
GOOD_FILE = "config:\n  inferfleet:cluster: {provider: gke, project: acme-inference, region: us-central1, zones: [us-central1-a]}\n" \
    "  inferfleet:nodePools: {l4: {gpu: L4, nodes: {max: 2}}}\n"

# Stack files that crashed or hung the plan, or that Pulumi reads differently: bytes and the exact stderr line.
FILES = [
    ("UTF-16 with a BOM", "\ufeff".encode("utf-16-le") + GOOD_FILE.encode("utf-16-le"),
     "{path}: is UTF-16 LE (it starts with a UTF-16 LE byte order mark); save it as UTF-8"),
    ("UTF-16 without a BOM", GOOD_FILE.encode("utf-16-be"),
     "{path}: looks like UTF-16 BE without a byte order mark (it has NUL bytes); save it as UTF-8"),
    ("cp1252 text", (GOOD_FILE + "  inferfleet:models: {q: {model: Qwen/Qwen3-8B, pool: l4, namespace: caf\u00e9}}\n").encode("cp1252"),
     "{path}:4: byte 0xE9 at offset 245 is not UTF-8 (cp1252 or Latin-1 text?); save the file as UTF-8"),
    ("a numeric key under config", (GOOD_FILE + "  8080: x\n").encode(),
     "{path}:4: config: key 8080 is a number, not text; quote it ('8080') if it is a name"),
    ("a numeric top-level environment", (GOOD_FILE + "environment: 3\n").encode(),
     "{path}:4: environment: is the number 3; it must be a list of Pulumi ESC environment names, "
     "e.g. environment: [my-org/dev]"),
    ("a top-level environment: production", (GOOD_FILE + "environment: production\n").encode(),
     "{path}:4: environment: is the text 'production'; Pulumi's environment: lists ESC environments, "
     "e.g. environment: [my-org/dev]; the stack's own environment is a config key: "
     "config: {inferfleet:environment: production}"),
    ("a self-referencing alias", (GOOD_FILE + "  inferfleet:models: &m {q: *m}\n").encode(),
     "{path}:4: alias *m is used inside the value it names; an alias may only repeat a value that is complete"),
    ("billion laughs", b"config:\n  inferfleet:models:\n" + LAUGHS,
     "{path}:7: aliases expand to more than 10000 values (here, *d); write the values out instead of nesting aliases"),
    ("billion laughs under a foreign key", GOOD_FILE.encode() + b"  other:lol:\n" + LAUGHS,
     "{path}:9: aliases expand to more than 10000 values (here, *d); write the values out instead of nesting aliases"),
    ("a duplicated key", (GOOD_FILE + "  inferfleet:nodePools: {}\n").encode(),
     "{path}:4: config.inferfleet:nodePools: duplicate key (first at line 3, again at line 4); write each key once"),
    ("weightsGb: .inf", (GOOD_FILE + "  inferfleet:models: {q: {model: a/b, pool: l4, size: {weightsGb: .inf}}}\n").encode(),
     "{path}:4: config.inferfleet:models.q.size.weightsGb: .inf is not a finite number; write a number such as 1.5"),
    ("weightsGb: 1e300", (GOOD_FILE + "  inferfleet:models: {q: {model: a/b, pool: l4, size: {weightsGb: 1e300, layers: 32, "
                          "kvHeads: 8, headDim: 128}}}\n").encode(),
     "{path}: invalid stack configuration\n"
     "inferfleet:models.q.size.weightsGb: 1e+300 is out of range; must be <= 10000"),
    ("a near-miss namespace", (GOOD_FILE + "  inferfeet:models: {}\n").encode(),
     "{path}:4: config.inferfeet:models: unknown namespace 'inferfeet'; did you mean 'inferfleet:models'?"),
    ("a config key outside config", (GOOD_FILE + "inferfleet:models: {}\n").encode(),
     "{path}:4: inferfleet:models: unknown top-level key; a config key belongs under config:; "
     "valid keys: config, environment, secretsprovider, encryptedkey, encryptionsalt"),
    ("a key without a namespace", (GOOD_FILE + "  models: {}\n").encode(),
     "{path}:4: config.models: not a Pulumi config key; write <namespace>:<name>, e.g. inferfleet:cluster"),
    ("a list at the top", b"- config\n",
     "{path}:1: the file holds a list; a stack file is a mapping with a config: key"),
    ("a scalar at the top", b"inferfleet\n",
     "{path}:1: the file holds the text 'inferfleet'; a stack file is a mapping with a config: key"),
    ("a file over the size limit", b"config: {}\n" + b"#" * 1_000_000,
     "{path}: is 1000011 bytes, over the limit of 1000000; a stack file holds settings, a few kilobytes"),
]


@pytest.mark.parametrize(("data", "expected"), [c[1:] for c in FILES], ids=[c[0] for c in FILES])
def test_bad_stack_file_exits_2_with_its_exact_line(tmp_path, capsys, data: bytes, expected: str) -> None:
    path = tmp_path / "Pulumi.test.yaml"
    path.write_bytes(data)
    started = time.perf_counter()
    status = main(["plan", str(path)])
    elapsed = time.perf_counter() - started
    assert (status, capsys.readouterr().err) == (2, expected.replace("{path}", str(path)) + "\n")
    assert elapsed < 1.0, "a hostile file is refused at once"


RUNTIME = [
    ("an integer of 5000 digits", {"models": "{\"q\": {\"replicas\": {\"min\": " + "9" * 5000 + "}}}"},
     ["inferfleet:models: '{\"q\": {\"replicas\": {\"min\": " + "9" * 30 + "...' is not a mapping of keys; "
      "valid: a mapping of keys"]),
    ("JSON nested 100000 deep", {"models": "[" * 100_000 + "]" * 100_000},
     ["inferfleet:models: '" + "[" * 57 + "...' is not a mapping of keys; "
      "valid: a mapping of keys"]),
    ("JSON Infinity", {"models": '{"q": {"model": "a/b", "pool": "l4", "size": {"weightsGb": Infinity, "layers": 1, '
                                 '"kvHeads": 1, "headDim": 1}}}'},
     ["inferfleet:models.q.size.weightsGb: inf is not a finite number; valid: a finite number"]),
]


@pytest.mark.parametrize(("values", "expected"), [c[1:] for c in RUNTIME], ids=[c[0] for c in RUNTIME])
def test_bad_config_from_the_pulumi_runtime(values: dict[str, str], expected: list[str]) -> None:
    """`pulumi up` passes objects as JSON text; text that is not usable JSON is refused, never a crash."""
    from stacks.plan.engine import run_config

    base = {f"inferfleet:{k}": json.dumps(v) for k, v in GKE.items() if k != "models"}
    with pytest.raises(ConfigError) as e:
        run_config("inferfleet", "test", {**base, **{f"inferfleet:{k}": v for k, v in values.items()}}, [])
    assert [p.line() for p in e.value.problems] == expected


@pytest.mark.parametrize(("data", "message"), [
    (b"config:\n  inferfleet:models:\n" + LAUGHS, ":7: aliases expand to more than 10000 values"),
    ("\ufeffconfig: {}\n".encode("utf-16-le"), ": is UTF-16 LE (it starts with a UTF-16 LE byte order mark); save it as UTF-8"),
], ids=["billion laughs", "UTF-16"])
def test_a_hostile_file_exits_2_at_once_in_a_real_process(tmp_path, data: bytes, message: str) -> None:
    """The file is read before the plan imports Pulumi, so the whole process ends in well under a second
    on an idle machine (about 0.4 s); the bound leaves room for a loaded CI runner."""
    path = tmp_path / "Pulumi.hostile.yaml"
    path.write_bytes(data)
    started = time.perf_counter()
    run = subprocess.run([sys.executable, "-m", "stacks", "plan", str(path)], cwd=PROJECT, capture_output=True, text=True)
    assert time.perf_counter() - started < 3.0
    assert (run.returncode, run.stdout, "Traceback" in run.stderr) == (2, "", False)
    assert run.stderr.startswith(f"{path}{message}")
