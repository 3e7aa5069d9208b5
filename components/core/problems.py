"""Config problems and how they are reported: one line each, `inferfleet:<path>: <what>; <valid>`.

One vocabulary for every stage that can find a problem: the schema (pydantic errors are
translated here), each layer's resolver, the catalogs and the cloud preflights.
"""

from __future__ import annotations

import difflib
import typing
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

from pydantic import BaseModel, ValidationError

NAMESPACE = "inferfleet"


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    """Dotted config path below the namespace, e.g. `nodePools.l4.gpu`."""
    message: str

    def line(self) -> str:
        # Keys and quoted values may hold characters a terminal does not show or that break the
        # line (a newline, U+2028, U+E000); those are escaped, so a problem stays one visible line.
        text = f"{NAMESPACE}:{self.path}: {self.message}"
        return text if text.isprintable() else "".join(c if c.isprintable() else ascii(c)[1:-1] for c in text)


class ConfigError(Exception):
    """The stack is invalid; `problems` lists every problem found."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = tuple(problems)
        super().__init__(self.report())

    def report(self) -> str:
        return "\n".join(p.line() for p in self.problems)


class Problems:
    """Collects problems while resolving, so a stack reports all of them at once."""

    def __init__(self) -> None:
        self.items: list[Problem] = []

    def add(self, path: str, message: str) -> None:
        self.items.append(Problem(path, message))

    def extend(self, problems: Iterable[Problem]) -> None:
        self.items.extend(problems)

    def count(self) -> int:
        return len(self.items)

    def raise_if_any(self) -> None:
        if self.items:
            raise ConfigError(sorted(set(self.items)))


def check_nodes(path: str, low: int, high: int, problems: Problems) -> None:
    if low > high:
        problems.add(f"{path}.min", f"{low} is more than max {high}; min must be <= max")


def join_path(*parts: str | int) -> str:
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    """Model classes an annotation holds, through Optional, tuple, dict and unions."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in getattr(annotation, "__args__", ()) or () for m in _models_in(arg)]


def _tags(model: type[BaseModel]) -> tuple[Any, ...]:
    """The values of a union member's `provider` discriminator."""
    field = model.model_fields.get("provider")
    return getattr(field.annotation, "__args__", ()) if field is not None else ()


def _walk(root: type[BaseModel], loc: Sequence[str | int]) -> tuple[list[str | int], type[BaseModel] | None]:
    """The config path of a pydantic `loc`, and the model holding its last key.

    pydantic's `loc` also names the union member it tried (`cluster.gke.project`) and marks
    dict-key errors with `[key]`; neither is part of the path a user writes.
    """
    path: list[str | int] = []
    model: type[BaseModel] | None = root
    parent: type[BaseModel] | None = root
    members: list[type[BaseModel]] = []
    dict_key_next = False
    for part in loc:
        if part == "[key]":
            continue
        if isinstance(part, int) or dict_key_next:
            path.append(part)
            dict_key_next = False
            continue
        if model is None and members:
            model = next((m for m in members if part in _tags(m)), None)
            if model is not None:
                continue
        fields = {} if model is None else {(f.alias or n): f for n, f in model.model_fields.items()}
        field = fields.get(part)
        path.append(part)
        parent = model
        if field is None:
            model, members = None, []
            continue
        dict_key_next = getattr(field.annotation, "__origin__", None) is dict
        members = _models_in(field.annotation)
        model = members[0] if len(members) == 1 else None
    return path, parent


def _valid_keys(model: type[BaseModel] | None) -> list[str]:
    if model is None:
        return []
    return [info.alias or name for name, info in model.model_fields.items()]


_TYPES = (
    (("int_parsing", "int_type", "int_from_float"), "a whole number"),
    (("float_parsing", "float_type"), "a number"),
    (("finite_number",), "a finite number"),
    (("bool_parsing", "bool_type"), "true or false"),
    (("string_type",), "text"),
    (("model_type", "model_attributes_type", "dict_type"), "a mapping of keys"),
    (("tuple_type", "list_type"), "a list"),
)
"""pydantic's type errors, and what a valid value is."""


def _example(model: type[BaseModel] | None, key: str | int) -> str:
    """", e.g. <default>" when the field has a plain default to show."""
    field = None if model is None else next((f for n, f in model.model_fields.items() if key in (n, f.alias)), None)
    default = None if field is None else field.default
    if isinstance(default, bool) or not isinstance(default, (int, float, str)) or default == "":
        return ""
    return f", e.g. {default}"


def _description(model: type[BaseModel] | None, key: str | int) -> str:
    """What a valid value looks like: its allowed values, or the field's description."""
    if model is None:
        return ""
    field = next((f for n, f in model.model_fields.items() if key in (n, f.alias)), None)
    if field is None:
        return ""
    choices = typing.get_args(field.annotation) if typing.get_origin(field.annotation) is typing.Literal else ()
    if choices:
        return f"valid: {', '.join(map(str, choices))}"
    return field.description or ""


def _unquote(text: str) -> str:
    return text.replace("'", "")


def _show(value: Any) -> str:
    if isinstance(value, str):
        return f"'{value}'" if len(value) <= 60 else f"'{value[:57]}...'"  # one line stays readable
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list, tuple)):
        return "a mapping" if isinstance(value, dict) else "a list"
    return str(value)


def _message(error: Any, parent: type[BaseModel] | None, key: str | int) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    given = error.get("input")
    if kind == "extra_forbidden":
        keys = _valid_keys(parent)
        close = difflib.get_close_matches(str(key), keys, n=1)
        hint = f"did you mean '{close[0]}'? " if close else ""
        return f"unknown key; {hint}valid keys: {', '.join(keys)}"
    if kind == "missing":
        return "required key is missing" + (f"; {_description(parent, key)}" if _description(parent, key) else "")
    for kinds, expected in _TYPES:
        if kind in kinds:
            return f"{_show(given)} is not {expected}; valid: {expected}{_example(parent, key)}"
    if kind == "literal_error":
        return f"{_show(given)} is not allowed; valid: {_unquote(ctx.get('expected', '').replace(' or ', ', '))}"
    if kind == "union_tag_invalid":
        return f"{_show(ctx.get('tag'))} is not a known provider; valid: {_unquote(ctx.get('expected_tags', ''))}"
    if kind == "union_tag_not_found":
        return f"'{ctx.get('discriminator', 'provider').strip(chr(39))}' is missing; valid: gke, eks, existing"
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        op = {"greater_than_equal": ">=", "greater_than": ">", "less_than_equal": "<=", "less_than": "<"}[kind]
        bound = next(v for k, v in ctx.items() if k in ("ge", "gt", "le", "lt"))
        bound = int(bound) if isinstance(bound, float) and bound.is_integer() else bound
        return f"{_show(given)} is out of range; must be {op} {bound}"
    if kind == "too_short":
        need = f"needs at least {ctx.get('min_length')} item(s), got {ctx.get('actual_length')}"
        return need + (f"; {_description(parent, key)}" if _description(parent, key) else "")
    if kind == "too_long":
        return f"allows at most {ctx.get('max_length')} item(s), got {ctx.get('actual_length')}"
    if kind == "string_too_short":
        return f"{_show(given)} is too short; at least {ctx.get('min_length')} characters"
    if kind == "string_too_long":
        return f"{_show(given)} is too long; at most {ctx.get('max_length')} characters"
    if kind == "string_pattern_mismatch":
        # The field's description says the form in words; a user never sees the regex.
        return f"{_show(given)} has the wrong form; valid: {_description(parent, key) or 'see the README'}"
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    return str(error["msg"])


def problems_from_validation(root: type[BaseModel], exc: ValidationError) -> list[Problem]:
    problems = []
    errors = exc.errors(include_url=False)
    inner = {error["loc"][:n] for error in errors for n in range(len(error["loc"]))}
    for error in errors:
        if error["type"] == "too_short" and error["loc"] in inner:
            continue  # pydantic counts only the items that validated; the items' own errors say what is wrong
        path, parent = _walk(root, error["loc"])
        problems.append(Problem(join_path(*path), _message(error, parent, path[-1] if path else "")))
    return sorted(set(problems))
