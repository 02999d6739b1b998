"""Reading stack files (`stacks/Pulumi.<stack>.yaml`) into a config map, with located errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from components.settings import ConfigError, Problem, Settings, parse_settings

ROOT = Path(__file__).resolve().parent.parent
STACKS_DIR = ROOT / "stacks"


def stack_path(stack: str) -> Path:
    """Where a stack's config lives in this repository."""
    return STACKS_DIR / f"Pulumi.{stack}.yaml"


def known_stacks() -> list[str]:
    """Stacks shipped in stacks/."""
    return sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in STACKS_DIR.glob("Pulumi.*.yaml"))


def _load(text: str) -> Any:
    """YAML through libyaml when present (7x faster on large stacks); errors always from the pure
    parser, whose messages say which token it expected."""
    fast = getattr(yaml, "CSafeLoader", None)
    if fast is not None:
        try:
            return yaml.load(text, Loader=fast)  # noqa: S506 - a safe loader
        except yaml.YAMLError:
            pass
    return yaml.safe_load(text)


def read_config(path: Path, label: str) -> dict[str, Any]:
    """The `config:` map of a stack file; ConfigError with file:line for unreadable or malformed files."""
    try:
        text = path.read_text()
    except OSError as error:
        raise ConfigError(
            [Problem(label, f"cannot read {path}: {error.strerror or error}", "an existing, readable stack file")]
        ) from None
    try:
        document = _load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{label}:{mark.line + 1}:{mark.column + 1}" if mark is not None else label
        what = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise ConfigError([Problem(where, f"YAML syntax error: {what}", "valid YAML")]) from None
    if document is None:
        document = {}
    if not isinstance(document, dict) or not isinstance(document.get("config", {}), dict):
        raise ConfigError([Problem(label, "is not a stack file", "a YAML map with a `config:` map")])
    return dict(document.get("config") or {})


def load_settings(stack: str, config_file: str | None = None) -> Settings:
    """Settings of a stack from stacks/ or from an explicit file."""
    if config_file is not None:
        path, label = Path(config_file), config_file
    else:
        path = stack_path(stack)
        if not path.exists():
            shipped = ", ".join(known_stacks()) or "none"
            raise ConfigError(
                [
                    Problem(
                        "--stack",
                        f"no stack file stacks/Pulumi.{stack}.yaml",
                        f"one of: {shipped}; or pass --config FILE",
                    )
                ]
            )
        label = f"stacks/Pulumi.{stack}.yaml"
    return parse_settings(read_config(path, label), stack)
