"""Every bad GPU configuration is one line naming its config path and what would be valid."""

from __future__ import annotations

from typing import Any

import pytest

from components.core.problems import ConfigError

from ..conftest import EKS, EXISTING, GKE, config, resolved

A100 = {"gpu": "A100-80GB", "gpusPerNode": 8, "nodes": {"max": 1}, "diskSizeGb": 1000}
QWEN = {"model": "Qwen/Qwen3-8B", "pool": "a"}
BOTTLEROCKET = {**EKS["cluster"], "ami": "bottlerocket"}


def problems(values: dict[str, Any]) -> list[str]:
    try:
        resolved(values)
    except ConfigError as e:
        return [p.line() for p in e.problems]
    return []


CASES = [
    (
        "profile-not-on-gpu",
        config(EKS, nodePools={"a": {**A100, "mig": "2g.35gb"}}, models={}),
        "inferfleet:nodePools.a.mig: '2g.35gb' is not a MIG profile of A100-80GB; valid: 1g.10gb, 1g.20gb, 2g.20gb, 3g.40gb, 4g.40gb, 7g.80gb",
    ),
    (
        "gpu-without-mig",
        config(EKS, nodePools={"a": {"gpu": "L4", "nodes": {"max": 1}, "mig": "1g.10gb"}}, models={}),
        "inferfleet:nodePools.a.mig: L4 has no MIG; GPUs with MIG: A100-40GB, A100-80GB, H100-80GB, H200-141GB, B200",
    ),
    (
        "mig-and-sharing",
        config(EKS, nodePools={"a": {**A100, "mig": "1g.10gb", "sharing": {"strategy": "mps", "clientsPerGpu": 2}}}, models={}),
        "inferfleet:nodePools.a.sharing: cannot be combined with mig on one pool; choose mig or sharing",
    ),
    (
        "model-larger-than-slice",
        config(EKS, nodePools={"a": {**A100, "mig": "1g.10gb"}}, models={"qwen": QWEN}),
        None,  # the sizing message is serving's; asserted by its path below
    ),
    (
        "mig-on-bottlerocket",
        config(EKS, cluster=BOTTLEROCKET, nodePools={"a": {**A100, "mig": "1g.10gb"}}, models={}),
        "inferfleet:nodePools.a.mig: Bottlerocket's own device plugin serves these nodes and inferfleet does not configure "
        "its MIG; use cluster.ami: al2023 or drop mig",
    ),
    (
        "mps-on-bottlerocket",
        config(EKS, cluster=BOTTLEROCKET, nodePools={"a": {"gpu": "L4", "nodes": {"max": 1}, "sharing": {"strategy": "mps", "clientsPerGpu": 2}}},
               models={}),
        "inferfleet:nodePools.a.sharing.strategy: Bottlerocket's own device plugin serves these nodes and inferfleet configures only "
        "its time-slicing; use time-slicing or cluster.ami: al2023",
    ),
    (
        "dra-mig-on-gke",
        config(GKE, nodePools={"a": {"gpu": "A100-80GB", "nodes": {"max": 1}, "allocation": "dra", "mig": "1g.10gb"}}, models={}),
        "inferfleet:nodePools.a.mig: GKE has no MIG on DRA pools; drop mig here, or use allocation: device-plugin for GKE's MIG",
    ),
    (
        "dra-on-bottlerocket",
        config(EKS, cluster=BOTTLEROCKET, nodePools={"a": {"gpu": "L4", "nodes": {"max": 1}, "allocation": "dra"}}, models={}),
        "inferfleet:nodePools.a.allocation: Bottlerocket's NVIDIA variant runs its own device plugin on every GPU node; "
        "use cluster.ami: al2023 for DRA pools",
    ),
    (
        "dra-and-sharing",
        config(EKS, nodePools={"a": {"gpu": "L4", "nodes": {"max": 1}, "allocation": "dra", "sharing": {"strategy": "time-slicing", "clientsPerGpu": 2}}},
               models={}),
        "inferfleet:nodePools.a.sharing: time-slicing and MPS are the device plugin's; with allocation: dra a GPU is one claim's; "
        "drop sharing or use allocation: device-plugin",
    ),
    (
        "dra-mig-beside-device-plugin-pools",
        config(EKS, nodePools={"a": {**A100, "allocation": "dra", "mig": "1g.10gb"}, "l4": {"gpu": "L4", "nodes": {"max": 1}}}, models={}),
        "inferfleet:nodePools.a.mig: DRA pools get no MIG manager while other pools use the device plugin; "
        "put every GPU pool on allocation: dra, or drop mig here",
    ),
    (
        "dra-beside-device-plugin-pools-with-the-operator-s-driver",
        config(EXISTING, cluster={"provider": "existing", "installDriver": True}, nodePools={
            "a": {"gpu": "L4", "nodes": {"min": 1, "max": 1}, "node": {"vcpus": 8, "memoryGib": 32}, "allocation": "dra"},
            "b": {"gpu": "L4", "nodes": {"min": 1, "max": 1}, "node": {"vcpus": 8, "memoryGib": 32}},
        }, models={}),
        "inferfleet:nodePools.a.allocation: the operator installs no driver on DRA pools while other pools use the device plugin; "
        "put every GPU pool on allocation: dra, or install the driver on these nodes yourself (installDriver: false)",
    ),
    (
        "kubernetes-below-dra",
        config(GKE, versions={"kubernetes": "1.33"}),
        "inferfleet:versions.kubernetes: '1.33' is not a supported Kubernetes minor; valid: 1.34 or newer (DRA v1 is GA from 1.34), written like 1.34",
    ),
]


@pytest.mark.parametrize(("values", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_a_bad_gpu_config_is_one_line_at_its_path(values: dict[str, Any], expected: str | None) -> None:
    found = problems(values)
    assert len(found) == 1 and "\n" not in found[0]
    if expected is None:
        assert found[0].startswith("inferfleet:models.qwen.gpus: ") and "A100-80GB 1g.10gb" in found[0]
    else:
        assert found == [expected]
