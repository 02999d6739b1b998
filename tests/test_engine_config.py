"""Config as the engine delivers it: one decoder for `pulumi up` and `plan`, and the CLI's encoding for `plan`.

What the real CLI hands a program is checked by tests/engine/test_config_delivery.py; here, the pure functions.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, run_cli

from components.cli import go_yaml
from components.cli.stackfile import known_stacks, load_settings, read_config
from components.core import platform
from components.core.config import engine_config
from components.core.problems import InvalidInput
from components.core.settings import parse_settings


def _stack_yaml(stack: str) -> dict[str, Any]:
    return go_yaml.load((ROOT / "stacks" / f"Pulumi.{stack}.yaml").read_text())["config"]


def _decoded_the_old_way(values: dict[str, str]) -> dict[str, Any]:
    """What the program did before this decoder: json.loads on every value, keeping dicts, lists, bools, ints."""
    result: dict[str, Any] = {}
    for key, value in values.items():
        try:
            decoded = json.loads(value)
            result[key] = decoded if isinstance(decoded, (dict, list, bool, int)) else value
        except ValueError:
            result[key] = value
    return result


@pytest.mark.parametrize("stack", known_stacks())
def test_every_shipped_stack_reaches_the_program_as_written(stack: str) -> None:
    written = _stack_yaml(stack)
    values, _ = engine_config.encode(written)
    assert all(isinstance(v, str) for v in values.values())
    assert engine_config.decode(values) == written
    assert read_config(ROOT / "stacks" / f"Pulumi.{stack}.yaml", stack) == written
    config = engine_config.decode(values)
    reference = platform.reference_of(config)
    if reference is not None:  # an application stack: with its platform's outputs, as the program reads them
        outputs = {platform.OUTPUT: platform.platform_outputs(load_settings(reference.split("/")[2]), reference)}
        config = platform.with_platform(config, stack, reference, outputs)
    parse_settings(config, stack, reference)  # and it is a valid stack


def test_a_quoted_account_id_stays_a_string_where_the_old_decoding_made_a_number() -> None:
    values, _ = engine_config.encode(_stack_yaml("payments"))
    assert values["irsa:accountId"] == "123456789012"
    assert parse_settings(engine_config.decode(values), "payments").account_id == "123456789012"
    with pytest.raises(InvalidInput) as refused:
        parse_settings(_decoded_the_old_way(values), "payments")
    assert "irsa:accountId" in str(refused.value.problems[0])


def test_typed_keys_are_typed_and_other_scalars_stay_strings() -> None:
    values = {
        "irsa:trustPolicyMaxChars": "4096",
        "irsa:accountId": "000123456789",
        "aws:region": "true",
        "other:flag": "[1, 2]",
        "irsa:workloads": "not json",
        "irsa:managedPoliciesPerRole": "ten",
    }
    assert engine_config.decode(values) == {
        "irsa:trustPolicyMaxChars": 4096,
        "irsa:accountId": "000123456789",
        "aws:region": "true",
        "other:flag": "[1, 2]",
        "irsa:workloads": "not json",  # the reader names it: not a list
        "irsa:managedPoliciesPerRole": "ten",
    }


def test_a_structured_key_holding_a_scalar_is_refused_by_the_reader_by_name() -> None:
    raw = engine_config.decode({"aws:region": "ap-northeast-2", "irsa:cluster": '"eks"', "irsa:workloads": "[]"})
    with pytest.raises(InvalidInput) as refused:
        parse_settings(raw, "dev")
    assert any(p.path == "irsa:cluster" for p in refused.value.problems)


def test_encoding_writes_scalars_as_the_cli_does() -> None:
    values, secret_keys = engine_config.encode(
        {
            "a:int": 4096,
            "a:bool": True,
            "a:null": None,
            "a:whole-float": 1.0,
            "a:float": 1.5,
            "a:map": {"b": [1, 2.0, None], "a": {"secure": "v1:abc"}},
        }
    )
    assert values == {
        "a:int": "4096",
        "a:bool": "true",
        "a:null": "",
        "a:whole-float": "1",
        "a:float": "1.5",
        "a:map": '{"a":{"secure":"v1:abc"},"b":[1,2,null]}',
    }
    assert secret_keys == ["a:map"]


def test_json_nested_past_the_decoder_is_one_clean_problem() -> None:
    with pytest.raises(InvalidInput) as refused:
        engine_config.decode({"irsa:workloads": "[" * 100_000 + "]" * 100_000})
    assert [p.path for p in refused.value.problems] == ["irsa:workloads"]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("yes", "yes"),
        ("on", "on"),
        ("True", True),
        ("0755", 493),
        ("1_000", 1000),
        ("0o17", 15),
        ("0x1F", 31),
        ("1e3", 1000.0),
        ("09", 9.0),
        ("~", None),
        ("'123'", "123"),
    ],
)
def test_plain_scalars_read_as_yaml_v3_reads_them(text: str, value: Any) -> None:
    assert go_yaml.load(f"k: {text}")["k"] == value


def test_plan_sees_a_yes_as_the_engine_does(tmp_path: Path) -> None:
    stack = (ROOT / "stacks" / "Pulumi.dev.yaml").read_text().replace("createNamespace: true", "createNamespace: yes")
    (tmp_path / "Pulumi.yes.yaml").write_text(stack)
    code, _, err = run_cli("plan", "--stack", "yes", "--config", str(tmp_path / "Pulumi.yes.yaml"))
    assert code == 2
    assert 'irsa:workloads[0].createNamespace: "yes" is not a boolean' in err


def test_go_json_escapes_as_go_does() -> None:
    # encoding/json: sorted keys, no spaces, <, >, & and U+2028/9 escaped, other non-ASCII as UTF-8 (the engine
    # tests compare the string a real program starts with byte for byte: test_config_delivery.py)
    assert engine_config.go_json({"b": "x<y&z>", "a": ["é\u2028", 1, True, None]}) == (
        '{"a":["é\\u2028",1,true,null],"b":"x\\u003cy\\u0026z\\u003e"}'
    )


def test_a_stack_the_engine_could_not_start_is_refused_by_plan(tmp_path: Path) -> None:
    import sys

    sys.path.insert(0, str(ROOT / "bench"))
    from generate import stack

    fits, over = stack(710)["config"], stack(720)["config"]
    assert engine_config.config_variable_problem(fits) is None
    assert engine_config.config_variable_bytes(over) > engine_config.ENVIRONMENT_STRING_MAX
    path = tmp_path / "Pulumi.big.yaml"
    path.write_text(go_yaml.dump({"config": over}))
    code, out, err = run_cli("plan", "--stack", "big", "--config", str(path))
    assert code == 2 and out == ""
    [line] = [line for line in err.splitlines() if "PULUMI_CONFIG" in line]
    size = engine_config.config_variable_bytes(over)
    assert f"of {size:,} bytes, past Linux's 131,072" in line and f"{size - 131_072:,} bytes less" in line
