"""Shared fixtures: stack configs as data and offline plans of them."""

from __future__ import annotations

import contextlib
import copy
import io
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import hypothesis  # noqa: F401 - see below
import pytest
import yaml

from components.cli import main as cli
from components.cli.plan import run_plan
from components.cli.stackfile import known_stacks, load_settings
from components.core.model import Settings
from components.core.settings import parse_settings

ROOT = Path(__file__).resolve().parent.parent
# The engine `make engine` built lives in the user's cache (tests/engine); name it before the cache moves.
os.environ.setdefault(
    "IRSA_ENGINE_HOME", str(Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "irsa" / "engine")
)
# Plans `plan` and `diff` keep between runs go to a directory of this run, never the user's cache.
_CACHE = tempfile.mkdtemp(prefix="irsa-test-cache-")
os.environ["XDG_CACHE_HOME"] = _CACHE


def pytest_unconfigure(config: pytest.Config) -> None:
    shutil.rmtree(_CACHE, ignore_errors=True)


@pytest.fixture(autouse=True)
def _no_stack_outputs_between_tests() -> Any:
    """`--stack-outputs` lives in a module global for the stack-file reader: an in-process run of the command
    line must not hand its files to the next test's plans."""
    from components.cli.stackfile import STACK_OUTPUTS

    yield
    STACK_OUTPUTS.clear()


EKS_CONFIG: dict[str, Any] = {
    "aws:region": "ap-northeast-2",
    "irsa:cluster": {"kind": "eks", "name": "dev-cluster"},
    "irsa:workloads": [
        {
            "name": "s3-writer",
            "namespace": "production",
            "serviceAccount": "s3-writer",
            "s3": [{"bucket": "my-app-uploads", "prefix": "uploads/", "access": "read-write"}],
        }
    ],
}

AKS_CONFIG: dict[str, Any] = {
    "aws:region": "ap-northeast-2",
    "irsa:cluster": {"kind": "aks", "name": "aks-1", "resourceGroup": "rg-1"},
    "irsa:workloads": [
        {
            "name": "uploader",
            "namespace": "apps",
            "serviceAccount": "uploader",
            "s3": [{"bucket": "app-uploads", "prefix": "in/", "access": "write"}],
        }
    ],
}


def config(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """A deep copy of a config with top-level keys replaced."""
    result = copy.deepcopy(base)
    result.update(copy.deepcopy(changes))
    return result


CROSS_CONFIG: dict[str, Any] = config(
    EKS_CONFIG,
    **{
        "irsa:crossAccount": {
            "accountId": "210987654321",
            "roleArn": "arn:aws:iam::210987654321:role/deployer",
            "roles": [
                {
                    "name": "reports-reader",
                    "trustedWorkloads": ["s3-writer"],
                    "externalId": "ext-123",
                    "s3": [{"bucket": "finance-reports", "prefix": "monthly/", "access": "read"}],
                }
            ],
        }
    },
)


def settings_of(raw: dict[str, Any], stack: str = "dev") -> Settings:
    return parse_settings(raw, stack)


def plan_of(raw: dict[str, Any], stack: str = "dev") -> dict[str, Any]:
    return run_plan(parse_settings(raw, stack)).to_dict()


def by_type(plan: dict[str, Any], type_: str) -> list[dict[str, Any]]:
    return [r for r in plan["resources"] if r["type"] == type_]


@pytest.fixture(scope="session")
def shipped_plans() -> dict[str, dict[str, Any]]:
    """The offline plan of every stack shipped in stacks/."""
    return {stack: run_plan(load_settings(stack)).to_dict() for stack in known_stacks()}


DIFF_STACK = {
    "config": {
        "aws:region": "ap-northeast-2",
        "irsa:cluster": {"kind": "eks", "name": "dev-cluster"},
        "irsa:workloads": [
            {
                "name": "writer",
                "namespace": "apps",
                "serviceAccount": "writer",
                "sampleJob": False,
                "s3": [{"bucket": "app-uploads", "prefix": "in/", "access": "write"}],
            },
            {
                "name": "reader",
                "namespace": "apps",
                "serviceAccount": "reader",
                "sampleJob": False,
                "s3": [{"bucket": "app-reports", "access": "read"}],
            },
        ],
    }
}


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository with this project's code and one committed stack."""
    repo = tmp_path / "repo"
    repo.mkdir()
    shutil.copytree(ROOT / "components", repo / "components", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "Pulumi.yaml", repo / "Pulumi.yaml")
    (repo / "stacks").mkdir()
    (repo / "stacks" / "Pulumi.dev.yaml").write_text(yaml.safe_dump(DIFF_STACK))
    git(repo, "init", "-q", "-b", "main")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "add", "-A")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "base")
    return repo


# hypothesis is imported up front: imported late (by its pytest plugin at session end, when no test
# module used it) it is compiled after Pulumi's worker threads ran, and CPython 3.11.7's AST recursion
# counter, shared between threads, can then fail the compile with "AST constructor recursion depth mismatch".

# The policy pack is its own Pulumi project (policy/), imported by top-level module names as Pulumi runs it.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "policy"))


def run_cli(*args: str) -> tuple[int, str, str]:
    """The command line in-process: exit code, stdout, stderr; an exception escaping it fails the test."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = cli.main(list(args))
        except SystemExit as exit_:
            code = int(exit_.code or 0)
    return code, out.getvalue(), err.getvalue()
