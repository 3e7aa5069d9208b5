"""GKE capacity preflight: can Google Cloud give the node pools what they ask for, before anything is created?

Two checks, read-only, made with pulumi-gcp data sources so that they run in `pulumi preview` and
`pulumi up` before any resource is registered: each pool's machine type is offered in each of its
zones, and the project's regional GPU quotas cover every GPU pool at its maximum size. The SDK
answers an invoke synchronously, also from inside a running program or a component's constructor,
so `check_gke` is a plain function; `invoke_opts` can name an explicit gcp provider. A failed
invoke becomes a finding that says the check could not run, never a traceback.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Literal, Sequence

import pulumi
import pulumi_gcp as gcp

from ..core.problems import Problem
from . import values as r
from . import preflight as shared
from .preflight import PREFLIGHT_PATH, Group

SERVICE = "compute.googleapis.com"
MACHINE_PERMISSION = "compute.machineTypes.list"
QUOTA_PERMISSION = "cloudquotas.quotas.get"
SKIP = f"or set {PREFLIGHT_PATH}.mode: off to skip the check"

QuotaKind = Literal["standard", "preemptible"]


@dataclass(frozen=True)
class GpuQuota:
    quota_id: str
    """The quota's ID in the Cloud Quotas API, for the service compute.googleapis.com."""
    name: str
    gpu_family: str | None = None
    """The `gpu_family` dimension, for the quota that several GPU families share."""
    scope: Literal["region", "global"] = "region"

    def describe(self) -> str:
        return f"{self.quota_id} (gpu_family={self.gpu_family})" if self.gpu_family else self.quota_id


_FAMILY = "GPUS-PER-GPU-FAMILY-per-project-region"

QUOTAS: dict[tuple[str, QuotaKind], GpuQuota] = {
    ("nvidia-l4", "standard"): GpuQuota("NVIDIA-L4-GPUS-per-project-region", "NVIDIA L4 GPUs"),
    ("nvidia-l4", "preemptible"): GpuQuota("PREEMPTIBLE-NVIDIA-L4-GPUS-per-project-region", "Preemptible NVIDIA L4 GPUs"),
    ("nvidia-tesla-a100", "standard"): GpuQuota("NVIDIA-A100-GPUS-per-project-region", "NVIDIA A100 GPUs"),
    ("nvidia-tesla-a100", "preemptible"): GpuQuota(
        "PREEMPTIBLE-NVIDIA-A100-GPUS-per-project-region", "Preemptible NVIDIA A100 GPUs"
    ),
    ("nvidia-a100-80gb", "standard"): GpuQuota("NVIDIA-A100-80GB-GPUS-per-project-region", "NVIDIA A100 80GB GPUs"),
    ("nvidia-a100-80gb", "preemptible"): GpuQuota(
        "PREEMPTIBLE-NVIDIA-A100-80GB-GPUS-per-project-region", "Preemptible NVIDIA A100 80GB GPUs"
    ),
    ("nvidia-h100-80gb", "standard"): GpuQuota(_FAMILY, "NVIDIA H100 GPUs", "NVIDIA_H100"),
    ("nvidia-h100-80gb", "preemptible"): GpuQuota(
        "PREEMPTIBLE-NVIDIA-H100-GPUS-per-project-region", "Preemptible NVIDIA H100 GPUs"
    ),
    ("nvidia-h200-141gb", "standard"): GpuQuota(_FAMILY, "NVIDIA H200 GPUs", "NVIDIA_H200"),
    ("nvidia-h200-141gb", "preemptible"): GpuQuota(
        "PREEMPTIBLE-NVIDIA-H200-GPUS-per-project-region", "Preemptible NVIDIA H200 GPUs"
    ),
    ("nvidia-b200", "standard"): GpuQuota(_FAMILY, "NVIDIA B200 GPUs", "NVIDIA_B200"),
    ("nvidia-b200", "preemptible"): GpuQuota(
        "PREEMPTIBLE-NVIDIA-B200-GPUS-per-project-region", "Preemptible NVIDIA B200 GPUs"
    ),
}
"""Regional GPU quotas of Compute Engine by GKE accelerator, as the Cloud Quotas API names them.

Not checked against Google's reference, which was out of reach: the Cloud Quotas API overview
names GPUS-PER-GPU-FAMILY-per-project-region; the per-model IDs, and H100, H200 and B200 counting
on-demand GPUs in that shared quota by `gpu_family`, come from projects' published quota audits.
A wrong ID fails the read, and the finding then names the ID."""

ALL_REGIONS = GpuQuota("GPUS-ALL-REGIONS-per-project", "GPUs of all regions", scope="global")
"""The project-wide GPU quota, checked before any regional one ("Quota 'GPUS_ALL_REGIONS' exceeded. Limit: 0.0
globally"; new projects start at 0, review finding 9). Its one entry has no dimensions and applies "global".
Whether Spot GPUs count is unverified, so every pool that needs GPU quota counts."""

QUOTA_KIND: dict[r.Capacity, QuotaKind | None] = {
    "on-demand": "standard",
    "spot": "preemptible",
    # Flex-start VMs consume preemptible quota (Google Cloud blog "Introducing Flex-start VMs",
    # 2025-09-25). Queued provisioning is GKE's flex-start with queued provisioning, also
    # Dynamic Workload Scheduler; that it consumes the same quota is inferred, not read.
    "flex-start": "preemptible",
    "queued": "preemptible",
    # Reserved GPUs were counted when the reservation was made, so nodes that consume it need no
    # more quota (as for EC2 reservations in `preflight`; not confirmed in Google's docs).
    "reservation": None,
    "capacity-block": None,
}
"""Which quota a pool's nodes count against; None: none that launching them could exceed."""


class _Unavailable(Exception):
    """A question the check asked Google Cloud and got no usable answer to."""

    def __init__(self, question: str, reason: str, permission: str):
        super().__init__(f"{question} failed: {reason}")
        self.permission = permission
        """What the gcp provider's credentials need to be allowed to ask it."""


def _gpus(count: int) -> str:
    return f"{count} GPU" if count == 1 else f"{count} GPUs"


def check_gke(
    cluster: r.GkeCluster, pools: Sequence[r.GpuPool], *, invoke_opts: pulumi.InvokeOptions | None = None
) -> list[Problem]:
    """Every capacity problem of the pools, with its stack path; empty when Google Cloud can serve them all.

    `invoke_opts` (e.g. `pulumi.InvokeOptions(provider=gcp_provider)`) is passed to every invoke;
    None uses the default gcp provider, with the cluster's project named on each call.
    """
    groups = shared.groups(cluster, pools)
    try:
        offered = _offerings(cluster.project, groups, invoke_opts)
    except _Unavailable as e:
        return [Problem(PREFLIGHT_PATH, _could_not_run(e, cluster))]
    findings = _zone_findings(cluster.region, groups, offered)
    findings.extend(_quota_findings(cluster, pools, invoke_opts))
    findings.extend(_reservation_findings(cluster, pools, invoke_opts))
    return findings


RESERVATION_PERMISSION = "compute.reservations.get"


def _reservation_findings(cluster: r.GkeCluster, pools: Sequence[r.GpuPool], opts: pulumi.InvokeOptions | None) -> list[Problem]:
    """Each reservation pool's reservation exists in its one zone, is specific, holds its machine and has room."""
    findings = []
    for p in pools:
        if p.capacity != "reservation" or p.reservation is None:
            continue
        path, zone = f"nodePools.{p.name}", p.zones[0]
        try:
            res = gcp.compute.get_reservation(name=p.reservation, project=cluster.project, zone=zone, opts=opts)
            specific = res.specific_reservations[0] if res.specific_reservations else None
        except Exception as e:  # a bare Exception, as in `_machine_types`; a reservation elsewhere is not found here
            findings.append(
                Problem(
                    f"{path}.reservation",
                    f"could not read reservation {p.reservation} in {zone}: {e}; name a reservation of project {cluster.project} "
                    f"in that zone (the gcp provider's credentials need {RESERVATION_PERMISSION}), {SKIP}",
                )
            )
            continue
        # GKE consumes a reservation by name only if it is specific (cluster-toolkit modules/compute/gke-node-pool:
        # "Its consumption type must be 'specific'").
        if not res.specific_reservation_required:
            findings.append(
                Problem(f"{path}.reservation", f"reservation {p.reservation} is not specific; recreate it with --require-specific-reservation")
            )
        if res.status != "READY":
            findings.append(Problem(f"{path}.reservation", f"reservation {p.reservation} is {res.status}; name a READY reservation"))
        machine = specific.instance_properties[0].machine_type if specific and specific.instance_properties else None
        if machine != p.machine_type:
            findings.append(
                Problem(f"{path}.machineType", f"reservation {p.reservation} holds {machine}, not {p.machine_type}; reserve {p.machine_type} or change the pool")
            )
        room = (specific.count - specific.in_use_count) if specific else 0
        need = max(p.min_nodes, 1)
        if room < need:
            findings.append(
                Problem(
                    f"{path}.nodes.min" if p.min_nodes else f"{path}.reservation",
                    f"reservation {p.reservation} has room for {room} more {p.machine_type}, the pool needs {need} to start; "
                    "free or add instances in the reservation, or lower nodes.min",
                )
            )
    return findings


def _offerings(project: str, groups: Sequence[Group], opts: pulumi.InvokeOptions | None) -> dict[tuple[str, str], bool]:
    """Whether each (machine type, zone) the groups use is offered, asking once for each pair."""
    pairs = sorted({(g.machine_type, zone) for g in groups for zone in g.zones})
    return {(machine, zone): machine in _machine_types(project, zone, machine, opts) for machine, zone in pairs}


def _machine_types(project: str, zone: str, machine: str, opts: pulumi.InvokeOptions | None) -> set[str]:
    try:
        result = gcp.compute.get_machine_types(filter=f"name = {machine}", project=project, zone=zone, opts=opts)
        return {t.name for t in result.machine_types or ()}
    # The SDK raises a bare Exception ("invoke of <token> failed: <error>") for whatever the engine or
    # the provider refused; an unknown result fails here too, when its fields are read.
    except Exception as e:
        raise _Unavailable(f"listing machine type {machine} in {zone}", str(e), MACHINE_PERMISSION) from e


def _zone_findings(region: str, groups: Sequence[Group], offered: dict[tuple[str, str], bool]) -> list[Problem]:
    findings = []
    for g in groups:
        missing = [z for z in g.zones if not offered[(g.machine_type, z)]]
        if not missing:
            continue
        zones = [z for z in g.zones if offered[(g.machine_type, z)]]
        key = shared.zones_key(g)
        if zones:
            message = (
                f"{g.machine_type} ({g.label}) is not offered in {shared.names(missing)}; of its zones, {shared.names(zones)} "
                f"{'offers' if len(zones) == 1 else 'offer'} it: keep {key} among those or choose another machine type"
            )
        else:
            message = (
                f"{g.machine_type} ({g.label}) is not offered in any of its zones ({shared.names(missing)}); "
                f"set {key} to zones of {region} that offer it or choose another machine type"
            )
        findings.append(Problem(f"{g.path}.machineType", message))
    return findings


@dataclass(frozen=True)
class _Use:
    """A GPU pool's claim on a quota at its maximum size."""

    pool: r.GpuPool
    fallback: bool
    """A preemptible pool counted against the regular quota because the project has no preemptible one."""

    @property
    def label(self) -> str:
        if self.fallback:
            return f"pool {self.pool.name} ({self.pool.capacity}, no preemptible quota)"
        on_demand = self.pool.capacity == "on-demand"
        return f"pool {self.pool.name}" if on_demand else f"pool {self.pool.name} ({self.pool.capacity})"

    def describe(self) -> str:
        p = self.pool
        return f"{self.label}: {p.max_nodes} x {p.machine_type} with {_gpus(p.gpus_per_node)} = {p.max_gpus}"


class _Quotas:
    """Reads each quota once and finds the value in force for the cluster's region."""

    def __init__(self, cluster: r.GkeCluster, opts: pulumi.InvokeOptions | None):
        self._cluster = cluster
        self._opts = opts
        self._values: dict[GpuQuota, float | _Unavailable] = {}

    def value(self, quota: GpuQuota) -> float:
        """The quota's value in the region; raises _Unavailable.

        Negative means unlimited, as -1 does in Cloud Quotas preferences (assumed for values in force)."""
        if quota not in self._values:
            try:
                self._values[quota] = self._read(quota)
            except _Unavailable as e:
                self._values[quota] = e
        found = self._values[quota]
        if isinstance(found, _Unavailable):
            raise found
        return found

    def _read(self, quota: GpuQuota) -> float:
        question = f"reading Compute Engine quota {quota.describe()}"
        try:
            info = gcp.cloudquota.get_s_quota_info(
                parent=f"projects/{self._cluster.project}", quota_id=quota.quota_id, service=SERVICE, opts=self._opts
            )
            location = "global" if quota.scope == "global" else self._cluster.region
            value = _value_in(info.dimensions_infos or (), location, quota.gpu_family)
        except Exception as e:  # a bare Exception, as in `_machine_types`
            raise _Unavailable(question, str(e), QUOTA_PERMISSION) from e
        if value is None:
            raise _Unavailable(question, f"it has no value for {location}", QUOTA_PERMISSION)
        return value


def _value_in(
    infos: Sequence[gcp.cloudquota.outputs.GetSQuotaInfoDimensionsInfoResult], region: str, gpu_family: str | None
) -> float | None:
    """The value that applies to the region (and GPU family), or with region "global" to a project-wide
    quota: the first entry whose dimensions all match, since the API orders entries from the most
    specific to the least; None if none does."""
    wanted = {"region": region, **({"gpu_family": gpu_family} if gpu_family else {})} if region != "global" else {}
    for entry in infos:
        if any(wanted.get(key) != value for key, value in (entry.dimensions or {}).items()):
            continue
        if entry.applicable_locations and region not in entry.applicable_locations:
            continue
        details = entry.details or ()
        # Proto3 JSON leaves a zero out: an entry without a value grants nothing.
        return float(details[0].value) if details and details[0].value else 0.0
    return None


def _quota_findings(cluster: r.GkeCluster, pools: Sequence[r.GpuPool], opts: pulumi.InvokeOptions | None) -> list[Problem]:
    # GPU quotas only: the system pool has none, and CPU quotas are not checked here. A pool whose
    # accelerator has no entry in QUOTAS is skipped rather than guessed at.
    quotas = _Quotas(cluster, opts)
    unreadable: dict[GpuQuota, _Unavailable] = {}
    needs: dict[GpuQuota, list[_Use]] = defaultdict(list)
    for p in pools:
        kind = QUOTA_KIND[p.capacity]
        quota = QUOTAS.get((p.accelerator, kind)) if kind else None
        if quota is None:
            continue
        fallback = False
        if kind == "preemptible":
            # Spot and other preemptible VMs count against the regular quota until the project is
            # granted a preemptible one (Compute Engine's "quotas for preemptible resources", as
            # quoted in hail-is/hail#10588 and state-of-the-art/BlendNet#145; not read first-hand).
            try:
                if quotas.value(quota) == 0:
                    quota, fallback = QUOTAS[(p.accelerator, "standard")], True
            except _Unavailable as e:
                unreadable[quota] = e
                continue
        needs[quota].append(_Use(p, fallback))
    counted = [_Use(p, False) for p in pools if QUOTA_KIND[p.capacity]]
    findings = []
    for quota, users in [*([(ALL_REGIONS, counted)] if counted else []), *needs.items()]:
        try:
            limit = quotas.value(quota)
        except _Unavailable as e:
            unreadable[quota] = e
            continue
        need = sum(u.pool.max_gpus for u in users)
        if limit < 0 or need <= limit:
            continue
        names = [u.pool.name for u in users]
        subject = f"pool {names[0]} needs" if len(names) == 1 else f"pools {shared.names(names)} need"
        parts = "; ".join(u.describe() for u in users)
        where = "project's all-regions" if quota.scope == "global" else cluster.region
        findings.append(
            Problem(
                f"nodePools.{users[0].pool.name}.nodes.max",
                f"{subject} up to {need} {quota.name} ({parts}), over the {where} quota of {shared.number(limit)}; "
                f"lower nodes.max to fit {_gpus(int(limit))} or request an increase of Compute Engine quota "
                f"{quota.describe()} in Cloud Quotas",
            )
        )
    findings.extend(Problem(PREFLIGHT_PATH, _could_not_run(e, cluster)) for e in unreadable.values())
    return findings


def _could_not_run(error: _Unavailable, cluster: r.GkeCluster) -> str:
    if error.permission == QUOTA_PERMISSION:
        fix = (
            f"check that the quota exists for {SERVICE}, that the Cloud Quotas API is enabled in project "
            f"{cluster.project} and that the gcp provider's credentials are allowed {QUOTA_PERMISSION} there"
        )
    else:
        fix = (
            f"check the network and that the gcp provider's credentials are allowed {error.permission} "
            f"in project {cluster.project}"
        )
    return f"could not check capacity in {cluster.region}: {error}; {fix}, {SKIP}"
