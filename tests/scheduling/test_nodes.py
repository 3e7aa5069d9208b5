"""Node allocatable per cloud, against the clouds' own published examples."""

from __future__ import annotations

from dataclasses import replace

from components.catalog.sizing import ephemeral_bytes
from components.scheduling.nodes import GIB, GKE_GPU_TAINT, node_group

from ..conftest import EKS, EXISTING, GKE, config, resolved


def test_gke_reserves_as_its_node_sizing_page_shows() -> None:
    pool = resolved(GKE).pools[0]
    # e2-standard-4 (4 vCPU): GKE's example allocates 3920m.
    assert node_group(replace(pool, vcpus=4), "gke", "nvidia.com/gpu").allocatable.cpu_m == 3920
    # 100 GB boot disk: GKE's example allocates 47060071478 bytes; the estimate is 0.13% under (conservative).
    assert 0.998 < ephemeral_bytes("gke", 100) / 47060071478 <= 1
    assert round(ephemeral_bytes("gke", 200) / GIB, 1) == 97.4
    group = node_group(pool, "gke", "nvidia.com/gpu")
    assert GKE_GPU_TAINT in group.taints and group.labels["inferfleet.dev/node-pool"] == "l4"
    # GKE's own taint is counted once, whether or not the cloud layer also sets it explicitly.
    assert node_group(replace(pool, taints=(GKE_GPU_TAINT,)), "gke", "nvidia.com/gpu").taints == (GKE_GPU_TAINT,)
    assert group.disk_for(150 * GIB) == 287 and ephemeral_bytes("gke", 286) < 150 * GIB <= ephemeral_bytes("gke", 287)


def test_eks_reserves_per_pod_memory_and_a_tenth_of_the_disk() -> None:
    pool = resolved(EKS).pools[0]  # g6.xlarge: 4 vCPU, 16 GiB, maxPods 58
    node = node_group(pool, "eks", "nvidia.com/gpu").allocatable
    assert node.cpu_m == 3920
    assert node.memory_bytes == (16 * 1024 - (11 * 58 + 255) - 100) * 2**20
    assert node.ephemeral_bytes == int((0.9 * 200 - 1) * GIB)


def test_existing_nodes_are_taken_as_declared() -> None:
    group = node_group(resolved(EXISTING).pools[0], "existing", "nvidia.com/gpu")
    assert group.allocatable.cpu_m == 16000 and group.allocatable.ephemeral_bytes is None and group.disk_for(GIB) is None


def test_on_local_nvme_the_node_allocates_the_nvme_and_no_boot_disk_is_a_fix() -> None:
    """One model of ephemeral storage: the placement proof reads the same `ephemeral_bytes` as serving."""
    from components.catalog.gpus import local_disks

    for cloud, values, gpu in (("gke", GKE, "H100-80GB"), ("eks", EKS, "H100-80GB")):
        pool = resolved(config(values, nodePools={"p": {"gpu": gpu, "gpusPerNode": 8, "nodes": {"max": 1}}}, models={})).pools[0]
        assert pool.local_disks == local_disks(pool.machine_type) is not None
        group = node_group(pool, cloud, "nvidia.com/gpu")  # type: ignore[arg-type]
        assert group.allocatable.ephemeral_bytes == ephemeral_bytes(cloud, pool.disk_size_gb, pool.local_disks)
        assert group.allocatable.ephemeral_bytes != ephemeral_bytes(cloud, pool.disk_size_gb)
        assert "local NVMe" in group.allocatable.basis
        assert group.disk_for(10**15) is None, "the boot disk holds none of it"
