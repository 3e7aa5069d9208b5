"""The library as another project gets it: built, installed into a fresh virtualenv, imported as `inferfleet`.

The fresh virtualenv sees this one's dependencies through a .pth file (the suite must not download),
but not the repository: the consumer runs from a folder of its own, where `components` and
`stacks` do not exist, under Pulumi mocks.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path

import pytest

from .conftest import PROJECT

RUN_CONSUMER = """
import json, sys
import pulumi
from pulumi.runtime import mocks

try:
    import components  # noqa: F401
    sys.exit("the repository's `components` is importable: the test does not prove the installed package works")
except ImportError:
    pass

created = {}

class Mocks(mocks.Mocks):
    def new_resource(self, args):
        created[args.name] = args.typ
        return f"{args.name}-id", args.inputs

    def call(self, args):
        raise RuntimeError(f"unexpected invoke {args.token}")

mocks.set_mocks(Mocks(), project="consumer", stack="test", preview=False)
import consumer
mocks.test(lambda: consumer.main())()
import inferfleet
print(json.dumps({"created": created, "package": inferfleet.__file__}))
"""


def _packages_under_components() -> set[str]:
    return {
        ".".join(["inferfleet", *p.parent.relative_to(PROJECT / "components").parts])
        for p in (PROJECT / "components").rglob("__init__.py")
    }


def test_pyproject_lists_every_package_of_the_library() -> None:
    listed = set(tomllib.loads((PROJECT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    assert listed == _packages_under_components()


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtualenv with the built wheel installed (no dependencies downloaded)."""
    root = tmp_path_factory.mktemp("package")
    source = root / "source"
    source.mkdir()
    shutil.copytree(PROJECT / "components", source / "components", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(PROJECT / name, source / name)
    wheels = root / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "--no-build-isolation", "-q", "-w", str(wheels)],
        check=True,
    )
    env = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env)], check=True)
    python = env / "bin" / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], check=True, capture_output=True, text=True
    ).stdout.strip()
    # The dependencies already installed here, visible to the fresh virtualenv.
    Path(site, "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    wheel = next(wheels.glob("inferfleet-*.whl"))
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index", "-q", str(wheel)], check=True
    )
    return python


def test_the_installed_package_runs_the_example_consumer_outside_the_repository(installed: Path, tmp_path: Path) -> None:
    work = tmp_path / "consumer"
    shutil.copytree(PROJECT / "examples" / "consumer", work)
    result = subprocess.run(
        [str(installed), "-c", RUN_CONSUMER], cwd=work, capture_output=True, text=True, env={"PATH": "/usr/bin:/bin"}
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert "site-packages" in report["package"] and str(PROJECT) not in report["package"]
    created = report["created"]
    # One layer on its own ...
    assert created["queues"] == "inferfleet:index:Kueue"
    assert created["queues-cluster-queue"] == "kubernetes:kueue.x-k8s.io/v1beta2:ClusterQueue"
    assert created["queues-flavor-l40s"] == "kubernetes:kueue.x-k8s.io/v1beta2:ResourceFlavor"
    # ... and the whole platform, every layer of it.
    assert created["platform"] == "inferfleet:index:InferencePlatform"
    assert {created[n] for n in ("platform-cloud", "platform-gpu", "platform-scheduling", "platform-serving", "platform-network")} == {
        "inferfleet:index:ExistingCluster",
        "inferfleet:index:GpuStack",
        "inferfleet:index:Kueue",
        "inferfleet:index:Serving",
        "inferfleet:index:NetworkPolicies",
    }
    assert created["platform-serving-model-qwen-deployment"] == "kubernetes:apps/v1:Deployment"
