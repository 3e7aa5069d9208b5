"""Read a Pulumi stack file (`Pulumi.<stack>.yaml`) into plain Python data, refusing anything unsafe.

The offline plan reads the same file Pulumi reads, so this reader accepts what Pulumi accepts and
refuses, with one line, what Pulumi refuses or what would crash or stall the plan:

- UTF-8 only, with or without a byte order mark, LF or CRLF. Pulumi strips a UTF-8 BOM too
  (pulumi/pulumi@v3.259.0 sdk/go/common/workspace/loaders.go:30-31, readFileStripUTF8BOM).
- One YAML document whose top level is a mapping with only the keys of Pulumi's `ProjectStack`
  (pulumi/pulumi@v3.259.0 sdk/go/common/workspace/project.go:1229-1245).
- Keys are text and appear once per mapping. Pulumi decodes with gopkg.in/yaml.v3
  (sdk/go/common/encoding/marshal.go:27,115), which refuses a repeated key, `<<` included
  (go-yaml/yaml v3 decode.go@00aeb2c, decoder.mapping: "mapping key ... already defined at line ...").
- Aliases expand to a bounded number of values, so a "billion laughs" file fails at once.
- Plain scalars resolve as yaml.v3 resolves them when it decodes into `any`
  (go-yaml/yaml v3 resolve.go@0d383ff: only true/false are booleans, `yes`/`on` stay text, 0777 is
  octal, no base-60 numbers; decode.go: timestamps stay text), so `pulumi up` and the plan agree.
- No `.inf` or `.nan` anywhere, and no tags beyond YAML's core schema (`!!python/object` and the like).

The events come from PyYAML's parser (libyaml when built in); this module only builds values from
them, without recursion, counting what aliases add.
"""

from __future__ import annotations

import copy
import difflib
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

MAX_BYTES = 1_000_000
"""Default size limit. Real stack files are a few kilobytes; a megabyte of config reads in about 0.2 s."""

MAX_ALIAS_VALUES = 10_000
"""Values that aliases may add in one file: far more than any stack needs, far less than a bomb."""

MAX_DEPTH = 64
"""Nesting limit, counted after alias expansion; a stack file nests about eight levels deep."""

TOP_LEVEL_KEYS = ("config", "environment", "secretsprovider", "encryptedkey", "encryptionsalt")
"""The yaml names of Pulumi's ProjectStack fields (project.go:1229-1245 above)."""

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_CORE = "tag:yaml.org,2002:"

# UTF-32 first: its little-endian BOM begins with UTF-16 LE's.
_BOMS = (
    (b"\x00\x00\xfe\xff", "UTF-32 BE"),
    (b"\xff\xfe\x00\x00", "UTF-32 LE"),
    (b"\xfe\xff", "UTF-16 BE"),
    (b"\xff\xfe", "UTF-16 LE"),
)
_UTF8_BOM = b"\xef\xbb\xbf"

# The characters YAML allows in a stream (YAML 1.1 section 5.1, as PyYAML's reader applies it).
_NOT_PRINTABLE = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

_CONTROL = re.compile("[\x00-\x1f\x7f]")

_MERGE = object()
"""The resolved value of a plain `<<` key."""

# yaml.v3 resolve.go resolveMapList: the exact spellings of booleans, null, NaN, infinities, merge.
_PLAIN_WORDS: dict[str, Any] = {
    **dict.fromkeys(("true", "True", "TRUE"), True),
    **dict.fromkeys(("false", "False", "FALSE"), False),
    **dict.fromkeys(("", "~", "null", "Null", "NULL"), None),
    **dict.fromkeys((".nan", ".NaN", ".NAN"), math.nan),
    **dict.fromkeys((".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"), math.inf),
    **dict.fromkeys(("-.inf", "-.Inf", "-.INF"), -math.inf),
    "<<": _MERGE,
}
# Go's strconv.ParseInt(s, 0, 64) syntax, which yaml.v3 applies after removing underscores.
_GO_INT = re.compile(r"[-+]?(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)")
_YAML_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")  # resolve.go yamlStyleFloat
_DOT_FLOAT = re.compile(r"\.[0-9]+([eE][-+]?[0-9]+)?")


class StackFileError(Exception):
    """A stack file that cannot be read: one ASCII line naming the file, what is wrong and what is valid."""

    def __init__(self, message: str) -> None:
        flat = " ".join(message.splitlines())
        shown = flat.encode("ascii", "backslashreplace").decode("ascii")
        super().__init__(_CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", shown))  # a tab in a key, say


def read_document(path: Path, *, max_bytes: int = MAX_BYTES) -> dict[str, Any]:
    """The stack file at `path` as plain data (dicts, lists, str, int, float, bool, None)."""
    return read_with_lines(path, max_bytes=max_bytes)[0]


def read_with_lines(path: Path, *, max_bytes: int = MAX_BYTES) -> tuple[dict[str, Any], dict[str, int]]:
    """`read_document`, and the line of each key under `config:`."""
    try:
        size = path.stat().st_size
        if path.is_dir():
            raise StackFileError(f"{path}: is a directory; give the path of a Pulumi.<stack>.yaml file")
        if size > max_bytes:
            raise StackFileError(_too_large(path, size, max_bytes))
        with path.open("rb") as f:
            data = f.read(max_bytes + 1)  # the file may have grown since stat
    except FileNotFoundError:
        raise StackFileError(f"{path}: no such stack file") from None
    except OSError as e:
        raise StackFileError(f"{path}: cannot be read ({e.strerror}); check the path and its permissions") from None
    return parse_with_lines(data, str(path), max_bytes=max_bytes)


def parse_document(data: bytes, name: str, *, max_bytes: int = MAX_BYTES) -> dict[str, Any]:
    """`read_document` for bytes already in memory; `name` stands for the file in messages."""
    return parse_with_lines(data, name, max_bytes=max_bytes)[0]


def parse_with_lines(data: bytes, name: str, *, max_bytes: int = MAX_BYTES) -> tuple[dict[str, Any], dict[str, int]]:
    """`parse_document`, and the line of each key under `config:`."""
    if len(data) > max_bytes:
        raise StackFileError(_too_large(name, len(data), max_bytes))
    text = _decode(data, name)
    bad = _NOT_PRINTABLE.search(text)
    if bad:
        line, column = _position(text, bad.start())
        raise StackFileError(
            f"{name}:{line}: character U+{ord(bad.group()):04X} at column {column} is not allowed in YAML; "
            "remove it, or write it as an escape inside double quotes"
        )
    builder = _Builder(name)
    document = builder.build(text)
    return document, builder.config_lines


def _too_large(name: object, size: int, limit: int) -> str:
    return f"{name}: is {size} bytes, over the limit of {limit}; a stack file holds settings, a few kilobytes"


def _decode(data: bytes, name: str) -> str:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            raise StackFileError(f"{name}: is {encoding} (it starts with a {encoding} byte order mark); save it as UTF-8")
    guess = _utf16_or_32(data)
    if guess:
        raise StackFileError(f"{name}: looks like {guess} without a byte order mark (it has NUL bytes); save it as UTF-8")
    skip = len(_UTF8_BOM) if data.startswith(_UTF8_BOM) else 0
    try:
        return data[skip:].decode("utf-8")
    except UnicodeDecodeError as e:
        offset = skip + e.start
        line = data.count(b"\n", 0, offset) + 1
        raise StackFileError(
            f"{name}:{line}: byte 0x{data[offset]:02X} at offset {offset} is not UTF-8 (cp1252 or Latin-1 text?); "
            "save the file as UTF-8"
        ) from None


def _utf16_or_32(data: bytes) -> str | None:
    """YAML's own detection for a stream without a BOM: where the NUL bytes of an ASCII first character are."""
    head = data[:4]
    if len(head) == 4 and head[:3] == b"\0\0\0":
        return "UTF-32 BE"
    if len(head) == 4 and head[1:] == b"\0\0\0":
        return "UTF-32 LE"
    if len(head) >= 2 and head[0] == 0 and head[1] != 0:
        return "UTF-16 BE"
    if len(head) >= 2 and head[0] != 0 and head[1] == 0:
        return "UTF-16 LE"
    return None


def _position(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


@dataclass(frozen=True)
class _Anchored:
    value: Any
    size: int
    height: int


@dataclass
class _Frame:
    """A mapping or sequence being built."""

    value: dict[str, Any] | list[Any]
    where: str
    line: int
    anchor: str | None
    size: int = 1
    height: int = 0
    key: Any = None
    key_line: int = 0
    wants_key: bool = True
    lines: dict[str, int] = field(default_factory=dict)
    merged: list[dict[str, Any]] = field(default_factory=list)


class _Builder:
    def __init__(self, name: str) -> None:
        self.name = name
        self.stack: list[_Frame] = []
        self.anchors: dict[str, _Anchored | None] = {}  # None: the anchored node is still open
        self.alias_values = 0
        self.documents = 0
        self.root: Any = None
        self.root_lines: dict[str, int] = {}
        self.config_lines: dict[str, int] = {}
        """The line of each key under the top-level `config:`, for messages about config keys."""

    def fail(self, line: int, message: str) -> StackFileError:
        return StackFileError(f"{self.name}:{line}: {message}")

    def build(self, text: str) -> dict[str, Any]:
        try:
            for event in yaml.parse(text, Loader=_LOADER):
                self.event(event)
        except yaml.MarkedYAMLError as e:
            raise StackFileError(self._syntax(e)) from None
        except yaml.YAMLError as e:
            raise StackFileError(f"{self.name}: not valid YAML: {e}; check the file's syntax") from None
        return self._top_level()

    def _syntax(self, e: yaml.MarkedYAMLError) -> str:
        mark = e.problem_mark or e.context_mark
        where = f"{self.name}:{mark.line + 1}:{mark.column + 1}" if mark else self.name
        what = e.problem or "not valid YAML"
        if e.context:
            context_line = f" at line {e.context_mark.line + 1}" if e.context_mark else ""
            what = f"{what} ({e.context}{context_line})"
        return f"{where}: not valid YAML: {what}; check the indentation and quoting there"

    def event(self, event: yaml.Event) -> None:
        line = event.start_mark.line + 1 if event.start_mark else 0
        if isinstance(event, yaml.DocumentStartEvent):
            self.documents += 1
            if self.documents > 1:
                raise self.fail(line, "a second YAML document begins here; a stack file is one document")
        elif isinstance(event, yaml.ScalarEvent):
            value = self._scalar(event, line)
            if event.anchor:
                self.anchors[event.anchor] = _Anchored(value, 1, 0)
            self._add(value, 1, 0, line)
        elif isinstance(event, yaml.AliasEvent):
            self._alias(str(event.anchor), line)
        elif isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            self._open(event, line)
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            self._close()

    # --- values -------------------------------------------------------------------------------

    def _where(self) -> str:
        """The path of the value that comes next."""
        if not self.stack:
            return ""
        parent = self.stack[-1]
        if isinstance(parent.value, list):
            return f"{parent.where}[{len(parent.value)}]"
        if parent.wants_key or parent.key is _MERGE:
            return parent.where
        return _join(parent.where, str(parent.key))

    def _scalar(self, event: yaml.ScalarEvent, line: int) -> Any:
        text = event.value
        tag = event.tag
        if tag is None:
            value = _plain(text) if event.implicit[0] else text
        elif tag == "!":
            value = text
        else:
            value = self._tagged(tag, text, line)
        if isinstance(value, float) and not math.isfinite(value):
            raise self.fail(line, f"{_path(self._where())}: {_shorten(text)} is not a finite number; "
                            "write a number such as 1.5")
        return value

    def _tagged(self, tag: str, text: str, line: int) -> Any:
        short = _short(tag)
        if short == "!!str":
            return text
        converted = _plain(text)
        kinds = {"!!int": int, "!!float": float, "!!bool": bool, "!!null": type(None)}
        if short not in kinds:
            raise self.fail(line, f"{_path(self._where())}: the tag {short} is not allowed; "
                            "use plain YAML values (text, numbers, true/false, lists, mappings)")
        if short == "!!float" and isinstance(converted, int) and not isinstance(converted, bool):
            converted = float(converted)  # yaml.v3 resolve.go: an int tagged !!float becomes a float
        if type(converted) is not kinds[short]:
            raise self.fail(line, f"{_path(self._where())}: {_shorten(text)!r} is tagged {short} but is not one; "
                            "remove the tag or fix the value")
        return converted

    def _alias(self, name: str, line: int) -> None:
        anchor = _shorten(name)
        if name not in self.anchors:
            raise self.fail(line, f"alias *{anchor} has no anchor &{anchor} before it; define &{anchor} first")
        target = self.anchors[name]
        if target is None:
            raise self.fail(line, f"alias *{anchor} is used inside the value it names; an alias may only "
                            "repeat a value that is complete")
        self.alias_values += target.size
        if self.alias_values > MAX_ALIAS_VALUES:
            raise self.fail(line, f"aliases expand to more than {MAX_ALIAS_VALUES} values (here, *{anchor}); "
                            "write the values out instead of nesting aliases")
        if len(self.stack) + target.height > MAX_DEPTH:
            raise self.fail(line, f"alias *{anchor} nests values more than {MAX_DEPTH} levels deep; "
                            "a stack file needs only a few levels")
        value = copy.deepcopy(target.value) if isinstance(target.value, (dict, list)) else target.value
        self._add(value, target.size, target.height, line)  # a copy: a change in one place stays there

    def _open(self, event: yaml.CollectionStartEvent, line: int) -> None:
        mapping = isinstance(event, yaml.MappingStartEvent)
        kind = "mapping" if mapping else "list"
        if event.tag not in (None, "!", f"{_CORE}{'map' if mapping else 'seq'}"):
            raise self.fail(line, f"{_path(self._where())}: the tag {_short(event.tag)} is not allowed; "
                            "use plain YAML values (text, numbers, true/false, lists, mappings)")
        if self.stack and isinstance(self.stack[-1].value, dict) and self.stack[-1].wants_key:
            raise self.fail(line, f"{_path(self.stack[-1].where)}: a {kind} is used as a key; keys are text")
        if len(self.stack) >= MAX_DEPTH:
            raise self.fail(line, f"values nest more than {MAX_DEPTH} levels deep; a stack file needs only a few levels")
        if event.anchor:
            self.anchors[event.anchor] = None
        self.stack.append(_Frame({} if mapping else [], self._where(), line, event.anchor))

    def _close(self) -> None:
        frame = self.stack.pop()
        if isinstance(frame.value, dict) and frame.merged:
            # YAML merge keys: the mapping's own keys win, then earlier merged mappings over later ones.
            merged: dict[str, Any] = {}
            for source in reversed(frame.merged):
                merged.update(source)
            merged.update(frame.value)
            frame.value = merged
        if frame.anchor:
            self.anchors[frame.anchor] = _Anchored(frame.value, frame.size, frame.height + 1)
        if not self.stack:
            self.root_lines = frame.lines
        elif len(self.stack) == 1 and frame.where == "config":
            self.config_lines = frame.lines
        self._add(frame.value, frame.size, frame.height + 1, frame.line)

    def _add(self, value: Any, size: int, height: int, line: int) -> None:
        wants_key = bool(self.stack) and isinstance(self.stack[-1].value, dict) and self.stack[-1].wants_key
        if value is _MERGE and not wants_key:
            value = "<<"  # only a key `<<` merges; elsewhere it is text (resolve.go returns "<<")
        if not self.stack:
            self.root = value
            return
        parent = self.stack[-1]
        parent.size += size
        parent.height = max(parent.height, height)
        if isinstance(parent.value, list):
            parent.value.append(value)
        elif parent.wants_key:
            self._key(parent, value, line)
        else:
            self._value(parent, value, line)

    def _key(self, parent: _Frame, key: Any, line: int) -> None:
        if key is None:
            raise self.fail(line, f"{_path(parent.where)}: a key is empty or null; write a name before the colon")
        if key is not _MERGE and not isinstance(key, str):
            raise self.fail(line, f"{_path(parent.where)}: key {_yaml_text(key)} is {_kind(key)}, not text; "
                            f"quote it ('{_yaml_text(key)}') if it is a name")
        name = "<<" if key is _MERGE else str(key)
        if name in parent.lines:
            raise self.fail(line, f"{_path(_join(parent.where, name))}: duplicate key (first at line "
                            f"{parent.lines[name]}, again at line {line}); write each key once")
        parent.lines[name] = line
        parent.key, parent.key_line, parent.wants_key = key, line, False

    def _value(self, parent: _Frame, value: Any, line: int) -> None:
        assert isinstance(parent.value, dict)
        if parent.key is _MERGE:
            sources = value if isinstance(value, list) else [value]
            if not sources or not all(isinstance(s, dict) for s in sources):
                raise self.fail(parent.key_line, f"{_path(parent.where)}: the merge key << takes a mapping or a "
                                "list of mappings, e.g. <<: *defaults")
            parent.merged.extend(sources)
        else:
            parent.value[parent.key] = value
        parent.wants_key = True

    # --- the top level ------------------------------------------------------------------------

    def _top_level(self) -> dict[str, Any]:
        if self.root is None:
            return {}  # an empty file: Pulumi reads it as a stack without config (loaders.go:187-193)
        if not isinstance(self.root, dict):
            raise self.fail(1, f"the file holds {_describe(self.root)}; a stack file is a mapping with a config: key")
        for key, value in self.root.items():
            line = self.root_lines.get(key, 1)
            if key not in TOP_LEVEL_KEYS:
                close = difflib.get_close_matches(key, TOP_LEVEL_KEYS, n=1)
                if ":" in key:
                    hint = "a config key belongs under config:; "
                else:
                    hint = f"did you mean '{close[0]}'? " if close else ""
                raise self.fail(line, f"{_shorten(key)}: unknown top-level key; {hint}"
                                f"valid keys: {', '.join(TOP_LEVEL_KEYS)}")
            problem = _top_level_shape(key, value)
            if problem:
                raise self.fail(line, f"{key}: {problem}")
        return self.root


def _top_level_shape(key: str, value: Any) -> str | None:
    """Pulumi's types for the top-level keys (project.go:1220-1245); None (`key:` left empty) is allowed."""
    if value is None:
        return None
    if key == "config":
        if isinstance(value, dict):
            return None
        return f"is {_describe(value)}; it must be a mapping of keys to values, e.g. config: {{inferfleet:cluster: ...}}"
    if key == "environment":
        # A list of ESC environment names, or an inline environment definition (a mapping).
        if isinstance(value, dict) or (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            return None
        if isinstance(value, str):  # most likely meant as the stack's environment, which is a config key
            return (f"is {_describe(value)}; Pulumi's environment: lists ESC environments, e.g. environment: [my-org/dev]; "
                    f"the stack's own environment is a config key: config: {{inferfleet:environment: {_shorten(value, 20)}}}")
        return f"is {_describe(value)}; it must be a list of Pulumi ESC environment names, e.g. environment: [my-org/dev]"
    if isinstance(value, str):  # secretsprovider, encryptedkey, encryptionsalt
        return None
    return f"is {_describe(value)}; it must be text, as Pulumi writes it"


def _plain(text: str) -> Any:
    """A plain scalar as yaml.v3 resolves it into `any` (resolve.go, function resolve)."""
    if text in _PLAIN_WORDS:
        return _PLAIN_WORDS[text]
    first = text[0]
    if first == ".":
        return float(text) if _DOT_FLOAT.fullmatch(text) else text
    if first not in "+-0123456789":
        return text
    plain = text.replace("_", "")
    number = _go_int(plain)
    if number is not None:
        return number
    if _YAML_FLOAT.fullmatch(plain):
        return float(plain)  # 1e400 overflows to inf here and is refused as not finite
    return text


def _go_int(text: str) -> int | None:
    if len(text) > 70 or not _GO_INT.fullmatch(text):
        return None  # longer than any 64-bit integer in any base; int() would refuse 4300+ digits anyway
    signed = text[0] in "+-"
    digits = text[1:] if signed else text
    prefix = digits[:2].lower()
    if prefix in ("0x", "0o", "0b"):
        value = int(digits[2:], {"0x": 16, "0o": 8, "0b": 2}[prefix])
    elif len(digits) > 1 and digits[0] == "0":
        value = int(digits, 8)  # Go reads a leading 0 as octal, as YAML 1.1 did
    else:
        value = int(digits)
    value = -value if text[0] == "-" else value
    if -(2**63) <= value < 2**63 or (not signed and value < 2**64):  # ParseInt, then ParseUint
        return value
    return None


def _short(tag: str) -> str:
    return _shorten("!!" + tag[len(_CORE):] if tag.startswith(_CORE) else tag)


def _shorten(text: str, limit: int = 60) -> str:
    """User text inside a message, cut so that one line stays readable."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _join(where: str, key: str) -> str:
    key = _shorten(key)
    return f"{where}.{key}" if where else key


def _path(where: str) -> str:
    return where or "the top level"


def _describe(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return f"the number {value!r}"
    return f"the text {_shorten(value, 40)!r}"


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    return "a mapping" if isinstance(value, dict) else "a list"


def _yaml_text(key: Any) -> str:
    """How a non-text key was most likely written, to show it quoted."""
    if isinstance(key, bool):
        return "true" if key else "false"
    if isinstance(key, (dict, list)):
        return "..."
    return str(key)
