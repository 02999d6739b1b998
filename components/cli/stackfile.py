"""Reading stack files (`stacks/Pulumi.<stack>.yaml`) into a config map, with located errors.

Stack files may come from a fork's pull request, so the reader is bounded before it builds anything:
a regular file of at most 1 MiB in UTF-8, nesting at most MAX_DEPTH deep, at most MAX_NODES values
once aliases are expanded (an "alias bomb" of a few hundred bytes otherwise expands to billions), and
no key twice in one map (YAML would silently keep the last one).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from components.cli import go_yaml, workload_files
from components.cli.untrusted import STACK_FILE_MAX_BYTES, read_bytes, read_json, utf8
from components.core.config.engine_config import decode, delivered, encode, variable_problem
from components.core.display import quote
from components.core.model import STACK_NAME, STACK_NAME_RULE, ConfigError, Problem, Settings
from components.core.settings import parse_settings

ROOT = Path(__file__).resolve().parents[2]
PROJECT = "irsa"  # Pulumi.yaml's name: a platform stack of this project is a stack file beside the application's
STACKS_DIR = ROOT / "stacks"
MAX_DEPTH = 64
MAX_NODES = 1_000_000


def stack_path(stack: str) -> Path:
    """Where a stack's config lives in this repository."""
    return STACKS_DIR / f"Pulumi.{stack}.yaml"


def known_stacks() -> list[str]:
    """Stacks shipped in stacks/."""
    return sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in STACKS_DIR.glob("Pulumi.*.yaml"))


@dataclass
class _Node:
    """A collection being read: its config path, expanded size so far, and (maps) keys seen with lines."""

    path: str
    is_map: bool
    anchor: str | None
    size: int = 1
    children: int = 0
    keys: dict[str, int] = field(default_factory=dict)
    key: str = "?"


def _child_path(parent: _Node, top: bool) -> str:
    if not parent.is_map:
        return f"{parent.path}[{parent.children}]"
    return parent.key if top else f"{parent.path}.{parent.key}"


def _scan(text: str, label: str) -> list[Problem]:
    """Depth, expanded size and duplicate keys of a YAML text, from its event stream (no recursion,
    nothing built); a syntax error propagates as yaml.YAMLError."""
    problems: list[Problem] = []
    stack: list[_Node] = []
    sizes: dict[str, int] = {}

    def add(size: int, key: str | None, line: int) -> Problem | None:
        if not stack:
            return None
        parent = stack[-1]
        parent.size += size
        if parent.size > MAX_NODES:
            return Problem(
                parent.path or label,
                f"expands to more than {MAX_NODES} values (YAML aliases)",
                "a stack file without alias bombs: repeat values or use fewer aliases",
            )
        if parent.is_map and parent.children % 2 == 0:
            parent.key = quote(key)[1:-1] if key is not None else "?"
            if key is not None:
                path = parent.key if len(stack) <= 2 else f"{parent.path}.{parent.key}"
                if key in parent.keys:
                    problems.append(
                        Problem(
                            path,
                            f"is given twice in {label} (lines {parent.keys[key]} and {line})",
                            "each key once per map: YAML would silently keep only the last",
                        )
                    )
                else:
                    parent.keys[key] = line
        parent.children += 1
        return None

    for event in yaml.parse(text, Loader=go_yaml.GoYamlLoader):
        line = event.start_mark.line + 1 if event.start_mark is not None else 0
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            if len(stack) >= MAX_DEPTH:
                return [
                    Problem(
                        f"{label}:{line}",
                        f"nests deeper than {MAX_DEPTH} levels",
                        "a stack file's config is a few levels deep",
                    )
                ]
            path = _child_path(stack[-1], len(stack) <= 2) if stack else ""
            stack.append(_Node(path, isinstance(event, yaml.MappingStartEvent), event.anchor))
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            node = stack.pop()
            if node.anchor is not None:
                sizes[node.anchor] = node.size
            # A collection is a value of its parent, never a key we compare (keys compared are scalars).
            if stack and stack[-1].is_map and stack[-1].children % 2 == 0:
                stack[-1].key = "?"
                stack[-1].children += 1
                stack[-1].size += node.size
            else:
                too_big = add(node.size, None, line)
                if too_big:
                    return [too_big]
        elif isinstance(event, yaml.ScalarEvent):
            if event.anchor is not None:
                sizes[event.anchor] = 1
            too_big = add(1, event.value, line)
            if too_big:
                return [too_big]
        elif isinstance(event, yaml.AliasEvent):
            too_big = add(sizes.get(event.anchor or "", 1), None, line)
            if too_big:
                return [too_big]
    return problems


def _syntax_error(error: yaml.YAMLError, text: str, label: str) -> ConfigError:
    """A YAML error as one located problem, worded by the pure parser (it says which token it expected)."""
    try:
        yaml.safe_load(text)
    except yaml.YAMLError as pure:
        error = pure
    except (RecursionError, ValueError):
        pass
    mark = getattr(error, "problem_mark", None)
    where = f"{label}:{mark.line + 1}:{mark.column + 1}" if mark is not None else label
    what = getattr(error, "problem", None) or str(error).splitlines()[0]
    return ConfigError([Problem(where, f"YAML syntax error: {what}", "valid YAML")])


def parse_yaml(text: str, label: str) -> Any:
    """A stack file's YAML document, refusing bombs, deep nesting and duplicate keys; ConfigError otherwise."""
    try:
        problems = _scan(text, label)
    except yaml.YAMLError as error:
        raise _syntax_error(error, text, label) from None
    if problems:
        raise ConfigError(problems)
    try:
        return go_yaml.load(text)
    except yaml.YAMLError as error:
        raise _syntax_error(error, text, label) from None
    except ValueError as error:  # e.g. an integer longer than Python converts
        raise ConfigError([Problem(label, f"has a value Python cannot read: {error}", "ordinary numbers")]) from None


def read_document(path: Path, label: str, flag: str | None = None) -> dict[str, Any]:
    """A stack file's YAML map; ConfigError with file:line for unreadable or malformed files (naming `flag`,
    when given, for a file that cannot be read at all)."""
    data = read_bytes(path, flag or label, "stack file", STACK_FILE_MAX_BYTES)
    document = parse_yaml(utf8(data, label, "stack file"), label)
    if document is None:
        document = {}
    if not isinstance(document, dict) or not isinstance(document.get("config", {}), dict):
        raise ConfigError([Problem(label, "is not a stack file", "a YAML map with a `config:` map")])
    return document


def read_config(path: Path, label: str, flag: str | None = None) -> dict[str, Any]:
    """The `config:` map of a stack file as `pulumi up` delivers it to the program (encoded as the CLI
    does, then decoded as the program does)."""
    return delivered(read_document(path, label, flag).get("config") or {})


MODELED = ("aws:region",)  # besides every irsa: key
NOT_DEPLOYED = ("config", "encryptionsalt")  # the config is read; the salt only protects secrets


def unmodeled(document: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    """What a stack file sets that the plan does not model — provider config (`aws:defaultTags`,
    `aws:assumeRoles`, `kubernetes:…`) and top-level blocks (`environment:` for Pulumi ESC, a secrets
    provider) — each with a fingerprint of its value (never the value: it may be a secret)."""
    found = {
        str(key): value for key, value in (document.get("config") or {}).items()
        if not str(key).startswith("irsa:") and key not in MODELED
    }  # fmt: skip
    found.update({str(key): value for key, value in document.items() if key not in NOT_DEPLOYED})
    return tuple(
        (key, hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()[:12])
        for key, value in sorted(found.items())
    )


def load_settings(stack: str, config_file: str | None = None) -> Settings:
    """Settings of a stack from stacks/ or from an explicit file."""
    flag = None
    if config_file is not None:
        path, label, flag = Path(config_file), quote(config_file)[1:-1], "--config"
    else:
        if not STACK_NAME.fullmatch(stack):
            raise ConfigError([Problem("--stack", f"{quote(stack)} is not a stack name", STACK_NAME_RULE)])
        path = stack_path(stack)
        if not path.exists():
            shipped = ", ".join(known_stacks()) or "none"
            raise ConfigError(
                [
                    Problem(
                        "--stack",
                        f"no stack file stacks/Pulumi.{quote(stack)[1:-1]}.yaml",
                        f"one of: {shipped}; or pass --stack NAME --config FILE",
                    )
                ]
            )
        label = f"stacks/Pulumi.{stack}.yaml"
    return settings_of(path, label, stack, flag)


# Platform stacks' outputs given on the command line (`--stack-outputs STACK=FILE`), by stack reference.
STACK_OUTPUTS: dict[str, Path] = {}


def platform_outputs(
    reference: str, beside: Path, app: str, config: Mapping[str, Any], chain: tuple[str, ...] = ()
) -> tuple[Any, str | None]:
    """A referenced platform stack's outputs, offline: a file given with --stack-outputs (what `pulumi stack
    output --json` prints), else planned from its stack file beside the application's (same project), else
    placeholders shaped by what the application pins of its clusters (`irsa:platform.clusters`), with a
    warning saying so."""
    from components.core import platform

    if reference in STACK_OUTPUTS:
        flag = f"--stack-outputs {reference}"
        outputs = read_json(STACK_OUTPUTS[reference], flag, "platform outputs file", STACK_FILE_MAX_BYTES,
                            "the output of `pulumi stack output --json --stack <platform>`")  # fmt: skip
        return platform.deployed(outputs, flag), None
    _, project, name = reference.split("/")
    sibling = beside / f"Pulumi.{name}.yaml"
    if project != PROJECT or not sibling.exists() or name == app:
        pinned = platform.pinned_outputs(config, reference)
        if pinned is not None:
            return pinned, platform.pinned_warning(reference)
        raise ConfigError([Problem(f"{platform.KEY}.stack", f"{quote(reference)} cannot be resolved offline",
                                   f"pass --stack-outputs {reference}=FILE (`pulumi stack output --json`), keep "
                                   f"its stack file beside this one as Pulumi.{name}.yaml (project {PROJECT}), or "
                                   f"pin the kinds of the clusters it uses ({platform.KEY}.clusters) to plan "
                                   "its values as placeholders")])
    if name in chain:  # a pull request can add two stacks that name each other
        cycle = " → ".join(map(quote, (*chain[chain.index(name) :], app, name)))
        allowed = "a platform stack that names no application stack as its own platform"
        wrong = f"stacks name each other as their platform: {cycle}"
        raise ConfigError([Problem(f"{platform.KEY}.stack", wrong, allowed)])
    platform_settings = settings_of(sibling, f"{beside.name}/Pulumi.{name}.yaml", name, chain=(*chain, app))
    return {platform.OUTPUT: platform.platform_outputs(platform_settings, reference)}, None


def settings_of(
    path: Path, label: str, stack: str, flag: str | None = None, chain: tuple[str, ...] = (), count: bool = True
) -> Settings:
    """A stack file's settings, with what it sets that the plan does not model; an application stack's with
    its platform's clusters and defaults; `count`: held with the stack files beside it that name the same account
    to IAM's per-account quotas."""
    from components.core import platform

    document = read_document(path, label, flag)
    values, _ = encode(document.get("config") or {})  # as the CLI hands it over: measured, then read
    too_big = variable_problem(values)
    if too_big is not None:  # the engine could not even start the program
        raise ConfigError([dataclasses.replace(too_big, path=f"{label}: config")])
    folder = str(Path(label).parent)  # how messages name the stack file's directory
    config, origins = workload_files.expand(decode(values), path.parent, "" if folder == "." else folder, parse_yaml)
    reference = platform.reference_of(config)
    warning = None
    if reference is not None:
        outputs, warning = platform_outputs(reference, path.parent, stack, config, chain)
        config = platform.with_platform(config, stack, reference, outputs)
    try:
        settings = origins.settings(parse_settings(config, stack, reference))
    except ConfigError as error:
        raise origins.problems(error) from None
    if count and settings.account_id is not None:
        settings = _with_account_quotas(settings, path, label, stack)
    if warning is not None:
        settings = dataclasses.replace(settings, warnings=(warning, *settings.warnings))
    defaults = (document.get("config") or {}).get("aws:defaultTags")
    tags = defaults.get("tags") if isinstance(defaults, dict) else None
    shown = tuple(sorted((str(k), str(v)) for k, v in tags.items())) if isinstance(tags, dict) else ()
    return dataclasses.replace(settings, unmodeled=unmodeled(document), default_tags=shown)


def _with_account_quotas(settings: Settings, path: Path, label: str, stack: str) -> Settings:
    """The stack held, with the stack files beside it that name the same irsa:accountId, to the account's quotas
    on roles and OIDC providers: refused past one, a warning near one."""
    from components.core import account_quotas

    rows = [account_quotas.usage_of(settings, label)]
    skipped = []
    for sibling in sorted(path.parent.glob("Pulumi.*.yaml")):
        name = sibling.name[len("Pulumi.") : -len(".yaml")]
        if sibling.resolve() == path.resolve() or not STACK_NAME.fullmatch(name):
            continue
        where = f"{path.parent.name}/{sibling.name}"
        try:
            raw = read_document(sibling, where).get("config") or {}
            if delivered(raw).get("irsa:accountId") != settings.account_id:
                continue
            other = settings_of(sibling, where, name, count=False)
        except ConfigError as error:
            skipped.append(f"{where} ({len(error.problems)} problems)")
            continue
        rows.append(account_quotas.usage_of(other, where))
    problems, lines = account_quotas.report(settings, rows)
    if problems:
        raise ConfigError(problems)
    lines += [f"{account_quotas.KEY}: not counted, unreadable: {', '.join(skipped)}"] if skipped else []
    return dataclasses.replace(settings, warnings=settings.warnings + tuple(lines))
