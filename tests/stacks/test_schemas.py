"""The schema downloader against a local HTTP server (never the network), and the committed lock."""

from __future__ import annotations

import hashlib
import http.server
import json
import re
import socket
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Iterator

import pytest
import yaml

from stacks.plan import schemas
from stacks.plan.schemas import LockEntry

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"
needs_shared = pytest.mark.skipif(
    not (SHARED / "crds").is_dir(), reason=f"no reference copy of the schemas at {SHARED} to check the lock against"
)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Server:
    """Serves `files` (URL path -> bytes) on 127.0.0.1, counting requests; paths in `slow` answer late."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.slow: dict[str, float] = {}
        self.requests: Counter[str] = Counter()
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.requests[self.path] += 1
                time.sleep(server.slow.get(self.path, 0))
                body = server.files.get(self.path)
                if body is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:  # keep pytest output clean
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def serve(self, path: str, body: bytes) -> LockEntry:
        """Publish `body` at /<path> and return its correct lock entry."""
        self.files[f"/{path}"] = body
        return LockEntry(path=path, url=f"{self.base}/{path}", sha256=sha(body))


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[Server]:
    monkeypatch.setenv("no_proxy", "127.0.0.1")  # a proxy in the environment must not see test traffic
    s = Server()
    thread = threading.Thread(target=s.httpd.serve_forever, daemon=True)
    thread.start()
    yield s
    s.httpd.shutdown()
    s.httpd.server_close()


def lock_of(*entries: LockEntry) -> dict[str, LockEntry]:
    return {e.path: e for e in entries}


def leftovers(cache: Path) -> list[str]:
    return sorted(p.name for p in cache.rglob(".*.part"))


def test_a_folder_is_downloaded_into_the_cache_layout_and_verified(server: Server, tmp_path: Path) -> None:
    a = server.serve("crds/demo-v1.0.0/a.yaml", b"kind: A\n")
    b = server.serve("crds/demo-v1.0.0/sub/b.yaml", b"kind: B\n")
    other = server.serve("charts/demo-1.0.0/values.yaml", b"x: 1\n")

    assert schemas.ensure(["crds/demo-v1.0.0"], tmp_path, lock_of(a, b, other)) == []

    assert (tmp_path / "crds/demo-v1.0.0/a.yaml").read_bytes() == b"kind: A\n"
    assert (tmp_path / "crds/demo-v1.0.0/sub/b.yaml").read_bytes() == b"kind: B\n"
    assert not (tmp_path / "charts").exists(), "a folder that was not asked for was downloaded"
    assert leftovers(tmp_path) == []


def test_a_single_file_can_be_asked_for(server: Server, tmp_path: Path) -> None:
    a = server.serve("charts/demo-1.0.0/values.yaml", b"x: 1\n")
    b = server.serve("charts/demo-1.0.0/Chart.yaml", b"name: demo\n")

    assert schemas.ensure(["charts/demo-1.0.0/values.yaml"], tmp_path, lock_of(a, b)) == []

    assert (tmp_path / a.path).is_file()
    assert not (tmp_path / b.path).exists()


def test_a_sha_mismatch_names_both_sums_and_keeps_no_file(server: Server, tmp_path: Path) -> None:
    served = server.serve("crds/demo-v1.0.0/a.yaml", b"kind: Tampered\n")
    expected = sha(b"kind: A\n")
    entry = LockEntry(served.path, served.url, expected)

    problems = schemas.ensure(["crds/demo-v1.0.0"], tmp_path, lock_of(entry))

    assert problems == [
        f"crds/demo-v1.0.0/a.yaml: sha256 mismatch for {entry.url}: expected {expected}, "
        f"got {served.sha256}; file not kept"
    ]
    assert not (tmp_path / entry.path).exists()
    assert leftovers(tmp_path) == []


def test_a_404_is_one_line_naming_the_url(server: Server, tmp_path: Path) -> None:
    entry = LockEntry("crds/demo-v1.0.0/gone.yaml", f"{server.base}/crds/demo-v1.0.0/gone.yaml", sha(b""))

    problems = schemas.ensure(["crds/demo-v1.0.0"], tmp_path, lock_of(entry))

    assert problems == [f"crds/demo-v1.0.0/gone.yaml: HTTP 404 Not Found from {entry.url}"]
    assert not (tmp_path / entry.path).exists()


def test_a_rerun_downloads_nothing_but_a_file_whose_sum_changed(server: Server, tmp_path: Path) -> None:
    a = server.serve("crds/demo-v1.0.0/a.yaml", b"kind: A\n")
    b = server.serve("crds/demo-v1.0.0/b.yaml", b"kind: B\n")
    lock = lock_of(a, b)
    assert schemas.ensure(["crds/demo-v1.0.0"], tmp_path, lock) == []
    assert sum(server.requests.values()) == 2

    assert schemas.ensure(["crds/demo-v1.0.0"], tmp_path, lock) == []
    assert sum(server.requests.values()) == 2, "files present with the right sum were downloaded again"

    (tmp_path / b.path).write_bytes(b"edited by hand\n")
    assert schemas.ensure(["crds/demo-v1.0.0"], tmp_path, lock) == []
    assert server.requests == Counter({"/crds/demo-v1.0.0/a.yaml": 1, "/crds/demo-v1.0.0/b.yaml": 2})
    assert (tmp_path / b.path).read_bytes() == b"kind: B\n"


def test_a_server_that_does_not_answer_in_time_is_reported(server: Server, tmp_path: Path) -> None:
    entry = server.serve("crds/demo-v1.0.0/slow.yaml", b"kind: Slow\n")
    server.slow["/crds/demo-v1.0.0/slow.yaml"] = 1.0

    problems = schemas.ensure(["crds/demo-v1.0.0"], tmp_path, lock_of(entry), timeout=0.2)

    assert problems == [f"crds/demo-v1.0.0/slow.yaml: no answer within 0.2 s from {entry.url}"]
    assert not (tmp_path / entry.path).exists()


def test_a_connection_refused_is_one_line(tmp_path: Path) -> None:
    with socket.socket() as s:  # a port that was free a moment ago: nothing listens on it
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}/a.yaml"
    entry = LockEntry("crds/demo-v1.0.0/a.yaml", url, sha(b""))

    [problem] = schemas.ensure(["crds/demo-v1.0.0"], tmp_path, lock_of(entry), timeout=2)

    assert problem == f"crds/demo-v1.0.0/a.yaml: cannot download {url}: Connection refused"
    assert "\n" not in problem


def test_a_folder_not_in_the_lock_is_a_problem_listing_the_valid_ones(tmp_path: Path) -> None:
    lock = lock_of(LockEntry("crds/kueue-v0.19.2/a.yaml", "https://example.invalid/a", sha(b"")))

    problems = schemas.ensure(["crds/kueue-v0.20.0"], tmp_path, lock)

    assert problems == ["crds/kueue-v0.20.0: not in the schema lock; valid: crds/kueue-v0.19.2"]


def test_the_command_fetches_and_reports_without_a_traceback(
    server: Server, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = server.serve("crds/demo-v1.0.0/a.yaml", b"kind: A\n")
    missing = LockEntry("charts/demo-1.0.0/values.yaml", f"{server.base}/charts/demo-1.0.0/values.yaml", sha(b""))
    lock_file = tmp_path / "lock.json"
    schemas.write_lock([good, missing], lock_file)
    cache = tmp_path / "cache"

    assert schemas.main(["fetch", "--lock", str(lock_file), "--cache", str(cache), "--only", "crds/demo-v1.0.0"]) == 0
    assert capsys.readouterr().out == f"{cache}: 1 schema files present, sha256 verified\n"

    assert schemas.main(["fetch", "--lock", str(lock_file), "--cache", str(cache)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err == [
        f"charts/demo-1.0.0/values.yaml: HTTP 404 Not Found from {missing.url}",
        f"1 schema files missing from {cache}; rerun `python -m stacks schemas fetch` once the cause is fixed",
    ]


def test_an_unreadable_lock_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "lock.json"
    bad.write_text('{"files": [{"path": "crds/x/a.yaml"}]}')

    assert schemas.main(["fetch", "--lock", str(bad), "--cache", str(tmp_path)]) == 1

    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith(f"the schema lock {bad} is not a list of files with path, url and sha256: ")


def test_the_default_cache_follows_xdg_cache_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert schemas.default_cache() == tmp_path / "xdg" / "inferfleet" / "schemas"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert schemas.default_cache() == tmp_path / "home" / ".cache" / "inferfleet" / "schemas"


# The lock generator, on small fixture copies.


def write(root: Path, rel: str, text: str) -> None:
    (root / rel).parent.mkdir(parents=True, exist_ok=True)
    (root / rel).write_text(text)


def test_lock_derives_urls_from_the_folder_version_and_skips_notes(tmp_path: Path) -> None:
    write(tmp_path, "crds/kueue-v0.30.1/kueue.x-k8s.io_workloads.yaml", "kind: CustomResourceDefinition\n")
    write(tmp_path, "crds/kueue-v0.30.1/SOURCE.md", "notes\n")
    write(tmp_path, "crds/cert-manager-v1.30.0/deploy-crds-README.md", "upstream prose\n")
    write(tmp_path, "crds/kubernetes-v1.40-openapi/swagger.json.unprocessed", "{}\n")
    write(tmp_path, "charts/kueue-0.30.1/values.yaml", "x: 1\n")

    entries, problems = schemas.build_lock(tmp_path)

    assert problems == []
    assert entries == [
        LockEntry(
            "charts/kueue-0.30.1/values.yaml",
            "https://raw.githubusercontent.com/kubernetes-sigs/kueue/v0.30.1/charts/kueue/values.yaml",
            sha(b"x: 1\n"),
        ),
        LockEntry(
            "crds/kueue-v0.30.1/kueue.x-k8s.io_workloads.yaml",
            "https://raw.githubusercontent.com/kubernetes-sigs/kueue/v0.30.1/config/components/crd/bases/kueue.x-k8s.io_workloads.yaml",
            sha(b"kind: CustomResourceDefinition\n"),
        ),
    ]


def test_lock_takes_a_subchart_version_from_the_parent_chart(tmp_path: Path) -> None:
    chart = {"name": "kube-prometheus-stack", "dependencies": [{"name": "grafana", "version": "12.99.0"}]}
    write(tmp_path, "charts/kube-prometheus-stack-99.0.0/Chart.yaml", yaml.safe_dump(chart))
    write(tmp_path, "charts/kube-prometheus-stack-99.0.0/charts/grafana/values.yaml", "a: 1\n")
    (tmp_path / "crds").mkdir()

    entries, problems = schemas.build_lock(tmp_path)

    assert problems == []
    assert [e.url for e in entries] == [
        "https://raw.githubusercontent.com/prometheus-community/helm-charts/kube-prometheus-stack-99.0.0/charts/kube-prometheus-stack/Chart.yaml",
        "https://raw.githubusercontent.com/grafana-community/helm-charts/grafana-12.99.0/charts/grafana/values.yaml",
    ]


@pytest.mark.parametrize(
    "rel, expected",
    [
        (
            "crds/newthing-v1.0.0/a.yaml",
            "crds/newthing-v1.0.0: no upstream URL template matches; add one to _CRDS (known: cert-manager-v{version}, ",
        ),
        (
            "charts/kube-prometheus-stack-99.0.0/charts/grafana/values.yaml",
            "charts/kube-prometheus-stack-99.0.0/charts/grafana/values.yaml: the parent chart's Chart.yaml pins "
            "no version for the subchart from grafana-community/helm-charts",
        ),
    ],
    ids=["unknown folder", "subchart without a pinned version"],
)
def test_lock_refuses_files_it_cannot_place(tmp_path: Path, rel: str, expected: str) -> None:
    write(tmp_path, rel, "a: 1\n")
    (tmp_path / "crds").mkdir(exist_ok=True)
    (tmp_path / "charts").mkdir(exist_ok=True)

    entries, problems = schemas.build_lock(tmp_path)

    assert entries == []
    assert len(problems) == 1 and problems[0].startswith(expected), problems


def test_the_lock_command_writes_nothing_when_a_file_cannot_be_placed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path, "crds/newthing-v1.0.0/a.yaml", "a: 1\n")
    (tmp_path / "charts").mkdir()
    out = tmp_path / "lock.json"

    assert schemas.main(["lock", "--from", str(tmp_path), "--out", str(out)]) == 1

    assert not out.exists()
    assert capsys.readouterr().err.startswith("crds/newthing-v1.0.0: no upstream URL template matches")


# The committed lock.

LOCK = schemas.load_lock()


def folder_version(path: str) -> str:
    folder = path.split("/")[1]
    match = re.search(r"[0-9]+\.[0-9]+\.[0-9]+", folder)
    assert match, f"{path}: its folder names no version"
    return match[0]


def locked_copy_files(root: Path) -> dict[str, Path]:
    """Every file of the reference copy the lock must cover: all but the core OpenAPI dump and notes."""
    files = {}
    for kind in ("crds", "charts"):
        for file in (root / kind).rglob("*"):
            rel = file.relative_to(root).as_posix()
            if file.is_file() and not rel.startswith("crds/kubernetes-v1.36-openapi/") and file.name != "SOURCE.md" and "README" not in file.name:
                files[rel] = file
    return files


@needs_shared
def test_the_lock_covers_every_reference_file_with_its_sum() -> None:
    files = locked_copy_files(SHARED)

    assert sorted(LOCK) == sorted(files)
    wrong = [p for p, f in files.items() if sha(f.read_bytes()) != LOCK[p].sha256]
    assert wrong == [], f"sums differ from {SHARED}; rerun `{schemas.LOCK_COMMAND}`"


@needs_shared
def test_the_lock_is_what_the_lock_command_writes(tmp_path: Path) -> None:
    out = tmp_path / "lock.json"
    assert schemas.main(["lock", "--from", str(SHARED), "--out", str(out)]) == 0
    assert json.loads(out.read_text()) == json.loads(schemas.LOCK_PATH.read_text())


def test_every_locked_url_is_https_at_the_folder_version_or_the_subcharts_own_tag() -> None:
    for path, entry in LOCK.items():
        assert entry.url.startswith("https://raw.githubusercontent.com/"), path
        subchart = re.match(r"charts/[^/]+/charts/([^/]+)/", path)
        if subchart and folder_version(path) not in entry.url:
            assert re.search(rf"/{re.escape(subchart[1])}-[0-9]+\.[0-9]+\.[0-9]+/", entry.url), path
        else:
            assert folder_version(path) in entry.url, path


@needs_shared
def test_subchart_urls_use_the_version_the_parent_chart_pins() -> None:
    checked = 0
    for path, entry in LOCK.items():
        subchart = re.match(r"(charts/[^/]+)/charts/([^/]+)/", path)
        if not subchart or folder_version(path) in entry.url:
            continue
        chart = yaml.safe_load((SHARED / subchart[1] / "Chart.yaml").read_text())
        [pin] = [d["version"] for d in chart["dependencies"] if d["name"] == subchart[2]]
        assert f"/{subchart[2]}-{pin}/" in entry.url, path
        checked += 1
    assert checked == 3, "expected grafana, kube-state-metrics and prometheus-node-exporter"
