"""What the stand-in provider plugins share: values to and from the engine's form, fixtures, and serving.

The stand-ins are test doubles: plugins the real Pulumi engine loads in place of pulumi-aws and
pulumi-azure-native (neither can be built here), speaking the provider protocol through the Python SDK's
`pulumi.provider.experimental` server. They keep what they create in moto (AWS IAM) or in the engine's state.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pulumi.provider.experimental import provider as p
from pulumi.provider.experimental.property_value import Computed, PropertyValue
from pulumi.provider.experimental.server import main
from pulumi.runtime import rpc

UNKNOWN = object()  # a value the engine does not know yet (preview)
INPUTS_KEY = "__standinInputs"  # beside the outputs in state: the inputs they were made from (Diff needs them)


def type_of(request: Any) -> str:
    """A request's resource type token (a URN's type is the whole parent chain, `a$b$token`)."""
    return str(request.type).rsplit("$", 1)[-1]


def plain(value: PropertyValue) -> Any:
    """An engine value as plain Python: numbers that are whole become ints; unknowns become UNKNOWN."""
    inner = value.value
    if isinstance(inner, Computed) or inner == rpc.UNKNOWN:
        return UNKNOWN
    if isinstance(inner, Mapping):  # the SDK hands maps over read-only
        return {k: plain(v) for k, v in inner.items()}
    if isinstance(inner, Sequence) and not isinstance(inner, str):
        return [plain(v) for v in inner]
    if isinstance(inner, float) and inner.is_integer():
        return int(inner)
    return inner


def plain_map(values: dict[str, PropertyValue]) -> dict[str, Any]:
    return {k: plain(v) for k, v in values.items()}


def secret_keys(values: dict[str, PropertyValue]) -> set[str]:
    return {k for k, v in values.items() if v.contains_secret()}


def engine_value(value: Any, secret: bool = False) -> PropertyValue:
    """Plain Python as an engine value."""
    if value is UNKNOWN:
        # The wire form of an unknown: the SDK's experimental server cannot marshal its own Computed (3.260).
        return PropertyValue(rpc.UNKNOWN)
    if isinstance(value, dict):
        inner: Any = {k: engine_value(v) for k, v in value.items()}
    elif isinstance(value, (list, tuple)):
        inner = [engine_value(v) for v in value]
    elif isinstance(value, bool) or value is None or isinstance(value, str):
        inner = value
    elif isinstance(value, (int, float)):
        inner = float(value)
    else:
        raise TypeError(f"no engine form for {type(value).__name__}")
    return PropertyValue(inner, is_secret=secret)


def engine_map(values: dict[str, Any], secrets: set[str] = frozenset()) -> dict[str, PropertyValue]:  # type: ignore[assignment]
    return {k: engine_value(v, k in secrets) for k, v in values.items()}


def sdk_version(package: str) -> str:
    """The provider version an installed Pulumi SDK requests (its pulumi-plugin.json), e.g. pulumi_aws → 7.51.1."""
    spec = importlib.util.find_spec(package)
    assert spec is not None and spec.origin is not None, f"{package} is not installed"
    return str(json.loads((Path(spec.origin).parent / "pulumi-plugin.json").read_text())["version"])


def fixtures() -> dict[str, Any]:
    """What the test gives the stand-ins (IRSA_STANDIN_FIXTURES): clusters to answer lookups with, moto's URL."""
    path = os.environ.get("IRSA_STANDIN_FIXTURES")
    return json.loads(Path(path).read_text()) if path else {}


def failures(*problems: tuple[str, str]) -> p.CheckResponse:
    return p.CheckResponse(failures=[p.CheckFailure(prop, reason) for prop, reason in problems])


def property_diff(olds: dict[str, Any], news: dict[str, Any], replacing: frozenset[str]) -> p.DiffResponse:
    """Input-by-input diff; a change to a key in `replacing` forces replacement."""
    detailed: dict[str, p.PropertyDiff] = {}
    for key in sorted(set(olds) | set(news)):
        if key == INPUTS_KEY or olds.get(key) == news.get(key):
            continue
        if key not in olds:
            kind = p.PropertyDiffKind.ADD_REPLACE if key in replacing else p.PropertyDiffKind.ADD
        elif key not in news:
            kind = p.PropertyDiffKind.DELETE_REPLACE if key in replacing else p.PropertyDiffKind.DELETE
        else:
            kind = p.PropertyDiffKind.UPDATE_REPLACE if key in replacing else p.PropertyDiffKind.UPDATE
        detailed[key] = p.PropertyDiff(kind, input_diff=True)
    replaces = sorted(k for k in detailed if k in replacing)
    return p.DiffResponse(changes=bool(detailed), replaces=replaces, diffs=sorted(detailed), detailed_diff=detailed)


def serve(provider: p.Provider, version: str) -> None:
    """Serve a stand-in: the engine starts it with its address and reads the port from stdout."""
    main(sys.argv[1:], version, provider)
