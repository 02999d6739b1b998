"""IAM's per-account quotas on roles and OIDC providers: a stack, and the stack files beside it that name the same
account, are held to `irsa:accountQuotas` (IAM's defaults: 1,000 roles, 100 OIDC providers)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from conftest import EKS_CONFIG, run_cli

from components.cli import go_yaml
from components.core.model import ConfigError
from components.core.settings import parse_settings

ACCOUNT = "123456789012"


def _stack(workloads: int, quotas: dict[str, Any] | None = None, account: str | None = ACCOUNT) -> dict[str, Any]:
    config = copy.deepcopy(EKS_CONFIG)
    base = config["irsa:workloads"][0]
    config["irsa:workloads"] = [{**base, "name": f"w{i}", "serviceAccount": f"sa{i}"} for i in range(workloads)]
    if quotas is not None:
        config["irsa:accountQuotas"] = quotas
    if account is not None:
        config["irsa:accountId"] = account
    return config


def test_a_stack_past_its_accounts_role_quota_is_refused_at_the_program_door() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_settings(_stack(3, {"roles": 2}), "dev")
    [problem] = caught.value.problems
    assert problem.path == "irsa:accountQuotas.roles"
    assert "would hold 3 roles irsa creates (stack dev 3), past its quota of 2" in problem.wrong
    assert "up to 5,000 on request" in problem.allowed


def test_an_oidc_provider_counts_against_its_quota() -> None:
    parse_settings(_stack(1, {"oidcProviders": 1}), "dev")  # one cluster, one provider: at the quota, fine
    with pytest.raises(ConfigError) as caught:
        parse_settings(_stack(1, {"oidcProviders": 1}) | {"irsa:clusters": [
            {"kind": "eks", "name": "a"}, {"kind": "eks", "name": "b"}]} | {"irsa:cluster": None}, "dev")  # fmt: skip
    assert any(p.path == "irsa:accountQuotas.oidcProviders" for p in caught.value.problems), caught.value.problems


@pytest.mark.parametrize(
    ("quotas", "path", "allowed"),
    [
        ({"roles": 0}, "irsa:accountQuotas.roles", "1 to 5000"),
        ({"oidcProviders": 701}, "irsa:accountQuotas.oidcProviders", "1 to 700"),
        ({"role": 10}, "irsa:accountQuotas.role", "known keys: roles, oidcProviders"),
    ],
)
def test_bad_quotas_are_named(quotas: dict[str, Any], path: str, allowed: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_settings(_stack(1, quotas), "dev")
    assert any(p.path == path and allowed in p.allowed for p in caught.value.problems), caught.value.problems


def _write(folder: Path, name: str, config: dict[str, Any]) -> Path:
    path = folder / f"Pulumi.{name}.yaml"
    path.write_text(go_yaml.dump({"config": config}))
    return path


def test_the_stack_files_of_one_account_are_counted_together(tmp_path: Path) -> None:
    _write(tmp_path, "b", _stack(2, {"roles": 4}))
    _write(tmp_path, "other", _stack(5, {"roles": 4}, account="210987654321"))  # another account: not counted
    path = _write(tmp_path, "a", _stack(3, {"roles": 4}))
    code, out, err = run_cli("plan", "--stack", "a", "--config", str(path))
    assert code == 2 and out == ""
    [line] = [line for line in err.splitlines() if "accountQuotas" in line]
    assert f"account {ACCOUNT} would hold 5 roles irsa creates" in line
    assert "Pulumi.a.yaml 3" in line and "Pulumi.b.yaml 2" in line and "Pulumi.other" not in line


def test_near_a_quota_the_plan_says_how_near(tmp_path: Path) -> None:
    _write(tmp_path, "b", _stack(1, {"roles": 5}))
    path = _write(tmp_path, "a", _stack(3, {"roles": 5}))
    code, out, err = run_cli("plan", "--stack", "a", "--config", str(path))
    assert code == 0, err
    assert f"account {ACCOUNT} would hold 4 of its 5 roles" in out + err
