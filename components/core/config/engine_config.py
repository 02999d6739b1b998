"""Config as the Pulumi engine delivers it (pure): one decoder for `pulumi up`, and the CLI's encoding for `plan`.

The engine hands a program every config key as a string (PULUMI_CONFIG): a string as it is, a map or list as
JSON, a boolean or number as its JSON text, an empty value as "". Facts from pulumi sdk/v3 v3.260.0,
go/common/resource/config/object.go (`MarshalString`, `unmarshalObject`), checked against the real CLI by
tests/engine/test_config_delivery.py. The program decodes only what the schema below says is structured or
typed; a scalar string stays a string, so a quoted account ID is never turned into a number.
"""

from __future__ import annotations

import datetime
import json
import math
import re
from collections.abc import Mapping
from typing import Any, Literal

from components.core.problems import InvalidInput, Problem

Kind = Literal["object", "list", "integer", "boolean", "string"]

# What each key the program reads holds. Keys not listed stay strings (parse reports unknown irsa keys).
KEY_KINDS: dict[str, Kind] = {
    "aws:region": "string",
    "irsa:accountId": "string",
    "irsa:cluster": "object",
    "irsa:clusters": "list",
    "irsa:workloads": "list",
    "irsa:workloadFiles": "list",
    "irsa:crossAccount": "object",
    "irsa:defaults": "object",
    "irsa:platform": "object",
    "irsa:trustPolicyMaxChars": "integer",
    "irsa:managedPoliciesPerRole": "integer",
    "irsa:accountQuotas": "object",
}

_INTEGER = re.compile(r"[+-]?[0-9]+", re.ASCII)


def decode(values: Mapping[str, Any]) -> dict[str, Any]:
    """Config keys as the program reads them: maps and lists decoded from JSON, integers and booleans typed
    where KEY_KINDS says so, everything else left as the string the engine gave.

    A value that does not decode is left as it came, for the reader to name; InvalidInput only for JSON nested
    deeper than the decoder follows.
    """
    result: dict[str, Any] = {}
    problems = []
    for key, value in values.items():
        kind = KEY_KINDS.get(key, "string")
        if isinstance(value, str) and kind in ("object", "list"):
            try:
                decoded = json.loads(value)
            except RecursionError:
                problems.append(Problem(key, "nests too deeply to read", "a config value a few levels deep"))
                continue
            except ValueError:
                decoded = value
            value = decoded if isinstance(decoded, (dict, list)) else value
        elif isinstance(value, str) and kind == "integer" and _INTEGER.fullmatch(value):
            value = int(value)
        elif isinstance(value, str) and kind == "boolean" and value in ("true", "false"):
            value = value == "true"
        result[key] = value
    if problems:
        raise InvalidInput(problems)
    return result


def encode(config: Mapping[str, Any]) -> tuple[dict[str, str], list[str]]:
    """A stack file's `config:` map as the CLI hands it to the program: every key a string, and the keys that
    hold a secret. A `secure:` value stays encrypted (no key offline): the readers see its `{secure: …}` map."""
    values: dict[str, str] = {}
    secret_keys = []
    problems: list[Problem] = []
    for key, value in config.items():
        try:
            name = _go_key(key, "config")
            go_value = None if value is None else _as_go_value(value, name)
        except InvalidInput as error:  # every key's problems, reported at once
            problems += error.problems
            continue
        if _has_secret(value):
            secret_keys.append(name)
        if go_value is None:
            values[name] = ""
        else:
            values[name] = go_value if isinstance(go_value, str) else go_json(go_value)
    if problems:
        raise InvalidInput(problems)
    return values, sorted(secret_keys)


# Linux's limit on one environment string ("NAME=value" and its NUL: MAX_ARG_STRLEN, 32 pages of 4 KiB). The
# language host hands the program its whole config as one such string, PULUMI_CONFIG (and starts a policy pack's
# analyzer the same way); past it the program cannot start: "argument list too long" (pulumi/pulumi#8680).
ENVIRONMENT_STRING_MAX = 131_072
_GO_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "<": "\\u003c", ">": "\\u003e",
               "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}  # fmt: skip


def _go_string(text: str) -> str:
    return '"' + "".join(_GO_ESCAPES.get(ch) or (f"\\u{ord(ch):04x}" if ord(ch) < 0x20 else ch) for ch in text) + '"'


def go_json(value: Any) -> str:
    """JSON as Go's encoding/json writes it: map keys sorted, no spaces, `<`, `>`, `&`, U+2028 and U+2029
    escaped, other non-ASCII as UTF-8 — how the CLI encodes a structured value and the host the whole map."""
    if isinstance(value, str):
        return _go_string(value)
    if isinstance(value, Mapping):
        return "{" + ",".join(f"{_go_string(str(k))}:{go_json(v)}" for k, v in sorted(value.items())) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(go_json(v) for v in value) + "]"
    return json.dumps(value)


def config_variable_bytes(config: Mapping[str, Any]) -> int:
    """The length of the PULUMI_CONFIG environment string the program starts with (its NUL included), for a
    stack file's `config:` map (a secret counted as its ciphertext: offline nothing is decrypted)."""
    return variable_bytes(encode(config)[0])


def variable_bytes(values: Mapping[str, str]) -> int:
    """The same for config already encoded as the CLI hands it over (`encode`)."""
    return len(b"PULUMI_CONFIG=") + len(go_json(values).encode()) + 1


def config_variable_problem(config: Mapping[str, Any]) -> Problem | None:
    """Why the engine could not start a program with this config, if it could not."""
    return variable_problem(encode(config)[0])


def variable_problem(values: Mapping[str, str]) -> Problem | None:
    """The same for config already encoded (`encode`)."""
    size = variable_bytes(values)
    if size <= ENVIRONMENT_STRING_MAX:
        return None
    return Problem(
        "config",
        f"reaches the program as one environment variable (PULUMI_CONFIG) of {size:,} bytes, past Linux's "
        f"{ENVIRONMENT_STRING_MAX:,} for one: the engine could not start the program or the policy pack "
        "(\"argument list too long\", pulumi/pulumi#8680)",
        f"{size - ENVIRONMENT_STRING_MAX:,} bytes less: move the workloads into files beside the stack file "
        "(irsa:workloadFiles), split them over stacks (a platform stack and application stacks that take its "
        "clusters), or drop what the stack file repeats",
    )


def delivered(config: Mapping[str, Any]) -> dict[str, Any]:
    """A stack file's config as the program sees it under `pulumi up`: encoded as the CLI does, then decoded."""
    return decode(encode(config)[0])


def _has_secret(value: Any) -> bool:
    if _is_secure(value):
        return True
    if isinstance(value, Mapping):
        return any(_has_secret(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_secret(v) for v in value)
    return False


def _is_secure(value: Any) -> bool:
    return isinstance(value, Mapping) and len(value) == 1 and isinstance(value.get("secure"), str)


SCALARS = (str, int, float, bool, datetime.date)  # and None: what a stack file's YAML may hold besides maps and lists


def _as_go_value(value: Any, path: str) -> Any:
    """A YAML value as Go's JSON encoder writes the CLI's config object: keys as text, dates as Go's
    time.String(), whole floats as integers (a float64 4096 is written `4096`). A value YAML can produce that
    config cannot hold (`!!binary` bytes, a `!!set`, `!!omap` pairs) is InvalidInput at its path."""
    if isinstance(value, Mapping):
        return {_go_key(k, path): _as_go_value(v, f"{path}.{_go_key(k, path)}") for k, v in value.items()}
    if isinstance(value, list):
        return [_as_go_value(v, f"{path}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, float):
        return _go_float(value)
    if isinstance(value, (datetime.date, datetime.datetime)):
        return _go_time(value)
    if value is None or isinstance(value, SCALARS):
        return value
    raise InvalidInput([_not_config(path, value)])


def _not_config(path: str, value: Any) -> Problem:
    tags: dict[type, str] = {bytes: "!!binary", set: "!!set", tuple: "!!omap or !!pairs"}
    tag = tags.get(type(value), type(value).__name__)
    return Problem(path, f"is a YAML {tag} value", "a string, number, boolean, null, list or map")


def _go_key(key: Any, path: str) -> str:
    if not (key is None or isinstance(key, SCALARS)):
        raise InvalidInput([_not_config(f"{path} key", key)])
    if isinstance(key, bool):
        return "true" if key else "false"
    if key is None:
        return "<nil>"
    return str(key)


def _go_float(value: float) -> Any:
    """A float as Go's JSON encoder writes it, as far as a decoder can tell: whole numbers below 1e21 are
    written as digits (so they read back as integers); NaN and infinities are not JSON."""
    if math.isnan(value) or math.isinf(value):
        raise InvalidInput([Problem("config", f"{value} cannot be written as JSON", "finite numbers")])
    if value.is_integer() and abs(value) < 1e21:
        return int(value)
    return value


def _go_time(value: datetime.date) -> str:
    if not isinstance(value, datetime.datetime):
        return f"{value.isoformat()} 00:00:00 +0000 UTC"
    offset = value.utcoffset() or datetime.timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    zone = f"{sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"
    fraction = f".{value.microsecond:06d}".rstrip("0") if value.microsecond else ""
    name = "UTC" if minutes == 0 else zone
    return f"{value:%Y-%m-%d %H:%M:%S}{fraction} {zone} {name}"
