"""How the offline plan scales with the number of model services.

Plans a synthetic GKE stack with 1, 10 and 100 models (spread over up to 10 namespaces, on one
8 x L4 pool sized to hold them) and prints wall-clock seconds and resources registered.

    python benchmarks/plan_scale.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
import time
from pathlib import Path

import yaml

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from stacks.plan import engine as plan  # noqa: E402
from stacks.plan import render as output  # noqa: E402
from stacks.plan import validate  # noqa: E402


def stack(models: int) -> dict:
    nodes = math.ceil(models / 8)
    return {
        "inferfleet:cluster": {"provider": "gke", "project": "acme-bench", "region": "us-central1", "zones": ["us-central1-a"]},
        "inferfleet:nodePools": {"l4": {"gpu": "L4", "gpusPerNode": 8, "diskSizeGb": 400, "nodes": {"min": 0, "max": nodes}}},
        "inferfleet:models": {
            f"model-{i:03d}": {"model": "Qwen/Qwen3-8B", "pool": "l4", "namespace": f"team-{i:03d}", "replicas": {"min": 1, "max": 2}}
            for i in range(models)
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3, help="runs per size; the best is reported")
    args = parser.parse_args()
    print(f"{'models':>6} {'resources':>9} {'manifests':>9} {'plan s':>7} {'validate s':>10}")
    with tempfile.TemporaryDirectory() as tmp:
        for models in (1, 10, 100):
            path = Path(tmp) / f"Pulumi.bench{models}.yaml"
            path.write_text(yaml.safe_dump({"config": stack(models)}))
            best_plan = best_validate = math.inf
            for _ in range(args.repeat):
                start = time.perf_counter()
                result = plan.run(path, PROJECT)
                planned = time.perf_counter()
                objects = output.manifests(result)
                report = validate.validate_all(objects, result.loaded.platform.pins)
                best_plan = min(best_plan, planned - start)
                best_validate = min(best_validate, time.perf_counter() - planned)
                assert report.ok, report.summary()
            print(f"{models:>6} {len(result.resources):>9} {len(objects):>9} {best_plan:>7.2f} {best_validate:>10.2f}")


if __name__ == "__main__":
    main()
