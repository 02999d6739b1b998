"""Replacements: `diff` marks what the providers will delete and create again, in every format.

The table itself is checked against the providers' code in tests/engine/test_replacing_sources.py, and what
the real engine replaces in tests/engine/test_diff_agrees.py; these tests pin how a change in a stack file
reaches a reviewer.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest
from conftest import DIFF_STACK

from components.cli import diff as diff_module
from components.cli import diff_render
from components.cli.plan import run_plan
from components.core import replacement
from components.core.settings import parse_settings

Change = Callable[[dict[str, Any]], None]
ISSUER = "https://oidc.eks.ap-northeast-2.amazonaws.com/id/8F3A1C2B4D5E6F708192A3B4C5D6E7F8"


def _plan(config: dict[str, Any]) -> dict[str, Any]:
    return run_plan(parse_settings(config, "dev")).to_dict()


def _diff(config: dict[str, Any], change: Change) -> diff_module.PlanDiff:
    head = copy.deepcopy(config)
    change(head)
    return diff_module.compare(_plan(config), _plan(head), "dev", "main")


def _replaced(d: diff_module.PlanDiff) -> dict[str, list[str]]:
    return {c.name: c.replaces for c in d.replaced}


def _writer(config: dict[str, Any]) -> dict[str, Any]:
    return next(w for w in config["irsa:workloads"] if w["name"] == "writer")


def test_forcing_matches_at_below_and_above_a_replacing_path() -> None:
    job = "kubernetes:batch/v1:Job"
    assert replacement.forcing(job, ["spec.template.metadata.annotations.irsa/role"]) == ["spec.template"]
    assert replacement.forcing(job, ["spec"]) == ["spec.completions", "spec.parallelism", "spec.selector",
                                                  "spec.template"]  # fmt: skip
    assert replacement.forcing(job, ["spec.backoffLimit", "metadata.labels.app"]) == []
    assert replacement.forcing(job, ["spec.templateVersion"]) == []  # a prefix of the name is not the path
    assert replacement.forcing("aws:iam/role:Role", ["description", "maxSessionDuration", "tags.team"]) == []
    assert replacement.forcing("irsa:index:WorkloadIdentity", ["anything"]) == []


def test_an_absent_role_path_is_the_provider_default() -> None:
    assert replacement.with_defaults("aws:iam/role:Role", {"name": "r"}) == {"name": "r", "path": "/"}
    assert replacement.with_defaults("aws:iam/role:Role", {"path": "/x/"})["path"] == "/x/"
    assert replacement.with_defaults("kubernetes:batch/v1:Job", {"spec": {}}) == {"spec": {}}


def test_a_namespace_move_replaces_the_service_account_and_updates_the_role() -> None:
    """The issue's case: a reviewer read "change" where Kubernetes deletes and recreates."""
    d = _diff(DIFF_STACK["config"], lambda c: _writer(c).update(namespace="apps2"))
    assert _replaced(d) == {"writer-sa": ["metadata.namespace"]}
    assert [c.name for c in d.updated] == ["writer-role"]  # the trust's subject: an update in place
    text = diff_render.to_text(d)
    assert "irsa diff dev against main: 0 to add, 0 to remove, 1 to change, 1 to replace" in text
    assert "+- kubernetes:core/v1:ServiceAccount writer-sa (replaced: metadata.namespace)" in text.splitlines()
    assert "~ kubernetes:core/v1:ServiceAccount" not in text
    (row,) = [w for w in d.workloads if w.workload == "writer"]
    assert any(line.startswith("replaced: ServiceAccount writer-sa (metadata.namespace)") for line in row.changes)


def test_a_namespace_move_with_a_job_replaces_job_and_script_too() -> None:
    config = copy.deepcopy(DIFF_STACK["config"])
    _writer(config)["sampleJob"] = True
    d = _diff(config, lambda c: _writer(c).update(namespace="apps2"))
    assert _replaced(d) == {
        "writer-sa": ["metadata.namespace"],
        "writer-verify-job": ["metadata.namespace"],
        "writer-verify-script": ["metadata.namespace"],
    }


def test_markdown_and_json_say_replace_with_the_inputs_and_the_meaning() -> None:
    d = _diff(DIFF_STACK["config"], lambda c: _writer(c).update(namespace="apps2"))
    markdown = diff_render.to_markdown(d)
    assert "**0** to add, **0** to remove, **1** to change, **1** to replace." in markdown
    row = "| 🔁 **replace** | `kubernetes:core/v1:ServiceAccount` | `writer-sa` | `metadata.namespace`: pods"
    assert row in markdown
    report = json.loads(diff_render.to_json(d))
    assert report["counts"] == {"add": 0, "remove": 0, "change": 1, "replace": 1}
    by_name = {m["name"]: m for m in report["modified"]}
    assert by_name["writer-role"]["replace"] is None
    assert by_name["writer-sa"]["replace"] == {
        "inputs": ["metadata.namespace"],
        "meaning": replacement.meaning("kubernetes:core/v1:ServiceAccount"),
        "deleteFirst": False,  # another namespace: pulumi-kubernetes creates the new one first
        "gap": None,
    }


def test_a_role_path_replaces_the_role_and_says_what_that_breaks() -> None:
    d = _diff(DIFF_STACK["config"], lambda c: c.setdefault("irsa:defaults", {}).update(rolePath="/workloads/"))
    found = _replaced(d)
    assert {k: v for k, v in found.items() if k.endswith("-role")} == {"reader-role": ["path"], "writer-role": ["path"]}
    assert "unique ID" in d.replaced[0].meaning
    # Deleted first (their names are given), the roles take with them what takes their name or ARN on an input
    # that replaces: the inline policies (`role`) and the ServiceAccounts (their metadata carries the ARN).
    assert found["writer-policy"] == ["role (from writer-role, deleted first)"]
    assert found["writer-sa"] == ["metadata (from writer-role, deleted first)"]


def test_a_named_role_is_deleted_before_its_replacement_and_every_format_says_so() -> None:
    d = _diff(DIFF_STACK["config"], lambda c: c.setdefault("irsa:defaults", {}).update(rolePath="/workloads/"))
    [role] = [c for c in d.replaced if c.name == "writer-role"]
    assert role.delete_first
    said = "delete, then create: writer has no credentials until the new role exists"
    assert role.gap.startswith(said)
    assert f"   {role.gap}" in diff_render.to_text(d)
    assert said in diff_render.to_markdown(d)
    by_name = {m["name"]: m for m in json.loads(diff_render.to_json(d))["modified"]}
    assert by_name["writer-role"]["replace"]["deleteFirst"] is True
    assert by_name["writer-role"]["replace"]["gap"] == role.gap
    [row] = [w for w in d.workloads if w.workload == "writer"]
    assert any(said in line and "keep rolePath" in line for line in row.changes)


def test_a_replacement_deletes_first_only_as_its_provider_decides() -> None:
    role = "aws:iam/role:Role"
    assert replacement.deletes_first(role, {"name": "a", "path": "/"}, {"name": "a", "path": "/x/"})
    assert not replacement.deletes_first(role, {"path": "/"}, {"path": "/x/"})  # autonamed: created first
    job = "kubernetes:batch/v1:Job"
    same = {"metadata": {"name": "j", "namespace": "n"}}
    assert replacement.deletes_first(job, same, same)
    assert not replacement.deletes_first(job, same, {"metadata": {"name": "j", "namespace": "m"}})
    assert not replacement.deletes_first("aws:iam/rolePolicyAttachment:RolePolicyAttachment", {}, {"role": "r"})


def test_setting_the_default_role_path_is_no_replacement() -> None:
    d = _diff(DIFF_STACK["config"], lambda c: c.setdefault("irsa:defaults", {}).update(rolePath="/"))
    assert d.replaced == []


def test_a_new_issuer_replaces_the_protected_oidc_provider() -> None:
    config: dict[str, Any] = copy.deepcopy(DIFF_STACK["config"])
    config["irsa:cluster"]["issuerUrl"] = ISSUER
    d = _diff(config, lambda c: c["irsa:cluster"].update(issuerUrl=ISSUER.replace("8F3A", "9F3A")))
    replaced = _replaced(d)
    assert replaced.pop("dev-cluster-oidc-provider") == ["url"]
    assert replaced == {}  # the roles' trusts change in place
    (oidc,) = d.replaced
    assert "unprotect" in oidc.meaning


def test_a_pod_identity_association_moved_to_another_namespace_is_replaced() -> None:
    config: dict[str, Any] = copy.deepcopy(DIFF_STACK["config"])
    config["irsa:cluster"]["mechanism"] = "pod-identity"
    d = _diff(config, lambda c: _writer(c).update(namespace="apps2"))
    replaced = _replaced(d)
    assert replaced["writer-association"] == ["namespace"]
    assert "no credentials" in next(c for c in d.replaced if c.name == "writer-association").meaning


def test_another_managed_policy_in_the_same_place_replaces_the_attachment() -> None:
    arn = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
    config = copy.deepcopy(DIFF_STACK["config"])
    _writer(config)["managedPolicyArns"] = [arn]
    d = _diff(config, lambda c: _writer(c).update(managedPolicyArns=[arn.replace("S3", "SQS")]))
    assert _replaced(d) == {"writer-managed0": ["policyArn"]}


def test_an_inline_policy_renamed_or_moved_to_another_role_is_replaced() -> None:
    """A component user can name the policy; the stack file cannot: compared on the plans directly."""
    base = _plan(DIFF_STACK["config"])
    head = copy.deepcopy(base)
    (policy,) = [r for r in head["resources"] if r["name"] == "writer-policy"]
    policy["inputs"]["name"] = "renamed"
    policy["inputs"]["role"] = "another-role"
    d = diff_module.compare(base, head, "dev", "main")
    assert _replaced(d) == {"writer-policy": ["name", "role"]}


def test_a_resource_under_a_new_urn_naming_the_same_object_gets_the_alias_hint() -> None:
    base = _plan(DIFF_STACK["config"])
    head = copy.deepcopy(base)
    (account,) = [r for r in head["resources"] if r["name"] == "writer-sa"]
    old_urn = account["urn"]
    account["urn"], account["name"] = old_urn.replace("writer-sa", "writer-account"), "writer-account"
    head["providers"][account["urn"]] = head["providers"].pop(old_urn)
    d = diff_module.compare(base, head, "dev", "main")
    assert [r["name"] for r in d.added] == ["writer-account"] and [r["name"] for r in d.removed] == ["writer-sa"]
    (hint,) = d.moved
    assert hint.startswith("writer-account (kubernetes:core/v1:ServiceAccount) is writer-sa under a new name")
    assert 'aliases=[pulumi.Alias(name="writer-sa")]' in hint
    assert "Avoidable replacements:" in diff_render.to_text(d)
    # Another namespace is another object: no hint.
    account["inputs"]["metadata"]["namespace"] = "elsewhere"
    assert diff_module.compare(base, head, "dev", "main").moved == []


def test_another_cluster_is_a_replacement_by_provider() -> None:
    base = _plan(DIFF_STACK["config"])
    head = copy.deepcopy(base)
    (account,) = [r for r in head["resources"] if r["name"] == "writer-sa"]
    head["providers"][account["urn"]] = "urn:pulumi:dev::irsa::pulumi:providers:kubernetes::other::id"
    d = diff_module.compare(base, head, "dev", "main")
    assert _replaced(d) == {"writer-sa": ["provider"]}
    assert d.replaced[0].meaning == replacement.PROVIDER_MEANING


@pytest.mark.parametrize("kind", sorted(replacement.REPLACING))
def test_every_type_names_its_object_by_inputs_it_replaces_on(kind: str) -> None:
    entry = replacement.REPLACING[kind]
    assert entry.identity and set(entry.identity) <= set(entry.inputs)
    assert set(entry.defaults) <= set(entry.inputs)
    assert entry.meaning and "\n" not in entry.meaning
