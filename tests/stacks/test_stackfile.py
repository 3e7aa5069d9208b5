"""The stack-file reader: each bad file, as bytes, and the exact line it must produce."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from stacks.stackfile import MAX_ALIAS_VALUES, StackFileError, parse_document, read_document

NAME = "Pulumi.dev.yaml"
TOP = "valid keys: config, environment, secretsprovider, encryptedkey, encryptionsalt"
PLAIN = "use plain YAML values (text, numbers, true/false, lists, mappings)"

# Nine times nine times ... : level f alone would expand to 9**6 values.
LAUGHS = b"".join(
    b"%s: &%s [%s]\n" % (name, name, b",".join([previous] * 9))
    for name, previous in zip((b"a", b"b", b"c", b"d", b"e", b"f"), (b"lol", b"*a", b"*b", b"*c", b"*d", b"*e"))
)

BAD = [
    ("UTF-16 LE with a BOM", b"\xff\xfe" + "config: {}\n".encode("utf-16-le"),
     f"{NAME}: is UTF-16 LE (it starts with a UTF-16 LE byte order mark); save it as UTF-8"),
    ("UTF-16 BE with a BOM", b"\xfe\xff" + "config: {}\n".encode("utf-16-be"),
     f"{NAME}: is UTF-16 BE (it starts with a UTF-16 BE byte order mark); save it as UTF-8"),
    ("UTF-32 LE with a BOM", b"\xff\xfe\x00\x00" + "config: {}\n".encode("utf-32-le"),
     f"{NAME}: is UTF-32 LE (it starts with a UTF-32 LE byte order mark); save it as UTF-8"),
    ("UTF-16 LE without a BOM", "config: {}\n".encode("utf-16-le"),
     f"{NAME}: looks like UTF-16 LE without a byte order mark (it has NUL bytes); save it as UTF-8"),
    ("a cp1252 byte", "config:\n  inferfleet:team: caf\u00e9\n".encode("cp1252"),
     f"{NAME}:2: byte 0xE9 at offset 30 is not UTF-8 (cp1252 or Latin-1 text?); save the file as UTF-8"),
    ("a NUL character", b"config:\n  inferfleet:a: \x00\n",
     f"{NAME}:2: character U+0000 at column 17 is not allowed in YAML; remove it, or write it as an escape "
     "inside double quotes"),
    ("a duplicate key, nested", b"config:\n  inferfleet:cluster:\n    zones: [a]\n    region: r\n    zones: [b]\n",
     f"{NAME}:5: config.inferfleet:cluster.zones: duplicate key (first at line 3, again at line 5); "
     "write each key once"),
    ("a duplicate key at the top", b"config: {}\nconfig: {}\n",
     f"{NAME}:2: config: duplicate key (first at line 1, again at line 2); write each key once"),
    ("a duplicate key in a list item", b"config:\n  inferfleet:t:\n    - {key: a, key: b}\n",
     f"{NAME}:3: config.inferfleet:t[0].key: duplicate key (first at line 3, again at line 3); write each key once"),
    ("billion laughs", LAUGHS,
     f"{NAME}:5: aliases expand to more than {MAX_ALIAS_VALUES} values (here, *d); write the values out instead "
     "of nesting aliases"),
    ("billion laughs under a foreign key", b"config:\n  other:lol:\n" + b"".join(b"    " + line + b"\n" for line in LAUGHS.splitlines()),
     f"{NAME}:7: aliases expand to more than {MAX_ALIAS_VALUES} values (here, *d); write the values out instead "
     "of nesting aliases"),
    ("a recursive alias", b"config:\n  inferfleet:x: &x [1, *x]\n",
     f"{NAME}:2: alias *x is used inside the value it names; an alias may only repeat a value that is complete"),
    ("an alias without an anchor", b"config: *x\n",
     f"{NAME}:1: alias *x has no anchor &x before it; define &x first"),
    ("a numeric key under config", b"config:\n  8080: x\n",
     f"{NAME}:2: config: key 8080 is a number, not text; quote it ('8080') if it is a name"),
    ("a boolean key", b"config:\n  inferfleet:labels:\n    true: x\n",
     f"{NAME}:3: config.inferfleet:labels: key true is a boolean, not text; quote it ('true') if it is a name"),
    ("a null key", b"config:\n  ~: x\n",
     f"{NAME}:2: config: a key is empty or null; write a name before the colon"),
    ("a mapping as a key", b"config:\n  ? {a: 1}\n  : x\n",
     f"{NAME}:2: config: a mapping is used as a key; keys are text"),
    ("a list at the top", b"- config\n- environment\n",
     f"{NAME}:1: the file holds a list; a stack file is a mapping with a config: key"),
    ("a scalar at the top", b"hello\n",
     f"{NAME}:1: the file holds the text 'hello'; a stack file is a mapping with a config: key"),
    (".inf in config", b"config:\n  inferfleet:models:\n    qwen:\n      size: {weightsGb: .inf}\n",
     f"{NAME}:4: config.inferfleet:models.qwen.size.weightsGb: .inf is not a finite number; write a number "
     "such as 1.5"),
    ("-.inf in a list", b"config:\n  inferfleet:x: [1, -.Inf]\n",
     f"{NAME}:2: config.inferfleet:x[1]: -.Inf is not a finite number; write a number such as 1.5"),
    (".nan", b"config:\n  inferfleet:x: .nan\n",
     f"{NAME}:2: config.inferfleet:x: .nan is not a finite number; write a number such as 1.5"),
    ("a number too large for a float", b"config:\n  inferfleet:x: 1e400\n",
     f"{NAME}:2: config.inferfleet:x: 1e400 is not a finite number; write a number such as 1.5"),
    ("a number of 5000 digits", b"config:\n  inferfleet:x: " + b"9" * 5000 + b"\n",
     f"{NAME}:2: config.inferfleet:x: {'9' * 57}... is not a finite number; write a number such as 1.5"),
    ("a merge key twice", b"config:\n  a: &a {x: 1}\n  b:\n    <<: *a\n    <<: *a\n",
     f"{NAME}:5: config.b.<<: duplicate key (first at line 4, again at line 5); write each key once"),
    ("a very long key in a message", b"config:\n  " + b"k" * 500 + b": {a: 1, a: 2}\n",
     f"{NAME}:2: config.{'k' * 57}....a: duplicate key (first at line 2, again at line 2); write each key once"),
    ("a misspelt top-level key", b"confg:\n  inferfleet:a: 1\n",
     f"{NAME}:1: confg: unknown top-level key; did you mean 'config'? {TOP}"),
    ("a config key outside config", b"config: {}\ninferfleet:cluster: {}\n",
     f"{NAME}:2: inferfleet:cluster: unknown top-level key; a config key belongs under config:; {TOP}"),
    ("a tab in a key", b"$\t!: 1\n",
     f"{NAME}:1: $\\x09!: unknown top-level key; {TOP}"),
    ("a foreign top-level key", b"stack: dev\n",
     f"{NAME}:1: stack: unknown top-level key; {TOP}"),
    ("a python tag", b"config:\n  inferfleet:x: !!python/object/apply:os.system ['true']\n",
     f"{NAME}:2: config.inferfleet:x: the tag !!python/object/apply:os.system is not allowed; {PLAIN}"),
    ("a local tag on a mapping", b"config: !Ref {a: 1}\n",
     f"{NAME}:1: config: the tag !Ref is not allowed; {PLAIN}"),
    ("a timestamp tag", b"config:\n  a: !!timestamp 2024-01-01\n",
     f"{NAME}:2: config.a: the tag !!timestamp is not allowed; {PLAIN}"),
    ("a tag that does not fit its value", b"config:\n  a: !!int twelve\n",
     f"{NAME}:2: config.a: 'twelve' is tagged !!int but is not one; remove the tag or fix the value"),
    ("config as a list", b"config: [a, b]\n",
     f"{NAME}:1: config: is a list; it must be a mapping of keys to values, e.g. config: {{inferfleet:cluster: ...}}"),
    ("environment as one string", b"environment: production\n",
     f"{NAME}:1: environment: is the text 'production'; Pulumi's environment: lists ESC environments, "
     "e.g. environment: [my-org/dev]; the stack's own environment is a config key: "
     "config: {inferfleet:environment: production}"),
    ("environment as a number", b"environment: 5\n",
     f"{NAME}:1: environment: is the number 5; it must be a list of Pulumi ESC environment names, "
     "e.g. environment: [my-org/dev]"),
    ("a secrets provider that is not text", b"secretsprovider: [a]\n",
     f"{NAME}:1: secretsprovider: is a list; it must be text, as Pulumi writes it"),
    ("two documents", b"config: {}\n---\nconfig: {}\n",
     f"{NAME}:2: a second YAML document begins here; a stack file is one document"),
    ("a syntax error", b"config:\n  a: [1, 2\n",
     f"{NAME}:3:1: not valid YAML: did not find expected ',' or ']' (while parsing a flow sequence at line 2); "
     "check the indentation and quoting there"),
    ("nesting too deep", b"config: " + b"[" * 70 + b"]" * 70 + b"\n",
     f"{NAME}:1: values nest more than 64 levels deep; a stack file needs only a few levels"),
    ("a merge key on a list", b"config:\n  a:\n    <<: [1]\n",
     f"{NAME}:3: config.a: the merge key << takes a mapping or a list of mappings, e.g. <<: *defaults"),
]


@pytest.mark.parametrize(("data", "expected"), [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_a_bad_file_gives_its_exact_line(data: bytes, expected: str) -> None:
    with pytest.raises(StackFileError) as e:
        parse_document(data, NAME)
    assert str(e.value) == expected


GOOD = [
    ("UTF-8 with a BOM and CRLF", b"\xef\xbb\xbfconfig:\r\n  inferfleet:a: x\r\n",
     {"config": {"inferfleet:a": "x"}}),
    ("an empty file", b"", {}),
    ("only a comment", b"# nothing yet\n", {}),
    ("keys left empty", b"config:\nenvironment:\n", {"config": None, "environment": None}),
    ("every Pulumi key", b"config: {}\nenvironment: [org/dev]\nsecretsprovider: passphrase\n"
     b"encryptedkey: abc\nencryptionsalt: v1:xyz\n",
     {"config": {}, "environment": ["org/dev"], "secretsprovider": "passphrase", "encryptedkey": "abc",
      "encryptionsalt": "v1:xyz"}),
    ("an inline ESC environment definition", b"environment:\n  imports: [org/dev]\n",
     {"environment": {"imports": ["org/dev"]}}),
    ("scalars as yaml.v3 reads them", b"config:\n  a: yes\n  b: on\n  c: 0777\n  d: 0x1F\n  e: 1_000\n"
     b"  f: 2024-01-01\n  g: 1:30\n  h: true\n  i: ~\n  j: 1.5e3\n  k: '12'\n  l: !!str 12\n  m: !!float 1\n",
     {"config": {"a": "yes", "b": "on", "c": 511, "d": 31, "e": 1000, "f": "2024-01-01", "g": "1:30",
                 "h": True, "i": None, "j": 1500.0, "k": "12", "l": "12", "m": 1.0}}),
    ("a few aliases and a merge key", b"config:\n  inferfleet:defaults: &d {gpu: L4, zones: [a]}\n"
     b"  inferfleet:pools:\n    one: *d\n    two:\n      <<: *d\n      gpu: H100\n",
     {"config": {"inferfleet:defaults": {"gpu": "L4", "zones": ["a"]},
                 "inferfleet:pools": {"one": {"gpu": "L4", "zones": ["a"]}, "two": {"gpu": "H100", "zones": ["a"]}}}}),
    ("<< as a value is text", b"config:\n  a: <<\n  b: [<<]\n  c: &m <<\n  d: *m\n",
     {"config": {"a": "<<", "b": ["<<"], "c": "<<", "d": "<<"}}),
    ("a secure value", b"config:\n  inferfleet:hfToken:\n    secure: v1:abc\n",
     {"config": {"inferfleet:hfToken": {"secure": "v1:abc"}}}),
]


@pytest.mark.parametrize(("data", "expected"), [c[1:] for c in GOOD], ids=[c[0] for c in GOOD])
def test_a_good_file_reads_as_plain_data(data: bytes, expected: dict[str, Any]) -> None:
    assert parse_document(data, NAME) == expected


def test_an_alias_gives_a_copy_not_a_shared_object() -> None:
    document = parse_document(b"config:\n  a: &x {k: [1]}\n  b: *x\n", NAME)
    document["config"]["b"]["k"].append(2)
    assert document["config"]["a"] == {"k": [1]}


def test_aliases_up_to_the_limit_are_read() -> None:
    """Ten aliases of a list of 999 values add 10 x 1000 values: exactly the limit, so it reads."""
    items = b",".join([b"1"] * 999)
    at_limit = b"a: &a [" + items + b"]\nb: [" + b",".join([b"*a"] * 10) + b"]\n"
    over = b"a: &a [" + items + b"]\nb: [" + b",".join([b"*a"] * 11) + b"]\n"
    with pytest.raises(StackFileError, match="unknown top-level key"):  # read through, then the key check
        parse_document(at_limit, NAME)
    with pytest.raises(StackFileError, match="aliases expand to more than"):
        parse_document(over, NAME)


def test_a_file_over_the_size_limit(tmp_path: Path) -> None:
    path = tmp_path / NAME
    path.write_bytes(b"config: {}\n" + b"#" * 100)
    with pytest.raises(StackFileError) as e:
        read_document(path, max_bytes=100)
    assert str(e.value) == f"{path}: is 111 bytes, over the limit of 100; a stack file holds settings, a few kilobytes"
    assert read_document(path, max_bytes=111) == {"config": {}}


def test_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(StackFileError) as e:
        read_document(tmp_path / NAME)
    assert str(e.value) == f"{tmp_path / NAME}: no such stack file"


def test_a_directory(tmp_path: Path) -> None:
    with pytest.raises(StackFileError) as e:
        read_document(tmp_path)
    assert str(e.value) == f"{tmp_path}: is a directory; give the path of a Pulumi.<stack>.yaml file"


def test_the_project_stack_files_read(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[2]
    for path in sorted(root.glob("Pulumi.*.yaml")):
        assert "config" in read_document(path), path


def test_messages_are_ascii_even_for_non_ascii_keys() -> None:
    with pytest.raises(StackFileError) as e:
        parse_document("conf\u00efg: {}\n".encode(), NAME)
    assert str(e.value).isascii()
    assert str(e.value).startswith(f"{NAME}:1: conf\\xefg: unknown top-level key; did you mean 'config'?")
