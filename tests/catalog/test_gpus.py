"""The GPU catalog covers the GPUs and machine families platform teams ask for, with priced machines."""

from __future__ import annotations

import pytest

from components.catalog import gpus as catalog
from components.catalog.gpus import GPUS, CatalogError


def test_catalog_has_every_gpu_the_product_supports() -> None:
    assert set(GPUS) == {"L4", "A10G", "L40S", "A100-40GB", "A100-80GB", "H100-80GB", "H200-141GB", "B200"}


@pytest.mark.parametrize(
    ("cloud", "families"),
    [("gke", {"g2", "a2", "a3", "a4"}), ("eks", {"g5", "g6", "g6e", "p4d", "p4de", "p5", "p5e", "p5en", "p6-b200"})],
)
def test_each_cloud_offers_its_machine_families(cloud: str, families: set[str]) -> None:
    found = {
        m.name.split(".")[0] if cloud == "eks" else m.name.split("-")[0]
        for g in GPUS.values() if cloud in g.offerings for m in g.offerings[cloud].machines
    }
    assert found == families


@pytest.mark.parametrize("gpu", sorted(GPUS))
def test_every_machine_has_a_price_with_its_source_or_none(gpu: str) -> None:
    for offering in GPUS[gpu].offerings.values():
        for machine in offering.machines:
            assert machine.gpus >= 1 and machine.vcpus >= 4 and machine.memory_gib >= 16
            if machine.price is not None:
                assert machine.price.usd_per_hour > 0
                assert "20" in machine.price.source, "a price names the date or version it was read"
                assert machine.price.estimated == machine.price.source.startswith("estimate:")


def test_estimated_prices_scale_the_listed_per_gpu_rate() -> None:
    g6_xl = catalog.machine("L4", "eks", 1)
    g6_48 = catalog.machine("L4", "eks", 8)
    assert g6_xl.price is not None and g6_48.price is not None
    assert not g6_xl.price.estimated and g6_48.price.estimated
    assert g6_48.price.usd_per_hour == pytest.approx(8 * g6_xl.price.usd_per_hour, rel=1e-3)


def test_default_machine_is_the_first_listed_for_the_count() -> None:
    assert catalog.machine("L4", "gke", 1).name == "g2-standard-8"
    assert catalog.machine("L4", "gke", 1, "g2-standard-4").name == "g2-standard-4"
    assert catalog.machine("H100-80GB", "eks", 8).name == "p5.48xlarge"
    assert catalog.machine("H200-141GB", "eks", 8).name == "p5en.48xlarge"


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: catalog.gpu("T4"), "unknown GPU 'T4'; valid: L4, A10G, L40S, A100-40GB, A100-80GB, H100-80GB, H200-141GB, B200"),
        (lambda: catalog.machine("L40S", "gke", 1), "GKE offers no L40S machines; valid on GKE: L4, A100-40GB, A100-80GB, H100-80GB, H200-141GB, B200"),
        (lambda: catalog.machine("H100-80GB", "eks", 1), "no EKS machine has 1 x H100-80GB; valid GPU counts: 8"),
        (lambda: catalog.mig_profile("A10G", "1g.10gb"), "A10G has no MIG; GPUs with MIG: A100-40GB, A100-80GB, H100-80GB, H200-141GB, B200"),
        (lambda: catalog.mig_profile("H200-141GB", "1g.10gb"),
         "'1g.10gb' is not a MIG profile of H200-141GB; valid: 1g.18gb, 1g.35gb, 2g.35gb, 3g.71gb, 4g.71gb, 7g.141gb"),
    ],
    ids=["unknown-gpu", "not-on-cloud", "no-machine-for-count", "no-mig", "wrong-profile"],
)
def test_catalog_errors_name_the_valid_choices(call, message: str) -> None:
    with pytest.raises(CatalogError) as raised:
        call()
    assert str(raised.value) == message


def test_mig_profiles_carry_slice_count_and_memory() -> None:
    profile = catalog.mig_profile("A100-80GB", "1g.10gb")
    assert (profile.per_gpu, profile.memory_gb) == (7, 10)
    assert catalog.mig_profile("B200", "3g.90gb").per_gpu == 2


@pytest.mark.parametrize(
    ("machine", "local"),
    [
        # GCP bundles Local SSD (375 GiB each) with A2 Ultra (1 per GPU), A3 High (2 per GPU), A3 Ultra and A4 (32).
        ("a2-ultragpu-1g", (1, 375 * 2**30)),
        ("a2-ultragpu-8g", (8, 375 * 2**30)),
        ("a3-highgpu-1g", (2, 375 * 2**30)),
        ("a3-highgpu-8g", (16, 375 * 2**30)),
        ("a3-ultragpu-8g", (32, 375 * 2**30)),
        ("a4-highgpu-8g", (32, 375 * 2**30)),
        # A2 High and G2 have none bundled.
        ("a2-highgpu-1g", None),
        ("g2-standard-8", None),
        # EC2 instance store.
        ("p4d.24xlarge", (8, 1000 * 10**9)),
        ("p4de.24xlarge", (8, 1000 * 10**9)),
        ("p5.48xlarge", (8, 3840 * 10**9)),
        ("p5en.48xlarge", (8, 3840 * 10**9)),
        ("g6.xlarge", None),
        ("g6e.48xlarge", None),
    ],
)
def test_local_nvme_per_machine(machine: str, local: tuple[int, int] | None) -> None:
    from components.catalog.gpus import local_disks

    found = local_disks(machine)
    assert (None if found is None else (found.count, found.bytes_each)) == local


def test_every_machine_with_local_nvme_is_in_the_catalog() -> None:
    from components.catalog.gpus import GPUS, LOCAL_DISKS

    machines = {m.name for g in GPUS.values() for o in g.offerings.values() for m in o.machines}
    assert set(LOCAL_DISKS) <= machines
