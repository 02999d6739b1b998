"""Config the plan does not model — provider config such as aws:defaultTags and aws:assumeRoles, and a Pulumi ESC
`environment:` block — is named by `plan` and `diff`, and a change to it never reads as "No changes."."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import ROOT, git, run_cli

DEV = yaml.safe_load((ROOT / "stacks" / "Pulumi.dev.yaml").read_text())


@pytest.mark.parametrize(
    "edit",
    [
        lambda d: d["config"].update({"aws:defaultTags": {"tags": {"owner": "someone-else"}}}),
        lambda d: d["config"].update({"aws:assumeRoles": [{"roleArn": "arn:aws:iam::210987654321:role/admin"}]}),
        lambda d: d.update({"environment": ["org/prod-credentials"]}),
    ],
    ids=["aws:defaultTags", "aws:assumeRoles", "environment"],
)
def test_a_change_the_plan_cannot_show_is_named_not_hidden(
    repo: Path, monkeypatch: pytest.MonkeyPatch, edit: Callable[[dict[str, Any]], Any]
) -> None:
    stack = repo / "stacks" / "Pulumi.dev.yaml"
    stack.write_text(yaml.safe_dump(DEV))
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qam", "dev")
    changed = yaml.safe_load(stack.read_text())
    edit(changed)
    stack.write_text(yaml.safe_dump(changed))
    monkeypatch.chdir(repo)
    code, out, _ = run_cli("diff", "--stack", "dev", "--base", "HEAD", "--exit-code")
    assert code == 1 and "no changes" not in out.lower()
    key = [k for k in ("aws:defaultTags", "aws:assumeRoles", "environment") if k in out]
    assert key and f"{key[0]} added: applied by Pulumi or a provider at deploy, not shown below" in out
    code, markdown, _ = run_cli("diff", "--stack", "dev", "--base", "HEAD", "--format", "markdown")
    assert "No changes." not in markdown and "Not modeled by the plan" in markdown


def test_plan_names_what_it_does_not_model(tmp_path: Path) -> None:
    document = {**DEV, "environment": ["org/dev"], "config": {**DEV["config"], "aws:defaultTags": {"tags": {"a": "b"}}}}
    stack = tmp_path / "Pulumi.x.yaml"
    stack.write_text(yaml.safe_dump(document))
    code, out, _ = run_cli("plan", "--stack", "x", "--config", str(stack))
    assert code == 0 and "Not modeled by this plan" in out and "aws:defaultTags, environment" in out


def test_plan_shows_the_default_tags_the_provider_adds(tmp_path: Path) -> None:
    document = {**DEV, "config": {**DEV["config"], "aws:defaultTags": {"tags": {"owner": "platform"}}}}
    stack = tmp_path / "Pulumi.x.yaml"
    stack.write_text(yaml.safe_dump(document))
    code, out, _ = run_cli("plan", "--stack", "x", "--config", str(stack))
    assert code == 0
    assert out.count('tagsAll (with the provider\'s aws:defaultTags): {"owner": "platform"}') == 2  # role, provider
