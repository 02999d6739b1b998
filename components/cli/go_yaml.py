"""A YAML loader that reads plain scalars as the Pulumi CLI does (gopkg.in/yaml.v3, YAML 1.2 rules).

PyYAML follows YAML 1.1: `yes`, `on` and `off` are booleans there, and strings to the CLI, so a stack file
could plan differently from what `pulumi up` deploys. Only the implicit resolution of plain scalars
differs; quoted scalars are strings in both.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

_BASE: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: 7x faster on large stacks

_BOOL = re.compile(r"true|True|TRUE|false|False|FALSE")
_NULL = re.compile(r"~|null|Null|NULL|")
_INT = re.compile(r"[-+]?(?:0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|[0-9][0-9_]*)")
_FLOAT = re.compile(
    r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)"
)
_FIRST = {
    "bool": list("tTfF"),
    "null": ["~", "n", "N", ""],
    "number": list("-+.0123456789"),
}


class GoYamlLoader(_BASE):  # type: ignore[valid-type,misc]
    """Safe loader with yaml.v3's resolution of booleans, nulls and numbers (timestamps as PyYAML reads them)."""


GoYamlLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag.rsplit(":", 1)[1] not in ("bool", "null", "int", "float")]
    for first, resolvers in _BASE.yaml_implicit_resolvers.items()
}
GoYamlLoader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(f"^(?:{_BOOL.pattern})$"), _FIRST["bool"])
GoYamlLoader.add_implicit_resolver("tag:yaml.org,2002:null", re.compile(f"^(?:{_NULL.pattern})$"), _FIRST["null"])
GoYamlLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float", re.compile(f"^(?:{_INT.pattern}|{_FLOAT.pattern})$"), _FIRST["number"]
)


def _number(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    """An integer where Go's strconv.ParseInt (base 0, `_` removed) or ParseUint takes it, else a float; a
    leading 0 means octal there, as in `0755`."""
    text = str(loader.construct_scalar(node))
    plain = text.replace("_", "")
    if _INT.fullmatch(text):
        sign, digits = (plain[0], plain[1:]) if plain[:1] in "+-" else ("", plain)
        base = 8 if len(digits) > 1 and digits[0] == "0" and digits[1] in "01234567" else 0
        try:
            value = int(sign + digits, base) if base else int(sign + digits, 0)
        except ValueError:
            value = None
        if value is not None and -(2**63) <= value < 2**64:
            return value
    if text.lower().endswith("inf"):
        return float("-inf") if text.startswith("-") else float("inf")
    if text.lower() == ".nan":
        return float("nan")
    return float(plain)


def _boolean(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> bool:
    return str(loader.construct_scalar(node)).lower() == "true"


GoYamlLoader.add_constructor("tag:yaml.org,2002:float", _number)
GoYamlLoader.add_constructor("tag:yaml.org,2002:int", _number)
GoYamlLoader.add_constructor("tag:yaml.org,2002:bool", _boolean)


def load(text: str) -> Any:
    """One YAML document, its plain scalars read as the Pulumi CLI reads them."""
    return yaml.load(text, Loader=GoYamlLoader)  # noqa: S506 - a safe loader


_GO = GoYamlLoader("")  # for its resolver only


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]  # libyaml's emitter: faster
    """A dumper whose plain scalars read back as strings by YAML 1.1 (PyYAML) and by the Pulumi CLI alike, and
    that writes every value out (no anchors or aliases)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    plain_as = {resolver.resolve(yaml.ScalarNode, value, (True, False)) for resolver in (dumper, _GO)}
    style = None if plain_as == {"tag:yaml.org,2002:str"} else '"'
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def dump(data: Any) -> str:
    """YAML that both readers read back as `data`: a string either could take for a number, a boolean or null
    (`012345678901`, `yes`, `0o17`) is double-quoted; the rest is PyYAML's plain style."""
    return str(yaml.dump(data, Dumper=_Dumper, sort_keys=False, width=120, allow_unicode=False))
