"""The GPU catalog: what each GPU offers and which machine carries it on each cloud.

A stack names a GPU and a GPU count per node; the catalog turns that into a machine type, its
vCPUs and memory, and a list price. Prices are on-demand list prices with their source; a price
marked `estimated` is derived from a listed price of the same family and says how.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

NVIDIA_GPU = "nvidia.com/gpu"
"""The device plugin's whole-GPU resource, and the taint key GPU nodes carry (GKE sets it; inferfleet does elsewhere)."""

# Node labels by which the GPU Operator picks each node's configuration. The cloud layer sets them on
# the pools and the GPU layer writes the configs they name; both take the names from here.
MIG_CONFIG_LABEL = "nvidia.com/mig.config"
"""The mig-parted layout the MIG manager applies (gpu-operator@v26.7.0 controllers/state_manager.go:49)."""
MIG_DISABLED = "all-disabled"
"""The layout with MIG off; the operator labels MIG-capable nodes with it when they have no label
(gpu-operator@v26.7.0 controllers/nodelabeling_controller.go:306-316), so every config holds it."""
DEVICE_PLUGIN_CONFIG_LABEL = "nvidia.com/device-plugin.config"
"""The device-plugin config key a node uses (k8s-device-plugin@v0.20.0 cmd/config-manager/main.go:49)."""
DEPLOY_OPERANDS_LABEL = "nvidia.com/gpu.deploy.operands"
"""`false` keeps every GPU Operator operand off a node (gpu-operator@v26.7.0 controllers/state_manager.go:43)."""


def mig_config_name(gpu_name: str, profile: str) -> str:
    """The mig-parted layout that splits every GPU of a node into `profile` slices.

    The GPU is in the name because a profile's slice count depends on it (1g.10gb is 7 slices on
    an A100-80GB but 4 on an A100-40GB); upstream tells them apart by PCI device filters the
    catalog does not have (mig-parted@v0.15.0 deployments/systemd/config-default.yaml:105-118).
    """
    return f"{gpu_name.lower()}-all-{profile}"


DRA_DRIVER = "gpu.nvidia.com"
"""The NVIDIA DRA driver's name, and the domain of the device attributes it publishes."""
_PRODUCT_NAMES = {
    # Lower-case regexes on NVML's product name, which the DRA driver publishes as `productName`
    # (dra-driver-nvidia-gpu@v0.4.1 cmd/gpu-kubelet-plugin/deviceinfo.go:152-198). Bounded, because
    # "l4" starts "l40s"; the A100s carry their memory in the name (e.g. "NVIDIA A100-SXM4-80GB").
    # The exact strings per product are UNVERIFIED (no NVML here); upstream's own demo matches a
    # substring the same way (demo/specs/quickstart/v1/gpu-test6.yaml:27).
    "L4": r"(^|[ -])l4($|[ -])",
    "A10G": r"(^|[ -])a10g($|[ -])",
    "L40S": r"(^|[ -])l40s($|[ -])",
    "A100-40GB": r"(^|[ -])a100[ -].*40gb",
    "A100-80GB": r"(^|[ -])a100[ -].*80gb",
    "H100-80GB": r"(^|[ -])h100($|[ -])",
    "H200-141GB": r"(^|[ -])h200($|[ -])",
    "B200": r"(^|[ -])b200($|[ -])",
}


def dra_selector(gpu_name: str, mig_profile: str | None = None) -> str:
    """The CEL expression that picks `gpu_name` (or one of its `mig_profile` slices) among the DRA driver's devices."""
    attributes = f"device.attributes['{DRA_DRIVER}']"
    product = f"{attributes}.productName.lowerAscii().matches('{_PRODUCT_NAMES[gpu(gpu_name).name]}')"
    # A MIG device carries its parent's productName and its own profile (cmd/gpu-kubelet-plugin/mig.go:118-185).
    return f"{product} && {attributes}.profile == '{mig_profile}'" if mig_profile else product


def sharing_config_key(strategy: str, clients_per_gpu: int) -> str:
    """The device-plugin config key for one sharing setting, e.g. time-slicing-4 (pools with the same setting share it)."""
    return f"{strategy}-{clients_per_gpu}"


AWS_PRICES = "AWS Price List offer file 20260924211011 (2026-09-24), us-east-1 on-demand"
GCP_PRICES = "GCP public price tables (2026), us-central1, via shared/reference/clouds.md"


@dataclass(frozen=True)
class Price:
    usd_per_hour: float
    source: str
    estimated: bool = False


@dataclass(frozen=True)
class Machine:
    name: str
    gpus: int
    vcpus: int
    memory_gib: int
    price: Price | None
    """None when no on-demand list price is known for the reference region."""


@dataclass(frozen=True)
class Offering:
    """How one cloud sells a GPU: the accelerator name it uses and the machines that carry it."""

    accelerator: str
    machines: tuple[Machine, ...]

    def gpu_counts(self) -> tuple[int, ...]:
        return tuple(sorted({m.gpus for m in self.machines}))


@dataclass(frozen=True)
class MigProfile:
    name: str
    per_gpu: int
    memory_gb: int


@dataclass(frozen=True)
class Gpu:
    name: str
    memory_gb: int
    usable_gib: float
    """GiB vLLM can budget on one GPU (reference/vllm.md; A10G and B200 estimated from their spec sheets)."""
    mig_profiles: tuple[MigProfile, ...]
    offerings: Mapping[str, Offering]

    def mig_profile(self, name: str) -> MigProfile | None:
        return next((p for p in self.mig_profiles if p.name == name), None)


class CatalogError(ValueError):
    """A request the catalog cannot meet; the message lists what would be valid."""


def _per_gpu_estimate(base: Machine, gpus: int) -> Price:
    assert base.price is not None
    rate = base.price.usd_per_hour / base.gpus
    return Price(
        round(rate * gpus, 4),
        f"estimate: {gpus} x the per-GPU rate of {base.name} ({base.price.source})",
        estimated=True,
    )


def _family(
    base: Machine, *unlisted: tuple[str, int, int, int], listed: tuple[Machine, ...] = ()
) -> tuple[Machine, ...]:
    """`base` and `listed` carry list prices; each `unlisted` (name, gpus, vcpus, memory GiB) is
    priced per GPU from `base`. The first machine for a GPU count is that count's default."""
    estimated = tuple(Machine(n, g, c, m, _per_gpu_estimate(base, g)) for n, g, c, m in unlisted)
    return (base,) + listed + estimated


def _mig(*profiles: tuple[str, int]) -> tuple[MigProfile, ...]:
    return tuple(MigProfile(name, count, int(name.split(".")[1].removesuffix("gb"))) for name, count in profiles)


_A100_80_MIG = _mig(("1g.10gb", 7), ("1g.20gb", 4), ("2g.20gb", 3), ("3g.40gb", 2), ("4g.40gb", 1), ("7g.80gb", 1))

GPUS: Mapping[str, Gpu] = {
    g.name: g
    for g in (
        Gpu(
            "L4", 24, 22.5, (),
            {
                "gke": Offering("nvidia-l4", _family(
                    Machine("g2-standard-8", 1, 8, 32, Price(0.85, GCP_PRICES)),
                    ("g2-standard-24", 2, 24, 96), ("g2-standard-48", 4, 48, 192), ("g2-standard-96", 8, 96, 384),
                    listed=(Machine("g2-standard-4", 1, 4, 16, Price(0.70, GCP_PRICES)),),
                )),
                "eks": Offering("nvidia-l4", _family(
                    Machine("g6.xlarge", 1, 4, 16, Price(0.8048, AWS_PRICES)),
                    ("g6.2xlarge", 1, 8, 32), ("g6.48xlarge", 8, 192, 768),
                    listed=(Machine("g6.12xlarge", 4, 48, 192, Price(4.6016, AWS_PRICES)),),
                )),
            },
        ),
        Gpu(
            "A10G", 24, 22.0, (),
            {
                "eks": Offering("nvidia-a10g", _family(
                    Machine("g5.xlarge", 1, 4, 16, Price(1.006, AWS_PRICES)),
                    ("g5.2xlarge", 1, 8, 32), ("g5.12xlarge", 4, 48, 192), ("g5.48xlarge", 8, 192, 768),
                )),
            },
        ),
        Gpu(
            "L40S", 48, 44.5, (),
            {
                "eks": Offering("nvidia-l40s", _family(
                    Machine("g6e.xlarge", 1, 4, 32, Price(1.861, AWS_PRICES)),
                    ("g6e.2xlarge", 1, 8, 64),
                    listed=(
                        Machine("g6e.12xlarge", 4, 48, 384, Price(10.49264, AWS_PRICES)),
                        Machine("g6e.48xlarge", 8, 192, 1536, Price(30.13118, AWS_PRICES)),
                    ),
                )),
            },
        ),
        Gpu(
            "A100-40GB", 40, 40.0,
            _mig(("1g.5gb", 7), ("1g.10gb", 4), ("2g.10gb", 3), ("3g.20gb", 2), ("4g.20gb", 1), ("7g.40gb", 1)),
            {
                "gke": Offering("nvidia-tesla-a100", _family(
                    Machine("a2-highgpu-1g", 1, 12, 85, Price(3.673385, GCP_PRICES)),
                    ("a2-highgpu-2g", 2, 24, 170), ("a2-highgpu-4g", 4, 48, 340), ("a2-highgpu-8g", 8, 96, 680),
                    ("a2-megagpu-16g", 16, 96, 1360),
                )),
                "eks": Offering("nvidia-a100-40gb", (
                    Machine("p4d.24xlarge", 8, 96, 1152, Price(21.957642, AWS_PRICES)),
                )),
            },
        ),
        Gpu(
            "A100-80GB", 80, 80.0, _A100_80_MIG,
            {
                "gke": Offering("nvidia-a100-80gb", _family(
                    Machine("a2-ultragpu-1g", 1, 12, 170, Price(5.06879789, GCP_PRICES)),
                    ("a2-ultragpu-2g", 2, 24, 340), ("a2-ultragpu-4g", 4, 48, 680), ("a2-ultragpu-8g", 8, 96, 1360),
                )),
                "eks": Offering("nvidia-a100-80gb", (
                    Machine("p4de.24xlarge", 8, 96, 1152, Price(27.44705, AWS_PRICES)),
                )),
            },
        ),
        Gpu(
            "H100-80GB", 80, 79.6, _A100_80_MIG,
            {
                "gke": Offering("nvidia-h100-80gb", _family(
                    Machine("a3-highgpu-8g", 8, 208, 1872, Price(88.49, GCP_PRICES)),
                    ("a3-highgpu-2g", 2, 52, 468), ("a3-highgpu-4g", 4, 104, 936),
                    listed=(Machine("a3-highgpu-1g", 1, 26, 234, Price(11.0612, GCP_PRICES)),),
                )),
                "eks": Offering("nvidia-h100", (
                    Machine("p5.48xlarge", 8, 192, 2048, Price(55.04, AWS_PRICES)),
                )),
            },
        ),
        Gpu(
            "H200-141GB", 141, 140.4,
            _mig(("1g.18gb", 7), ("1g.35gb", 4), ("2g.35gb", 3), ("3g.71gb", 2), ("4g.71gb", 1), ("7g.141gb", 1)),
            {
                "gke": Offering("nvidia-h200-141gb", (
                    Machine("a3-ultragpu-8g", 8, 224, 2952, Price(84.806908493, GCP_PRICES)),
                )),
                "eks": Offering("nvidia-h200", (
                    Machine("p5en.48xlarge", 8, 192, 2048, Price(63.296, AWS_PRICES)),
                    Machine("p5e.48xlarge", 8, 192, 2048, None),  # no us-east-1 on-demand listing
                )),
            },
        ),
        Gpu(
            "B200", 180, 178.0,
            _mig(("1g.23gb", 7), ("1g.45gb", 4), ("2g.45gb", 3), ("3g.90gb", 2), ("4g.90gb", 1), ("7g.180gb", 1)),
            {
                "gke": Offering("nvidia-b200", (
                    Machine("a4-highgpu-8g", 8, 224, 3968, Price(90.22, GCP_PRICES)),
                )),
                "eks": Offering("nvidia-b200", (
                    Machine("p6-b200.48xlarge", 8, 192, 2048,
                            Price(113.9328, AWS_PRICES.replace("us-east-1", "us-east-2"))),
                )),
            },
        ),
    )
}


def gpu(name: str) -> Gpu:
    try:
        return GPUS[name]
    except KeyError:
        raise CatalogError(f"unknown GPU '{name}'; valid: {', '.join(GPUS)}") from None


def offering(gpu_name: str, cloud: str) -> Offering:
    entry = gpu(gpu_name)
    if cloud not in entry.offerings:
        offered = [name for name, g in GPUS.items() if cloud in g.offerings]
        raise CatalogError(f"{cloud.upper()} offers no {gpu_name} machines; valid on {cloud.upper()}: {', '.join(offered)}")
    return entry.offerings[cloud]


def machine(gpu_name: str, cloud: str, gpus_per_node: int, machine_type: str | None = None) -> Machine:
    """The machine for `gpus_per_node` GPUs: `machine_type` if given, else the first listed for that count."""
    offer = offering(gpu_name, cloud)
    matching = [m for m in offer.machines if m.gpus == gpus_per_node]
    if not matching:
        counts = ", ".join(str(c) for c in offer.gpu_counts())
        raise CatalogError(f"no {cloud.upper()} machine has {gpus_per_node} x {gpu_name}; valid GPU counts: {counts}")
    if machine_type is None:
        return matching[0]
    for m in matching:
        if m.name == machine_type:
            return m
    names = ", ".join(m.name for m in matching)
    raise CatalogError(f"'{machine_type}' is not among the {cloud.upper()} machines with {gpus_per_node} x {gpu_name}; valid: {names}")


@dataclass(frozen=True)
class LocalDisks:
    """NVMe disks a machine comes with; inferfleet makes them the node's ephemeral storage, where the
    kubelet keeps images and emptyDirs and model weights are downloaded."""

    count: int
    bytes_each: int

    @property
    def total_bytes(self) -> int:
        return self.count * self.bytes_each


GCP_LOCAL_SSD_BYTES = 375 * 1024**3
"""One GCP Local SSD: 375 GiB (cloud.google.com/compute/docs/disks/local-ssd: "Each Local SSD disk is 375 GiB";
kubernetes/autoscaler@55c37cd5 cluster-autoscaler/cloudprovider/gce/gce_reserved.go:213-216 measures N x 375GiB)."""
_AWS_1000_GB = 1000 * 10**9
_AWS_3840_GB = 3840 * 10**9

LOCAL_DISKS: Mapping[str, LocalDisks] = {
    # GCP machines whose Local SSDs come with the machine type and are billed with it ("bundled Local SSD",
    # cloud.google.com/compute/docs/accelerator-optimized-machines): A2 Ultra 1 per GPU, A3 High 2 per GPU,
    # A3 Ultra and A4 32. A2 High and G2 have none bundled (optional disks are not added).
    **{f"a2-ultragpu-{n}g": LocalDisks(n, GCP_LOCAL_SSD_BYTES) for n in (1, 2, 4, 8)},
    **{f"a3-highgpu-{n}g": LocalDisks(2 * n, GCP_LOCAL_SSD_BYTES) for n in (1, 2, 4, 8)},
    "a3-ultragpu-8g": LocalDisks(32, GCP_LOCAL_SSD_BYTES),
    "a4-highgpu-8g": LocalDisks(32, GCP_LOCAL_SSD_BYTES),
    # EC2 instance store (EC2 instance-type specifications, shared/reference/clouds.md section 3): p4d/p4de
    # 8 x 1000 GB, p5/p5e/p5en 8 x 3840 GB; p6-b200 8 x 3840 GB (unverified here).
    "p4d.24xlarge": LocalDisks(8, _AWS_1000_GB),
    "p4de.24xlarge": LocalDisks(8, _AWS_1000_GB),
    "p5.48xlarge": LocalDisks(8, _AWS_3840_GB),
    "p5e.48xlarge": LocalDisks(8, _AWS_3840_GB),
    "p5en.48xlarge": LocalDisks(8, _AWS_3840_GB),
    "p6-b200.48xlarge": LocalDisks(8, _AWS_3840_GB),
}
"""Machines with local NVMe, by machine type; the one list the cloud layer and the disk sizing read."""


def local_disks(machine_type: str) -> LocalDisks | None:
    return LOCAL_DISKS.get(machine_type)


def mig_profile(gpu_name: str, profile: str) -> MigProfile:
    entry = gpu(gpu_name)
    if not entry.mig_profiles:
        with_mig = [name for name, g in GPUS.items() if g.mig_profiles]
        raise CatalogError(f"{gpu_name} has no MIG; GPUs with MIG: {', '.join(with_mig)}")
    found = entry.mig_profile(profile)
    if found is None:
        raise CatalogError(
            f"'{profile}' is not a MIG profile of {gpu_name}; valid: {', '.join(p.name for p in entry.mig_profiles)}"
        )
    return found
