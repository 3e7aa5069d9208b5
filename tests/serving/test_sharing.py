"""A shared GPU: the derived memory share never breaks the program's own limit (issue 8)."""

from __future__ import annotations

import pytest

from components.catalog.gpus import gpu
from components.catalog.sizing import OVERHEAD_GIB
from components.serving.resolve import DEFAULT_UTILIZATION, shared_utilization

from ..conftest import GKE, config

def shared(clients: int, weights_gb: float, max_model_len: int) -> dict:
    size = {"weightsGb": weights_gb, "layers": 16, "kvHeads": 8, "headDim": 64, "context": 8192}
    return config(
        GKE,
        nodePools={"h100": {"gpu": "H100-80GB", "nodes": {"max": 1}, "sharing": {"strategy": "time-slicing", "clientsPerGpu": clients}}},
        models={"small": {"model": "acme/small", "pool": "h100", "size": size, "maxModelLen": max_model_len}},
    )


# A 1B model in bf16 fits an eighth of an H100 (9.9 GiB) with 4096 tokens; a 250M one a sixteenth with 1024.
@pytest.mark.parametrize(("clients", "weights_gb", "max_model_len"), [(8, 2, 4096), (16, 0.5, 1024)])
def test_time_slicing_plans_a_model_that_fits_its_share(plan_of, clients: int, weights_gb: float, max_model_len: int) -> None:
    assert gpu("H100-80GB").usable_gib / clients > weights_gb + OVERHEAD_GIB, "the model fits its share of the GPU"
    result = plan_of(shared(clients, weights_gb, max_model_len))
    model = result.loaded.platform.serving.models[0]
    assert model.gpu_memory_utilization * clients <= 0.95, "the limit the program itself sets on a shared GPU"
    assert model.gpu_memory_utilization == {8: 0.11, 16: 0.05}[clients]
    deployment = next(r for r in result.resources if r.type == "kubernetes:apps/v1:Deployment")
    args = deployment.inputs["spec"]["template"]["spec"]["containers"][0]["args"]
    assert f"--gpu-memory-utilization={model.gpu_memory_utilization}" in args


def test_the_derived_share_is_within_the_limit_for_every_client_count() -> None:
    """Every count the schema accepts (2-48): the share rounds down, so the pods together stay within 0.95."""
    for clients in range(2, 49):
        share = shared_utilization(clients)
        assert 0 < share <= DEFAULT_UTILIZATION / clients and share * clients <= 0.95, clients
    assert [shared_utilization(c) for c in (2, 3, 4, 8, 16)] == [0.46, 0.3, 0.23, 0.11, 0.05]
