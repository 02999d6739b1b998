"""The bad-config corpus: one file per mistake, each with the exact messages it must produce."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from components.cli.stackfile import read_config
from components.core.model import ConfigError
from components.core.settings import parse_settings

CORPUS = Path(__file__).with_name("bad_configs")
FILES = sorted(CORPUS.glob("*.yaml"))


def expected(path: Path) -> list[str]:
    lines = [line.removeprefix("# expect: ") for line in path.read_text().splitlines() if line.startswith("# expect: ")]
    return [line.replace("{file}", str(path)) for line in lines]


def test_corpus_is_there() -> None:
    assert len(FILES) >= 40
    assert all(expected(f) for f in FILES), "every corpus file states what it expects"


@pytest.mark.parametrize("path", FILES, ids=[f.stem for f in FILES])
def test_exact_messages(path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_settings(read_config(path, str(path)), "dev")
    assert [str(p) for p in caught.value.problems] == expected(path)


@pytest.mark.parametrize("name", ["01-kind-unknown", "40-yaml-syntax"])
def test_plan_reports_them_with_exit_2(name: str) -> None:
    path = CORPUS / f"{name}.yaml"
    result = subprocess.run(
        [sys.executable, "-m", "components", "plan", "--stack", "dev", "--config", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=CORPUS.parent.parent,
    )
    assert result.returncode == 2
    assert result.stderr.splitlines() == expected(path)
