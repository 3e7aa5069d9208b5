"""The GKE capacity preflight inside a Pulumi program under mocks that answer its two data sources.

The mocks answer like the provider would, from tables, and only the question the check should
ask: another project, parent, service or filter gets an error or no machine, so a wrong question
fails the test. Failures come back as the engine sends them, a gRPC error, which the SDK turns
into the bare Exception a real `pulumi preview` raises.
"""

from __future__ import annotations

import contextvars
from typing import Any, Callable, Collection, Mapping, Optional

import grpc  # type: ignore[import-untyped]
import pulumi
import pulumi_gcp as gcp
import pytest
from pulumi.runtime import mocks
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

from components.cloud import values as r
from components.cloud.gke_preflight import check_gke
from components.core.problems import Problem as Finding

from ..conftest import GKE, config, resolved

MACHINE_TYPES = "gcp:compute/getMachineTypes:getMachineTypes"
QUOTA_INFO = "gcp:cloudquota/getSQuotaInfo:getSQuotaInfo"
PROJECT = "acme-inference"
REGION = "us-central1"
A, B, C, F = (f"{REGION}-{letter}" for letter in "abcf")
OTHER_REGIONS = ["europe-west4", "us-east4"]

L4 = "NVIDIA-L4-GPUS-per-project-region"
L4_SPOT = "PREEMPTIBLE-NVIDIA-L4-GPUS-per-project-region"
FAMILY = "GPUS-PER-GPU-FAMILY-per-project-region"
H100_SPOT = "PREEMPTIBLE-NVIDIA-H100-GPUS-per-project-region"
SKIP = "or set cluster.preflight.mode: off to skip the check"
QUOTA_FIX = (
    "check that the quota exists for compute.googleapis.com, that the Cloud Quotas API is enabled in project "
    "acme-inference and that the gcp provider's credentials are allowed cloudquotas.quotas.get there"
)
NOT_FOUND = "googleapi: Error 404: QuotaInfo not found"

OFFERED: dict[str, set[str]] = {
    "e2-standard-8": {A, B, C, F},
    "c4-standard-8": {A, B, C},
    "g2-standard-8": {A, B, C},
    "g2-standard-24": {A, B, C},
    "a3-highgpu-8g": {A, B, C},
}
"""Zones each machine type is offered in, as the mocks serve them (test data, not Google's list)."""


def regional(value: float | None, **dimensions: str) -> list[dict[str, Any]]:
    """A quota's dimensionsInfos as the API orders them: us-central1's own value first, then the
    default that the other regions get (large, so that picking the wrong entry shows)."""
    details = [] if value is None else [{"value": str(int(value))}]
    return [
        {"dimensions": {"region": REGION, **dimensions}, "details": details, "applicableLocations": [REGION]},
        {"dimensions": dict(dimensions), "details": [{"value": "1000"}], "applicableLocations": OTHER_REGIONS},
    ]


def family(**values: float) -> list[dict[str, Any]]:
    """GPUS-PER-GPU-FAMILY: an entry per family for us-central1, then nothing for any other family."""
    entries = [entry for name, value in values.items() for entry in regional(value, gpu_family=name)]
    return entries + [{"dimensions": {}, "details": [{"value": "0"}], "applicableLocations": [REGION, *OTHER_REGIONS]}]


ALL_REGIONS = "GPUS-ALL-REGIONS-per-project"
RESERVATION = "gcp:compute/getReservation:getReservation"


def gce_reservation(**changes: Any) -> dict[str, Any]:
    """A specific reservation of 2 x a3-highgpu-8g in us-central1-a, none in use, as the data source returns it."""
    specific = {"count": 2, "inUseCount": 0, "assuredCount": 2, "sourceInstanceTemplate": "",
                "instanceProperties": [{"machineType": "a3-highgpu-8g"}]}
    return {"name": "h100-reserved", "zone": A, "status": "READY", "specificReservationRequired": True,
            "specificReservations": [{**specific, **changes.pop("specific", {})}], **changes}


def project_wide(value: float) -> list[dict[str, Any]]:
    """GPUS-ALL-REGIONS' one entry: no dimensions, applicable "global" (as projects' quota dumps show it)."""
    return [{"dimensions": {}, "details": [{"value": str(int(value))}], "applicableLocations": ["global"]}]


PLENTY: dict[str, list[dict[str, Any]]] = {
    L4: regional(1000),
    L4_SPOT: regional(1000),
    FAMILY: family(NVIDIA_H100=1000, NVIDIA_B200=1000),
    H100_SPOT: regional(1000),
}


class EngineError(grpc.RpcError):
    """How the engine reports a provider's failed invoke: a gRPC error with details."""

    def __init__(self, details: str):
        self._details = details

    def code(self) -> grpc.StatusCode:
        return grpc.StatusCode.UNKNOWN

    def details(self) -> str:
        return self._details


class GcpMocks(mocks.Mocks):
    """Answers getMachineTypes and getSQuotaInfo from tables, and records every question asked."""

    def __init__(
        self,
        quotas: Mapping[str, list[dict[str, Any]]],
        failing_zones: Collection[str] = (),
        reservations: Mapping[tuple[str, str], dict[str, Any]] | None = None,
    ):
        self.reservations = {(A, "h100-reserved"): gce_reservation()} if reservations is None else reservations
        # The project-wide quota is plentiful unless a test sets it.
        self.quotas = {ALL_REGIONS: project_wide(1000), **quotas}
        self.failing_zones = failing_zones
        self.asked: list[tuple[str, dict[str, Any], str]] = []

    def new_resource(self, args: mocks.MockResourceArgs) -> tuple[Optional[str], dict[str, Any]]:
        return f"{args.name}-id", dict(args.inputs)

    def call(self, args: mocks.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        self.asked.append((args.token, dict(args.args), args.provider))
        if args.token == MACHINE_TYPES:
            return self._machine_types(args.args), []
        if args.token == QUOTA_INFO:
            return self._quota_info(args.args), []
        if args.token == RESERVATION:
            found = self.reservations.get((args.args.get("zone", ""), args.args.get("name", "")))
            if args.args.get("project") != PROJECT or found is None:
                raise EngineError(f"googleapi: Error 404: The resource 'projects/{PROJECT}/zones/{args.args.get('zone')}/reservations/{args.args.get('name')}' was not found")
            return found, []
        raise EngineError(f"unexpected invoke {args.token}")

    def _machine_types(self, args: dict[str, Any]) -> dict[str, Any]:
        zone, filter_ = args.get("zone"), args.get("filter", "")
        if args.get("project") != PROJECT:
            raise EngineError(f"googleapi: Error 404: The resource 'projects/{args.get('project')}' was not found")
        if zone in self.failing_zones:
            raise EngineError("googleapi: Error 403: Required 'compute.machineTypes.list' permission")
        if not filter_.startswith("name = "):
            raise EngineError(f"googleapi: Error 400: Invalid list filter expression '{filter_}'")
        machine = filter_.removeprefix("name = ")
        found = [{"name": machine, "guestCpus": 8}] if zone in OFFERED.get(machine, ()) else []
        return {
            "id": f"projects/{PROJECT}/zones/{zone}", "project": PROJECT, "zone": zone, "filter": filter_, "machineTypes": found
        }

    def _quota_info(self, args: dict[str, Any]) -> dict[str, Any]:
        if args.get("parent") != f"projects/{PROJECT}" or args.get("service") != "compute.googleapis.com":
            raise EngineError(f"googleapi: Error 403: Permission denied on {args.get('parent')}")
        quota_id = args.get("quotaId", "")
        if quota_id not in self.quotas:
            raise EngineError(NOT_FOUND)
        return {
            "id": f"{args['parent']}/locations/global/services/compute.googleapis.com/quotaInfos/{quota_id}",
            "parent": args["parent"],
            "service": args["service"],
            "quotaId": quota_id,
            "dimensions": ["region", "gpu_family"] if quota_id == FAMILY else [] if quota_id == ALL_REGIONS else ["region"],
            "dimensionsInfos": self.quotas[quota_id],
        }


def in_program(gcp_mocks: GcpMocks, body: Callable[[], Any]) -> Any:
    """Run `body` as a Pulumi program being previewed, in a fresh context as `stacks.plan` does, so
    no stack or mocks leak between tests. An error the program did not handle fails the test."""

    def run() -> Any:
        mocks.set_mocks(gcp_mocks, project="inferfleet", stack="test", preview=True)
        result: list[Any] = []
        _sync_await(run_pulumi_func(lambda: result.append(body())))
        return result[0]

    return contextvars.Context().run(run)


def platform(
    zones: list[str] | None = None, system: str | None = None, **pools: dict[str, Any]
) -> tuple[r.GkeCluster, tuple[r.GpuPool, ...]]:
    cluster = {**GKE["cluster"], **({"zones": zones} if zones else {})}
    if system:
        cluster["systemPool"] = {"machineType": system}
    resolved_platform = resolved(config(GKE, cluster=cluster, nodePools=pools or GKE["nodePools"], models={}))
    assert isinstance(resolved_platform.cluster, r.GkeCluster)
    return resolved_platform.cluster, resolved_platform.pools


def check(
    quotas: Mapping[str, list[dict[str, Any]]], cluster: r.GkeCluster, pools: tuple[r.GpuPool, ...], **options: Any
) -> list[Finding]:
    return in_program(GcpMocks(quotas, **options), lambda: check_gke(cluster, pools))


L4_POOL = {"gpu": "L4", "nodes": {"min": 0, "max": 2}}  # g2-standard-8, 1 GPU
L4X2_POOL = {"gpu": "L4", "gpusPerNode": 2, "nodes": {"min": 0, "max": 3}}  # g2-standard-24, 2 GPUs
H100_POOL = {"gpu": "H100-80GB", "gpusPerNode": 8, "nodes": {"min": 0, "max": 2}}  # a3-highgpu-8g


@pytest.mark.parametrize(
    ("zones", "system", "pools", "expected"),
    [
        pytest.param(None, None, {"l4": L4_POOL}, [], id="offered in every zone of every pool"),
        pytest.param(
            [A, B, F],
            None,
            {"l4": L4_POOL},
            [
                Finding(
                    "nodePools.l4.machineType",
                    "g2-standard-8 (pool l4) is not offered in us-central1-f; of its zones, us-central1-a and "
                    "us-central1-b offer it: keep nodePools.l4.zones among those or choose another machine type",
                )
            ],
            id="gpu machine type missing in one zone of the pool",
        ),
        pytest.param(
            [A, F],
            None,
            {"l4": {**L4_POOL, "zones": [F]}},
            [
                Finding(
                    "nodePools.l4.machineType",
                    "g2-standard-8 (pool l4) is not offered in any of its zones (us-central1-f); set nodePools.l4.zones "
                    "to zones of us-central1 that offer it or choose another machine type",
                )
            ],
            id="gpu machine type offered in none of the pool's zones",
        ),
        pytest.param(
            [A, B, F],
            "c4-standard-8",
            {"l4": {**L4_POOL, "zones": [A, B]}},
            [
                Finding(
                    "cluster.systemPool.machineType",
                    "c4-standard-8 (system pool) is not offered in us-central1-f; of its zones, us-central1-a and "
                    "us-central1-b offer it: keep cluster.zones among those or choose another machine type",
                )
            ],
            id="system machine type missing in a cluster zone while the gpu pool avoids it",
        ),
    ],
)
def test_machine_type_offerings(zones, system, pools, expected) -> None:
    assert check(PLENTY, *platform(zones, system, **pools)) == expected


def over(pools: str, need: int, name: str, parts: str, limit: int, quota: str, path: str = "nodePools.l4.nodes.max") -> Finding:
    """The finding for GPU pools over a quota: `pools` is the sentence's subject with its verb."""
    return Finding(
        path,
        f"{pools} up to {need} {name} ({parts}), over the us-central1 quota of {limit}; lower nodes.max to fit "
        f"{limit} GPU{'' if limit == 1 else 's'} or request an increase of Compute Engine quota {quota} in Cloud Quotas",
    )


@pytest.mark.parametrize(
    ("pools", "quotas", "expected"),
    [
        pytest.param({"l4": L4_POOL}, {L4: regional(2)}, [], id="quota exactly covers the pool at max"),
        pytest.param(
            {"l4": L4_POOL},
            {L4: regional(1)},
            [over("pool l4 needs", 2, "NVIDIA L4 GPUs", "pool l4: 2 x g2-standard-8 with 1 GPU = 2", 1, L4)],
            id="one gpu over the on-demand quota",
        ),
        pytest.param(
            {"l4": L4_POOL, "l4x2": L4X2_POOL},
            {L4: regional(7)},
            [
                over(
                    "pools l4 and l4x2 need", 8, "NVIDIA L4 GPUs",
                    "pool l4: 2 x g2-standard-8 with 1 GPU = 2; pool l4x2: 3 x g2-standard-24 with 2 GPUs = 6", 7, L4,
                )
            ],
            id="pools of one gpu share its quota",
        ),
        pytest.param(
            {"l4": {**L4_POOL, "capacity": "spot"}},
            {L4: regional(0), L4_SPOT: regional(1)},
            [
                over(
                    "pool l4 needs", 2, "Preemptible NVIDIA L4 GPUs", "pool l4 (spot): 2 x g2-standard-8 with 1 GPU = 2",
                    1, L4_SPOT,
                )
            ],
            id="spot pools count against the preemptible quota",
        ),
        pytest.param(
            {"l4": L4_POOL, "spot": {**L4_POOL, "capacity": "spot"}},
            {L4: regional(3), L4_SPOT: regional(0)},
            [
                over(
                    "pools l4 and spot need", 4, "NVIDIA L4 GPUs",
                    "pool l4: 2 x g2-standard-8 with 1 GPU = 2; "
                    "pool spot (spot, no preemptible quota): 2 x g2-standard-8 with 1 GPU = 2",
                    3, L4,
                )
            ],
            id="spot pools count against the regular quota while the preemptible one is 0",
        ),
        pytest.param(
            {"l4": {**L4_POOL, "capacity": "flex-start"}},
            {L4: regional(1000), L4_SPOT: regional(1)},
            [
                over(
                    "pool l4 needs", 2, "Preemptible NVIDIA L4 GPUs",
                    "pool l4 (flex-start): 2 x g2-standard-8 with 1 GPU = 2", 1, L4_SPOT,
                )
            ],
            id="flex-start pools count against the preemptible quota",
        ),
        pytest.param(
            {"h100": {**H100_POOL, "capacity": "reservation", "reservation": "h100-reserved", "zones": ["us-central1-a"]}},
            {FAMILY: family(NVIDIA_H100=0), H100_SPOT: regional(0)},
            [],
            id="reserved nodes use no further quota",
        ),
        pytest.param(
            {"h100": H100_POOL},
            {FAMILY: family(NVIDIA_H100=8, NVIDIA_B200=64)},
            [
                over(
                    "pool h100 needs", 16, "NVIDIA H100 GPUs", "pool h100: 2 x a3-highgpu-8g with 8 GPUs = 16", 8,
                    f"{FAMILY} (gpu_family=NVIDIA_H100)", "nodePools.h100.nodes.max",
                )
            ],
            id="on-demand h100 counts against its gpu family's quota",
        ),
        pytest.param({"l4": L4_POOL}, {L4: regional(-1)}, [], id="a quota of -1 is unlimited"),
        pytest.param(
            {"l4": L4_POOL},
            {L4: regional(None)},
            [over("pool l4 needs", 2, "NVIDIA L4 GPUs", "pool l4: 2 x g2-standard-8 with 1 GPU = 2", 0, L4)],
            id="an entry without a value grants nothing",
        ),
    ],
)
def test_gpu_quotas(pools, quotas, expected) -> None:
    assert check(quotas, *platform(None, None, **pools)) == expected


@pytest.mark.parametrize(
    ("pools", "quotas", "failing_zones", "expected"),
    [
        pytest.param(
            {"l4": L4_POOL},
            {},
            (),
            [
                Finding(
                    "cluster.preflight",
                    f"could not check capacity in us-central1: reading Compute Engine quota {L4} failed: invoke of "
                    f"{QUOTA_INFO} failed: {NOT_FOUND}; {QUOTA_FIX}, {SKIP}",
                )
            ],
            id="a quota that cannot be read",
        ),
        pytest.param(
            {"l4": L4_POOL, "h100": H100_POOL},
            {FAMILY: family(NVIDIA_H100=8)},
            (),
            [
                over(
                    "pool h100 needs", 16, "NVIDIA H100 GPUs", "pool h100: 2 x a3-highgpu-8g with 8 GPUs = 16", 8,
                    f"{FAMILY} (gpu_family=NVIDIA_H100)", "nodePools.h100.nodes.max",
                ),
                Finding(
                    "cluster.preflight",
                    f"could not check capacity in us-central1: reading Compute Engine quota {L4} failed: invoke of "
                    f"{QUOTA_INFO} failed: {NOT_FOUND}; {QUOTA_FIX}, {SKIP}",
                ),
            ],
            id="an unreadable quota leaves the other quotas checked",
        ),
        pytest.param(
            {"l4": {**L4_POOL, "capacity": "spot"}},
            {L4: regional(1000)},
            (),
            [
                Finding(
                    "cluster.preflight",
                    f"could not check capacity in us-central1: reading Compute Engine quota {L4_SPOT} failed: invoke of "
                    f"{QUOTA_INFO} failed: {NOT_FOUND}; {QUOTA_FIX}, {SKIP}",
                )
            ],
            id="a spot pool whose preemptible quota cannot be read",
        ),
        pytest.param(
            {"l4": L4_POOL},
            {L4: regional(8)[1:]},
            (),
            [
                Finding(
                    "cluster.preflight",
                    f"could not check capacity in us-central1: reading Compute Engine quota {L4} failed: it has no value "
                    f"for us-central1; {QUOTA_FIX}, {SKIP}",
                )
            ],
            id="a quota without a value for the region",
        ),
        pytest.param(
            {"l4": L4_POOL},
            PLENTY,
            (A,),
            [
                Finding(
                    "cluster.preflight",
                    f"could not check capacity in us-central1: listing machine type e2-standard-8 in us-central1-a failed: "
                    f"invoke of {MACHINE_TYPES} failed: googleapi: Error 403: Required 'compute.machineTypes.list' "
                    f"permission; check the network and that the gcp provider's credentials are allowed "
                    f"compute.machineTypes.list in project acme-inference, {SKIP}",
                )
            ],
            id="machine types that cannot be listed stop the check",
        ),
    ],
)
def test_unanswered_questions_say_the_check_could_not_run(pools, quotas, failing_zones, expected) -> None:
    assert check(quotas, *platform(None, None, **pools), failing_zones=failing_zones) == expected


def test_asks_once_for_each_machine_type_and_zone_and_for_each_quota() -> None:
    cluster, pools = platform(None, None, l4=L4_POOL, more=L4_POOL, h100=H100_POOL)
    gcp_mocks = GcpMocks(PLENTY)
    assert in_program(gcp_mocks, lambda: check_gke(cluster, pools)) == []
    machine_types = [
        (MACHINE_TYPES, {"filter": f"name = {machine}", "project": PROJECT, "zone": zone}, "")
        for machine in ("a3-highgpu-8g", "e2-standard-8", "g2-standard-8")
        for zone in (A, B)
    ]
    quotas = [
        (QUOTA_INFO, {"parent": f"projects/{PROJECT}", "quotaId": quota, "service": "compute.googleapis.com"}, "")
        for quota in (ALL_REGIONS, FAMILY, L4)  # the project-wide one, then the pools' in name order: h100, l4, more
    ]
    assert gcp_mocks.asked == machine_types + quotas


class _Probe(pulumi.ComponentResource):
    """A component that checks capacity in its constructor with its own gcp provider, as
    `components.cloud.gke.GkeCluster` would before registering its node pools."""

    def __init__(self, cluster: r.GkeCluster, pools: tuple[r.GpuPool, ...]):
        super().__init__("inferfleet:test:Probe", "probe")
        provider = gcp.Provider(
            "probe-gcp", project=cluster.project, region=cluster.region, opts=pulumi.ResourceOptions(parent=self)
        )
        self.findings = check_gke(cluster, pools, invoke_opts=pulumi.InvokeOptions(provider=provider))
        self.provider_ref = f"{_sync_await(provider.urn.future())}::probe-gcp-id"


def test_invokes_answer_synchronously_in_a_component_through_its_provider() -> None:
    cluster, pools = platform(None, None, l4=L4_POOL)
    gcp_mocks = GcpMocks({L4: regional(1)})
    probe = in_program(gcp_mocks, lambda: _Probe(cluster, pools))
    assert probe.findings == [
        over("pool l4 needs", 2, "NVIDIA L4 GPUs", "pool l4: 2 x g2-standard-8 with 1 GPU = 2", 1, L4)
    ]
    providers = {provider for _, _, provider in gcp_mocks.asked}
    assert providers == {probe.provider_ref}, "every invoke goes to the provider in invoke_opts"


def test_pulumi_up_stops_on_a_failed_preflight_before_any_resource() -> None:
    """The program's own entry point: load, preflight, and nothing registered when GCP says no."""
    import json

    from stacks import program

    values = config(GKE, cluster={**GKE["cluster"], "zones": [A, F]}, nodePools={"l4": {"gpu": "L4", "nodes": {"max": 2}}})
    created: list[str] = []

    class Recording(GcpMocks):
        def new_resource(self, args: mocks.MockResourceArgs) -> tuple[Optional[str], dict[str, Any]]:
            created.append(args.name)
            return super().new_resource(args)

    def up() -> str:
        pulumi.runtime.set_all_config({f"inferfleet:{k}": json.dumps(v) for k, v in values.items()}, [])
        mocks.set_mocks(Recording(PLENTY), project="inferfleet", stack="test", preview=True)
        with pytest.raises(pulumi.RunError) as raised:
            program.main()
        return str(raised.value)

    message = contextvars.Context().run(up)
    assert message.startswith("invalid stack configuration:\ninferfleet:nodePools.l4.machineType: g2-standard-8 (pool l4) is not offered in us-central1-f")
    assert created == []


@pytest.mark.parametrize(
    ("pools", "all_regions", "expected"),
    [
        pytest.param({"l4": L4_POOL, "h100": H100_POOL}, 18, [], id="the project-wide quota covers every pool"),
        pytest.param(
            {"l4": L4_POOL, "h100": H100_POOL},
            16,
            [
                Finding(
                    "nodePools.h100.nodes.max",
                    "pools h100 and l4 need up to 18 GPUs of all regions (pool h100: 2 x a3-highgpu-8g with 8 GPUs = 16; "
                    "pool l4: 2 x g2-standard-8 with 1 GPU = 2), over the project's all-regions quota of 16; lower nodes.max "
                    "to fit 16 GPUs or request an increase of Compute Engine quota GPUS-ALL-REGIONS-per-project in Cloud Quotas",
                )
            ],
            id="a new project's GPUS_ALL_REGIONS is too small",
        ),
        pytest.param(
            {"h100": {**H100_POOL, "capacity": "reservation", "reservation": "h100-reserved", "zones": [A]}},
            0,
            [],
            id="reserved nodes use no further quota",
        ),
    ],
)
def test_the_project_wide_gpu_quota(pools: dict[str, Any], all_regions: float, expected: list[Finding]) -> None:
    assert check({**PLENTY, ALL_REGIONS: project_wide(all_regions)}, *platform(None, None, **pools)) == expected


def test_a_global_quota_is_not_read_as_a_regional_one() -> None:
    """The entry applies to "global" only; read as a regional quota it would have no value for us-central1."""
    from components.cloud.gke_preflight import _value_in

    entries = [gcp.cloudquota.outputs.GetSQuotaInfoDimensionsInfoResult(
        applicable_locations=["global"], details=[gcp.cloudquota.outputs.GetSQuotaInfoDimensionsInfoDetailResult(value="8")],
        dimensions={})]
    assert _value_in(entries, "global", None) == 8.0
    assert _value_in(entries, REGION, None) is None


RESERVED = {"h100": {**H100_POOL, "capacity": "reservation", "reservation": "h100-reserved", "zones": [A]}}


@pytest.mark.parametrize(
    ("reservations", "expected"),
    [
        pytest.param(None, [], id="the reservation matches"),
        pytest.param({}, [Finding("nodePools.h100.reservation",
                                  "could not read reservation h100-reserved in us-central1-a: invoke of gcp:compute/getReservation:getReservation "
                                  "failed: googleapi: Error 404: The resource 'projects/acme-inference/zones/us-central1-a/reservations/"
                                  "h100-reserved' was not found; name a reservation of project acme-inference in that zone (the gcp "
                                  f"provider's credentials need compute.reservations.get), {SKIP}")], id="missing"),
        pytest.param({(B, "h100-reserved"): gce_reservation(zone=B)}, [Finding("nodePools.h100.reservation",
                     "could not read reservation h100-reserved in us-central1-a: invoke of gcp:compute/getReservation:getReservation "
                     "failed: googleapi: Error 404: The resource 'projects/acme-inference/zones/us-central1-a/reservations/"
                     "h100-reserved' was not found; name a reservation of project acme-inference in that zone (the gcp "
                     f"provider's credentials need compute.reservations.get), {SKIP}")], id="in another zone"),
        pytest.param({(A, "h100-reserved"): gce_reservation(specificReservationRequired=False)},
                     [Finding("nodePools.h100.reservation", "reservation h100-reserved is not specific; recreate it with --require-specific-reservation")],
                     id="not specific"),
        pytest.param({(A, "h100-reserved"): gce_reservation(specific={"instanceProperties": [{"machineType": "a2-ultragpu-8g"}]})},
                     [Finding("nodePools.h100.machineType",
                              "reservation h100-reserved holds a2-ultragpu-8g, not a3-highgpu-8g; reserve a3-highgpu-8g or change the pool")],
                     id="another machine"),
        pytest.param({(A, "h100-reserved"): gce_reservation(specific={"inUseCount": 2})},
                     [Finding("nodePools.h100.reservation", "reservation h100-reserved has room for 0 more a3-highgpu-8g, the pool needs 1 "
                              "to start; free or add instances in the reservation, or lower nodes.min")],
                     id="full"),
    ],
)
def test_reservations(reservations: Mapping[tuple[str, str], dict[str, Any]] | None, expected: list[Finding]) -> None:
    assert check(PLENTY, *platform(None, None, **RESERVED), reservations=reservations) == expected
