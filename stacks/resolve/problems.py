"""Collecting problems while resolving, so a stack reports all of them at once."""

from __future__ import annotations

from ..errors import Problem


class Problems:
    def __init__(self) -> None:
        self.items: list[Problem] = []

    def add(self, path: str, message: str) -> None:
        self.items.append(Problem(path, message))

    def count(self) -> int:
        return len(self.items)


def check_nodes(path: str, low: int, high: int, problems: Problems) -> None:
    if low > high:
        problems.add(f"{path}.min", f"{low} is more than max {high}; min must be <= max")
