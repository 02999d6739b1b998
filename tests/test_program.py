"""The Pulumi program's own entry (what `pulumi up` runs): config from the engine, clean errors."""

from __future__ import annotations

import logging
from typing import Any

import pulumi
import pytest
from conftest import EKS_CONFIG, config
from pulumi.runtime import config as runtime_config

from components import program
from components.cli.plan import PlanMocks, RecordingMonitor, install_mocks
from components.core.config import engine_config
from components.core.settings import parse_settings


def _engine_config(raw: dict[str, Any]) -> dict[str, str]:
    """Config as the engine hands it to a program: every value a string, objects as JSON."""
    return engine_config.encode(raw)[0]


def _run_main(raw: dict[str, Any], caplog: pytest.LogCaptureFixture) -> tuple[RecordingMonitor, Exception | None]:
    monitor = install_mocks(PlanMocks(parse_settings(EKS_CONFIG, "dev")), "irsa", "dev")
    runtime_config.set_all_config(_engine_config(raw))

    @pulumi.runtime.test
    def run() -> None:
        program.main()

    error = None
    try:
        with caplog.at_level(logging.ERROR):
            run()
    except Exception as raised:
        error = raised
    finally:
        runtime_config.set_all_config({})
    return monitor, error


def test_config_from_runtime_decodes_objects() -> None:
    runtime_config.set_all_config(_engine_config(EKS_CONFIG))
    try:
        assert program.config_from_runtime() == EKS_CONFIG
    finally:
        runtime_config.set_all_config({})


def test_main_registers_the_stack_from_engine_config(caplog: pytest.LogCaptureFixture) -> None:
    monitor, error = _run_main(EKS_CONFIG, caplog)
    assert error is None
    roles = [r for r in monitor.records if r["type"] == "aws:iam/role:Role"]
    assert [r["inputs"]["name"] for r in roles] == ["irsa-dev-s3-writer"]


def test_main_reports_every_problem_without_registering(caplog: pytest.LogCaptureFixture) -> None:
    raw = config(EKS_CONFIG, **{"irsa:cluster": {"kind": "gke", "name": "c"}, "irsa:extra": 1})
    monitor, error = _run_main(raw, caplog)
    assert isinstance(error, pulumi.RunError)
    assert str(error).startswith("invalid stack configuration: 2 problem")
    assert [r["type"] for r in monitor.records] == ["pulumi:pulumi:Stack"]
    messages = [r.getMessage() for r in caplog.records]
    assert 'irsa:cluster.kind: "gke" is not a supported cluster kind (eks or aks)' in messages
    assert any(m.startswith("irsa:extra: unknown key") for m in messages)
