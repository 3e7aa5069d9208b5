"""How long the stack-file reader takes to refuse hostile files and to read a large normal one.

Prints the best wall-clock time of a few runs for: a billion-laughs file (nine levels of nine
aliases, 9**9 values if expanded), a file nested deeper than the limit, a file just under 1 MB of
ordinary config, and the same file through `yaml.safe_load` for comparison.

    python benchmarks/stackfile_bomb.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Callable

import yaml

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from stacks.stackfile import MAX_BYTES, StackFileError, parse_document  # noqa: E402


def billion_laughs() -> bytes:
    lines = [b'lol0: &lol0 "lol"']
    for level in range(1, 10):
        aliases = b", ".join([b"*lol%d" % (level - 1)] * 9)
        lines.append(b"lol%d: &lol%d [%s]" % (level, level, aliases))
    return b"config:\n" + b"".join(b"  other:" + line + b"\n" for line in lines)


def deep() -> bytes:
    return b"config:\n  inferfleet:x: " + b"[" * 10_000 + b"]" * 10_000 + b"\n"


def large() -> bytes:
    """Ordinary config: many models with a few keys each, up to just under the size limit."""
    head = b"config:\n  inferfleet:models:\n"
    model = (b"    model-%06d:\n      model: Qwen/Qwen3-8B\n      pool: l4\n      namespace: team-%d\n"
             b"      replicas: {min: 1, max: 2}\n      vllm:\n        extraArgs: ['--enable-prefix-caching']\n")
    body = bytearray(head)
    i = 0
    while len(body) + len(model) + 16 < MAX_BYTES:
        body += model % (i, i % 10)
        i += 1
    return bytes(body)


def best(run: Callable[[], object], repeat: int) -> tuple[float, str]:
    times = []
    outcome = ""
    for _ in range(repeat):
        start = time.perf_counter()
        try:
            run()
            outcome = "read"
        except StackFileError as e:
            outcome = f"refused: {str(e)[:90]}"
        times.append(time.perf_counter() - start)
    return min(times), outcome


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5, help="runs per case; the best is reported")
    repeat = parser.parse_args().repeat
    normal = large()
    cases: list[tuple[str, int, Callable[[], object]]] = [
        ("billion laughs", len(billion_laughs()), lambda: parse_document(billion_laughs(), "bomb.yaml")),
        ("nested 10000 deep", len(deep()), lambda: parse_document(deep(), "deep.yaml")),
        ("normal, near 1 MB", len(normal), lambda: parse_document(normal, "large.yaml")),
        ("normal, yaml.safe_load (C)", len(normal),
         lambda: yaml.load(normal, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))),
    ]
    print(f"libyaml: {getattr(yaml, '__with_libyaml__', False)}; best of {repeat}")
    for name, size, run in cases:
        seconds, outcome = best(run, repeat)
        print(f"{name:28} {size:>9} bytes {seconds * 1000:9.1f} ms  {outcome}")


if __name__ == "__main__":
    main()
