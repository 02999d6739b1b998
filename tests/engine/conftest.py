"""Engine tests (`make engine-test`): the pinned Pulumi CLI, a file backend per test, stand-in providers, moto."""

from __future__ import annotations

import json
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402


@pytest.fixture(scope="session")
def engine() -> Path:
    found = harness.engine_dir()
    needed = ("bin/pulumi", "kubernetes/pulumi-resource-kubernetes", "yaml/pulumi-language-yaml")
    if not all((found / path).exists() for path in needed):
        pytest.fail(f"no engine in {found}: run `make engine` (or `make engine-test`, which runs it first)")
    problem = harness.engine_problem(found)
    if problem is not None:
        pytest.fail(f"the engine cache is refused: {problem}")
    return found


@pytest.fixture(scope="session")
def moto_url() -> Iterator[str]:
    with harness.moto_server() as url:
        yield url


@pytest.fixture(scope="session")
def pulumi_home(tmp_path_factory: pytest.TempPathFactory, engine: Path) -> Path:
    home = tmp_path_factory.mktemp("pulumi-home")
    harness.install_plugins(home, engine)
    return home


@pytest.fixture(scope="session")
def fixtures_file(tmp_path_factory: pytest.TempPathFactory, moto_url: str) -> Path:
    found = harness.standin_fixtures("ap-northeast-2", moto_url)
    path = tmp_path_factory.mktemp("fixtures") / "fixtures.json"
    path.write_text(json.dumps(found, indent=2))
    return path


@pytest.fixture
def project(tmp_path: Path, engine: Path, pulumi_home: Path, fixtures_file: Path, moto_url: str) -> harness.Project:
    """A fresh copy of the project on its own backend, and an empty moto (IAM names repeat across tests)."""
    request = urllib.request.Request(f"{moto_url}/moto-api/reset", method="POST")
    urllib.request.urlopen(request, timeout=30).read()
    return harness.make_project(tmp_path, engine, pulumi_home, fixtures_file)
