"""The pinned upstream schemas the plan validates against, downloaded into a local cache.

The plan checks custom resources against the CRDs' OpenAPI schemas and Helm values against the
charts' defaults (`values.yaml`, `values.schema.json`). Those files are upstream's, so the
repository keeps only where each one comes from and its sha256 (`schemas.lock.json`), never the
files. `python -m stacks schemas fetch` downloads them into a cache laid out like the shared
reference folder:

    <cache>/crds/<folder>/<file>      e.g. crds/kueue-v0.19.2/kueue.x-k8s.io_clusterqueues.yaml
    <cache>/charts/<folder>/<file>    e.g. charts/kueue-0.19.2/values.yaml

Every file is fetched from the component's repository at its release tag (raw.githubusercontent),
because the releases' bundled manifests (`manifests.yaml`, packaged `.tgz` charts) are not
published one file each. A download whose sum differs from the lock is not kept, so a cache file
is always the byte-exact upstream file; a rerun skips files already present with the right sum.

Maintainers regenerate the lock from a reviewed local copy: `python -m stacks schemas lock --from
../shared`. The URL of each file comes from `_CRDS` and `_CHARTS` below, one entry per upstream
component keyed by the folder name with its version as `{version}`, so a new pin is a new folder
in the copy and a rerun of `lock`, not a new URL by hand.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import os
import re
import sys
import tempfile
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping, Sequence

import yaml

LOCK_PATH = Path(__file__).resolve().with_name("schemas.lock.json")
FETCH_COMMAND = "python -m stacks schemas fetch"
LOCK_COMMAND = "python -m stacks schemas lock --from ../shared"
TIMEOUT_SECONDS = 30.0
# A handful of parallel downloads: ~160 small files, where latency, not bandwidth, is the cost.
_WORKERS = 8
_RAW = "https://raw.githubusercontent.com"
# Folder versions look like 0.19.2, v1.21.1 or 1.0.0-rc.1; the pattern stops at the next "-word".
_VERSION = r"(?P<version>[0-9]+(?:\.[0-9]+)*(?:-(?:rc|alpha|beta)[.0-9]*)?)"


@dataclass(frozen=True)
class LockEntry:
    """One pinned upstream file: where it goes in the cache, where it comes from, and its sum."""

    path: str
    """Cache-relative path, `crds/<folder>/<file>` or `charts/<folder>/<file>`."""
    url: str
    """The upstream file at the pinned tag (https)."""
    sha256: str
    """Hex sha256 of the upstream bytes; a download with another sum is rejected."""


@dataclass(frozen=True)
class _Repo:
    """Raw files of a GitHub repository at a tag: `https://raw.githubusercontent.com/<repo>/<tag>/<path>`.

    `tag` may name `{version}` (the folder's version) or `{dependency}` (the version the parent
    chart's Chart.yaml pins for a subchart from another repository).
    """

    repo: str
    tag: str
    path: str

    def url(self, rel: str, version: str, dependency: str | None = None) -> str:
        if "{dependency}" in self.tag and not dependency:
            raise LookupError(f"the parent chart's Chart.yaml pins no version for the subchart from {self.repo}")
        tag = self.tag.format(version=version, dependency=dependency)
        return f"{_RAW}/{self.repo}/{tag}/{self.path}/{rel}"


@dataclass(frozen=True)
class _Component:
    """Where one folder's files live upstream.

    A file `<folder>/<rel>` is `source` + `rel` unless `moved` says otherwise: a key is a file or a
    folder prefix (ending in "/") of the local copy, its value the `_Repo` that holds it under the
    same remaining name. Chart folders keep subcharts' values under `charts/<subchart>/`, as Helm
    lays out a packaged chart; those usually come from another repository.
    """

    folder: str
    source: _Repo
    moved: Mapping[str, _Repo] = field(default_factory=dict)

    def pattern(self) -> re.Pattern[str]:
        before, after = self.folder.split("{version}")
        return re.compile(f"^{re.escape(before)}{_VERSION}{re.escape(after)}$")

    def url(self, rel: str, version: str, dependencies: Mapping[str, str]) -> str:
        for key, repo in self.moved.items():
            if key.endswith("/") and rel.startswith(key):
                # For "charts/<name>/" keys this is the subchart's pin; other keys' tags never ask.
                pinned = dependencies.get(key.removeprefix("charts/").rstrip("/"))
                return repo.url(rel.removeprefix(key), version, pinned)
            if rel == key:
                return repo.url(Path(rel).name, version)
        return self.source.url(rel, version)


_CERT_MANAGER = "cert-manager/cert-manager"
_GIE = "kubernetes-sigs/gateway-api-inference-extension"
_KSERVE = "kserve/kserve"
_LLM_D_ROUTER = "llm-d/llm-d-router"
_KSERVE_LLMISVC = _Repo(_KSERVE, "v{version}", "config/crd/full/llmisvc")

# CRD folders: the controller-gen output each project commits (the kustomize bases or the chart's
# crds/ folder), one file per CRD, as the folders' SOURCE.md record.
_CRDS: tuple[_Component, ...] = (
    _Component("cert-manager-v{version}", _Repo(_CERT_MANAGER, "v{version}", "deploy/crds")),
    _Component(
        "dra-driver-nvidia-gpu-v{version}",
        _Repo("kubernetes-sigs/dra-driver-nvidia-gpu", "v{version}", "deployments/helm/dra-driver-nvidia-gpu/crds"),
    ),
    _Component("gateway-api-inference-extension-v{version}", _Repo(_GIE, "v{version}", "config/crd/bases")),
    _Component("gateway-api-v{version}-standard", _Repo("kubernetes-sigs/gateway-api", "v{version}", "config/crd/standard")),
    _Component("gpu-operator-v{version}", _Repo("NVIDIA/gpu-operator", "v{version}", "deployments/gpu-operator/crds")),
    _Component("karpenter-v{version}", _Repo("aws/karpenter-provider-aws", "v{version}", "pkg/apis/crds")),
    # The release CRDs are these bases after the kustomize patches, kept beside them to apply.
    _Component(
        "keda-v{version}",
        _Repo("kedacore/keda", "v{version}", "config/crd/bases"),
        moved={"config-crd-kustomize/": _Repo("kedacore/keda", "v{version}", "config/crd")},
    ),
    _Component(
        "kserve-v{version}",
        _Repo(_KSERVE, "v{version}", "config/crd/full"),
        moved={
            "serving.kserve.io_llminferenceservices.yaml": _KSERVE_LLMISVC,
            "serving.kserve.io_llminferenceserviceconfigs.yaml": _KSERVE_LLMISVC,
            "serving.kserve.io_clusterstoragecontainers.yaml": _Repo(
                _KSERVE, "v{version}", "config/crd/full/clusterstoragecontainer"
            ),
            "conversion-webhook-patches/": _KSERVE_LLMISVC,
        },
    ),
    _Component("kueue-v{version}", _Repo("kubernetes-sigs/kueue", "v{version}", "config/components/crd/bases")),
    _Component("llm-d-router-v{version}", _Repo(_LLM_D_ROUTER, "v{version}", "config/crd/bases")),
    _Component("lws-v{version}", _Repo("kubernetes-sigs/lws", "v{version}", "config/crd/bases")),
    _Component(
        "prometheus-operator-v{version}",
        _Repo("prometheus-operator/prometheus-operator", "v{version}", "example/prometheus-operator-crd"),
    ),
)

_KUBE_PROMETHEUS_STACK = "prometheus-community/helm-charts"

# Chart folders: the chart's source folder at the release tag. Packaged charts (OCI, Helm repos)
# are built from these folders; values.yaml and values.schema.json are copied into the package
# unchanged. In-repository subcharts (`file://../epplib`) come from the same tag.
_CHARTS: tuple[_Component, ...] = (
    _Component("agentgateway-crds-v{version}", _Repo("agentgateway/agentgateway", "v{version}", "controller/install/helm/agentgateway-crds")),
    _Component("agentgateway-v{version}", _Repo("agentgateway/agentgateway", "v{version}", "controller/install/helm/agentgateway")),
    _Component("body-based-routing-v{version}", _Repo(_GIE, "v{version}", "config/charts/body-based-routing")),
    _Component("cert-manager-v{version}", _Repo(_CERT_MANAGER, "v{version}", "deploy/charts/cert-manager")),
    _Component(
        "cluster-autoscaler-{version}",
        _Repo("kubernetes/autoscaler", "cluster-autoscaler-chart-{version}", "cluster-autoscaler/charts/cluster-autoscaler"),
    ),
    _Component(
        "dra-driver-nvidia-gpu-{version}",
        _Repo("kubernetes-sigs/dra-driver-nvidia-gpu", "v{version}", "deployments/helm/dra-driver-nvidia-gpu"),
    ),
    # The operator vendors its node-feature-discovery subchart in charts/, so one tag covers both.
    _Component("gpu-operator-v{version}", _Repo("NVIDIA/gpu-operator", "v{version}", "deployments/gpu-operator")),
    _Component(
        "inferencepool-v{version}",
        _Repo(_GIE, "v{version}", "config/charts/inferencepool"),
        moved={"charts/inference-extension/": _Repo(_GIE, "v{version}", "config/charts/epplib")},
    ),
    # Tagged v1.14.1 although the tree's Chart.yaml still reads 1.13.0: the release rewrites it.
    _Component("karpenter-{version}", _Repo("aws/karpenter-provider-aws", "v{version}", "charts/karpenter")),
    _Component("keda-{version}", _Repo("kedacore/charts", "v{version}", "keda")),
    _Component("kserve-crd-v{version}", _Repo(_KSERVE, "v{version}", "charts/kserve-crd")),
    _Component("kserve-llmisvc-crd-v{version}", _Repo(_KSERVE, "v{version}", "charts/kserve-llmisvc-crd")),
    _Component("kserve-llmisvc-resources-v{version}", _Repo(_KSERVE, "v{version}", "charts/kserve-llmisvc-resources")),
    _Component("kserve-resources-v{version}", _Repo(_KSERVE, "v{version}", "charts/kserve-resources")),
    _Component("kserve-runtime-configs-v{version}", _Repo(_KSERVE, "v{version}", "charts/kserve-runtime-configs")),
    # Its crds subchart is in the tree; the others are released from their own chart tags.
    _Component(
        "kube-prometheus-stack-{version}",
        _Repo(_KUBE_PROMETHEUS_STACK, "kube-prometheus-stack-{version}", "charts/kube-prometheus-stack"),
        moved={
            "charts/grafana/": _Repo("grafana-community/helm-charts", "grafana-{dependency}", "charts/grafana"),
            "charts/kube-state-metrics/": _Repo(
                _KUBE_PROMETHEUS_STACK, "kube-state-metrics-{dependency}", "charts/kube-state-metrics"
            ),
            "charts/prometheus-node-exporter/": _Repo(
                _KUBE_PROMETHEUS_STACK, "prometheus-node-exporter-{dependency}", "charts/prometheus-node-exporter"
            ),
        },
    ),
    _Component("kueue-{version}", _Repo("kubernetes-sigs/kueue", "v{version}", "charts/kueue")),
    _Component(
        "llm-d-router-gateway-v{version}",
        _Repo(_LLM_D_ROUTER, "v{version}", "config/charts/llm-d-router-gateway"),
        moved={"charts/router/": _Repo(_LLM_D_ROUTER, "v{version}", "config/charts/routerlib")},
    ),
    _Component(
        "llm-d-router-standalone-v{version}",
        _Repo(_LLM_D_ROUTER, "v{version}", "config/charts/llm-d-router-standalone"),
        moved={"charts/router/": _Repo(_LLM_D_ROUTER, "v{version}", "config/charts/routerlib")},
    ),
    _Component("lws-{version}", _Repo("kubernetes-sigs/lws", "v{version}", "charts/lws")),
    _Component(
        "prometheus-adapter-{version}",
        _Repo(_KUBE_PROMETHEUS_STACK, "prometheus-adapter-{version}", "charts/prometheus-adapter"),
    ),
)

_COMPONENTS: Mapping[str, tuple[_Component, ...]] = {"crds": _CRDS, "charts": _CHARTS}
# Core kinds are validated by kubernetes-validate's bundled schemas, not by the 4 MB OpenAPI dump.
_UNLOCKED_FOLDERS = (re.compile(r"^crds/kubernetes-v[0-9.]+-openapi$"),)


def _unlocked_file(name: str) -> bool:
    """SOURCE.md are our provenance notes and READMEs upstream prose: neither is a schema."""
    return name == "SOURCE.md" or "README" in name


def default_cache() -> Path:
    """`$XDG_CACHE_HOME/inferfleet/schemas`, or `~/.cache/inferfleet/schemas` without it."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "inferfleet" / "schemas"


def load_lock(path: Path | None = None) -> dict[str, LockEntry]:
    """The lock's entries by cache-relative path; ValueError (one line) if it is unreadable."""
    path = path or LOCK_PATH
    try:
        data = json.loads(path.read_text())
        entries = [LockEntry(path=e["path"], url=e["url"], sha256=e["sha256"]) for e in data["files"]]
    except OSError as e:
        raise ValueError(f"cannot read the schema lock {path}: {e.strerror}") from e
    except (ValueError, KeyError, TypeError) as e:
        raise ValueError(f"the schema lock {path} is not a list of files with path, url and sha256: {e}") from e
    return {e.path: e for e in entries}


def select(paths: Iterable[str], lock: Mapping[str, LockEntry]) -> tuple[list[LockEntry], list[str]]:
    """The lock entries under each folder or file path, and a problem for each path that names none."""
    chosen: dict[str, LockEntry] = {}
    problems = []
    for raw in paths:
        wanted = raw.strip("/")
        hits = [e for p, e in lock.items() if p == wanted or p.startswith(wanted + "/")]
        if not hits:
            folders = sorted({"/".join(p.split("/")[:2]) for p in lock})
            problems.append(f"{raw}: not in the schema lock; valid: {', '.join(folders)}")
        chosen.update((e.path, e) for e in hits)
    return [chosen[p] for p in sorted(chosen)], problems


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _present(target: Path, sha256: str) -> bool:
    try:
        return _sha256(target.read_bytes()) == sha256
    except OSError:
        return False


def _write_atomic(target: Path, data: bytes) -> None:
    """Write next to the target and rename, so a reader never sees half a file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _fetch(entry: LockEntry, cache: Path, timeout: float) -> str | None:
    """Download one entry into the cache unless it is already there; a one-line problem or None."""
    target = cache / entry.path
    if _present(target, entry.sha256):
        return None
    request = urllib.request.Request(entry.url, headers={"User-Agent": "inferfleet-schemas"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            data = response.read()
    except urllib.error.HTTPError as e:
        return f"{entry.path}: HTTP {e.code} {e.reason} from {entry.url}"
    except urllib.error.URLError as e:
        reason = e.reason
        if isinstance(reason, TimeoutError):
            return f"{entry.path}: no answer within {timeout:g} s from {entry.url}"
        return f"{entry.path}: cannot download {entry.url}: {getattr(reason, 'strerror', None) or reason}"
    except TimeoutError:
        return f"{entry.path}: no answer within {timeout:g} s from {entry.url}"
    except (OSError, http.client.HTTPException, ValueError) as e:
        return f"{entry.path}: download of {entry.url} failed: {type(e).__name__} {e}"
    got = _sha256(data)
    if got != entry.sha256:
        return f"{entry.path}: sha256 mismatch for {entry.url}: expected {entry.sha256}, got {got}; file not kept"
    try:
        _write_atomic(target, data)
    except OSError as e:
        return f"{entry.path}: cannot write {target}: {e.strerror or e}"
    return None


def ensure(
    paths: Iterable[str],
    cache: Path,
    lock: Mapping[str, LockEntry],
    timeout: float = TIMEOUT_SECONDS,
) -> list[str]:
    """Make the cache hold every locked file under `paths` (folders like `crds/kueue-v0.19.2`, or files).

    Files already present with the locked sum are not downloaded again. Returns one line per
    problem (unknown path, HTTP error, timeout, sha mismatch, unwritable cache); empty when the
    cache holds them all.
    """
    entries, problems = select(paths, lock)
    with ThreadPoolExecutor(max_workers=_WORKERS) as pool:
        results = list(pool.map(lambda e: _fetch(e, cache, timeout), entries))
    return problems + [r for r in results if r]


def _dependencies(chart_yaml: Path) -> dict[str, str]:
    """Subchart versions the parent chart pins, by name (Helm packages a subchart as charts/<name>/)."""
    if not chart_yaml.is_file():
        return {}
    chart = yaml.safe_load(chart_yaml.read_text()) or {}
    return {str(d["name"]): str(d["version"]) for d in chart.get("dependencies") or [] if "version" in d}


def _component(kind: str, folder: str) -> tuple[_Component, str] | None:
    for component in _COMPONENTS[kind]:
        match = component.pattern().match(folder)
        if match:
            return component, match["version"]
    return None


def build_lock(source: Path) -> tuple[list[LockEntry], list[str]]:
    """Lock entries for every schema file in a local copy laid out like the cache, and problems.

    A folder no component template matches, or a subchart whose pinned version the parent's
    Chart.yaml does not give, is a problem: the lock must not silently leave files out.
    """
    entries: list[LockEntry] = []
    problems: list[str] = []
    for kind, components in _COMPONENTS.items():
        root = source / kind
        if not root.is_dir():
            problems.append(f"{root}: missing; expected the {kind}/ folder of a schema copy")
            continue
        for folder in sorted(p for p in root.iterdir() if p.is_dir()):
            rel_folder = f"{kind}/{folder.name}"
            if any(p.match(rel_folder) for p in _UNLOCKED_FOLDERS):
                continue
            found = _component(kind, folder.name)
            if found is None:
                templates = ", ".join(c.folder for c in components)
                problems.append(f"{rel_folder}: no upstream URL template matches; add one to _{kind.upper()} (known: {templates})")
                continue
            component, version = found
            try:
                dependencies = _dependencies(folder / "Chart.yaml")
            except (yaml.YAMLError, KeyError, TypeError, AttributeError) as e:
                problems.append(f"{rel_folder}/Chart.yaml: cannot read its dependencies: {str(e).splitlines()[0]}")
                continue
            for file in sorted(p for p in folder.rglob("*") if p.is_file()):
                if _unlocked_file(file.name):
                    continue
                rel = file.relative_to(folder).as_posix()
                try:
                    url = component.url(rel, version, dependencies)
                except LookupError as e:
                    problems.append(f"{rel_folder}/{rel}: {e}")
                    continue
                entries.append(LockEntry(f"{rel_folder}/{rel}", url, _sha256(file.read_bytes())))
    return sorted(entries, key=lambda e: e.path), problems


def write_lock(entries: Sequence[LockEntry], path: Path) -> None:
    data = {
        "comment": f"Pinned upstream schema files and their sha256. Regenerate with `{LOCK_COMMAND}`.",
        "files": [{"path": e.path, "url": e.url, "sha256": e.sha256} for e in entries],
    }
    _write_atomic(path, (json.dumps(data, indent=1) + "\n").encode())


def main(argv: Sequence[str] | None = None) -> int:
    """`fetch [--cache DIR] [--only FOLDER...]` or `lock --from DIR`: exit 0 done, 1 problems, 2 usage."""
    parser = argparse.ArgumentParser(prog="python -m stacks schemas", description="pinned upstream CRDs and chart values")
    commands = parser.add_subparsers(dest="command", required=True)
    fetch = commands.add_parser("fetch", help="download the locked files into the cache, checking their sha256")
    fetch.add_argument("--cache", type=Path, default=None, help=f"cache folder (default: {default_cache()})")
    fetch.add_argument("--only", nargs="+", metavar="FOLDER", help="only these folders or files, e.g. crds/kueue-v0.19.2")
    fetch.add_argument("--timeout", type=float, default=TIMEOUT_SECONDS, help="seconds per request")
    fetch.add_argument("--lock", type=Path, default=LOCK_PATH, help=f"lock file to read (default: {LOCK_PATH})")
    lock = commands.add_parser("lock", help="regenerate the lock from a local copy of the files (maintainers)")
    lock.add_argument("--from", dest="source", type=Path, required=True, help="folder holding crds/ and charts/")
    lock.add_argument("--out", type=Path, default=LOCK_PATH, help=f"lock file to write (default: {LOCK_PATH})")
    args = parser.parse_args(argv)

    if args.command == "lock":
        entries, problems = build_lock(args.source)
        if problems:
            print("\n".join(problems), file=sys.stderr)
            return 1
        try:
            write_lock(entries, args.out)
        except OSError as e:
            print(f"cannot write the schema lock {args.out}: {e.strerror or e}", file=sys.stderr)
            return 1
        print(f"{args.out}: {len(entries)} files locked from {args.source}")
        return 0

    try:
        locked = load_lock(args.lock)
    except ValueError as e:
        print(e, file=sys.stderr)
        return 1
    cache = args.cache or default_cache()
    wanted = args.only or sorted({"/".join(p.split("/")[:2]) for p in locked})
    problems = ensure(wanted, cache, locked, timeout=args.timeout)
    if problems:
        print("\n".join(problems), file=sys.stderr)
        print(f"{len(problems)} schema files missing from {cache}; rerun `{FETCH_COMMAND}` once the cause is fixed", file=sys.stderr)
        return 1
    count = len(select(wanted, locked)[0])
    print(f"{cache}: {count} schema files present, sha256 verified")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
