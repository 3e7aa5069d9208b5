"""Reading a stack file into Pulumi's config: keys as Pulumi parses them, ESC environments named."""

from __future__ import annotations

from pathlib import Path

import pytest

from stacks.load import StackFileError, read_stack_file


def stack_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "Pulumi.dev.yaml"
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("config:\n  inferfeet:cluster: {}\n",
         "2: config.inferfeet:cluster: unknown namespace 'inferfeet'; did you mean 'inferfleet:cluster'?"),
        ("config:\n  inferflet:models: {}\n",
         "2: config.inferflet:models: unknown namespace 'inferflet'; did you mean 'inferfleet:models'?"),
        ("config:\n  aws:region: us-east-1\n  cluster: {}\n",
         "3: config.cluster: not a Pulumi config key; write <namespace>:<name>, e.g. inferfleet:cluster"),
        ("config:\n  a:b:c: x\n",
         "2: config.a:b:c: not a Pulumi config key; write <namespace>:<name>, e.g. inferfleet:cluster"),
    ],
)
def test_a_config_key_pulumi_would_not_read_is_refused(tmp_path: Path, text: str, message: str) -> None:
    path = stack_file(tmp_path, text)
    with pytest.raises(StackFileError) as e:
        read_stack_file(path, "inferfleet")
    assert str(e.value) == f"{path}:{message}"


def test_keys_as_pulumi_reads_them(tmp_path: Path) -> None:
    path = stack_file(tmp_path, "config:\n  inferfleet:config:environment: staging\n  aws:region: us-east-1\n"
                      "  inferfleet:hfToken: {secure: v1:abc}\n")
    read = read_stack_file(path, "inferfleet")
    assert dict(read.config) == {"inferfleet:environment": "staging", "aws:region": "us-east-1",
                                 "inferfleet:hfToken": "[secret]"}
    assert read.secret_keys == ("inferfleet:hfToken",)


@pytest.mark.parametrize(
    ("text", "environments"),
    [
        ("environment: [org/dev, org/shared]\n", ("'org/dev'", "'org/shared'")),
        ("environment:\n  imports: [org/dev]\n", ("'org/dev'",)),
        ("environment:\n  values: {a: 1}\n", ("an inline environment definition",)),
        ("config: {}\n", ()),
    ],
)
def test_esc_environments_are_named_for_the_warning(tmp_path: Path, text: str, environments: tuple[str, ...]) -> None:
    assert read_stack_file(stack_file(tmp_path, text), "inferfleet").unresolved_environments == environments


def test_an_esc_environment_is_named_in_a_warning_of_the_plan(tmp_path: Path) -> None:
    from stacks.plan.engine import run

    from ..conftest import GKE, PROJECT, write_stack

    path = write_stack(tmp_path, GKE)
    path.write_text(path.read_text() + "environment: [org/shared]\n")
    assert "the stack file's environment: imports 'org/shared' (Pulumi ESC), which the offline plan cannot resolve; " \
           "config it provides is missing here" in run(path, PROJECT).warnings


def test_pulumi_up_names_a_key_in_a_misspelt_namespace() -> None:
    """`pulumi up` hands every config key to the program; one under `inferfeet:` is a typo, not ignored."""
    from components.core.problems import ConfigError
    from stacks.plan.engine import run_config

    with pytest.raises(ConfigError) as e:
        run_config("inferfleet", "test", {"inferfeet:models": "{}", "aws:region": "us-east-1"}, [])
    assert [p.line() for p in e.value.problems] == [
        "inferfleet:models: is set under the namespace 'inferfeet'; did you mean 'inferfleet:models'?"
    ]


def test_a_file_name_that_is_not_a_pulumi_stack_name(tmp_path: Path) -> None:
    path = tmp_path / "Pulumi.my stack.yaml"
    path.write_text("config: {}\n")
    with pytest.raises(StackFileError) as e:
        read_stack_file(path, "inferfleet")
    assert str(e.value) == (f"{path}: the stack name 'my stack', from the file name, is not a Pulumi stack name: a space "
                            "at position 3 is not allowed; use a-z, A-Z, 0-9, '_', '.' and '-'; name the file "
                            "Pulumi.<stack>.yaml with a valid stack name")
