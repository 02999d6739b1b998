"""Every shipped stack under the real engine: preview, up, an up that changes nothing, what IAM then holds, destroy.

What moto holds after `pulumi up` is compared with the offline plan (`python -m components plan`), placeholders
filled in with what the deployment learned (the stand-ins' cluster lookups, the ARNs moto gave).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from harness import ACCOUNT, Project, moto_iam

from components.cli.plan import run_plan
from components.cli.stackfile import known_stacks, load_settings

PLACEHOLDER = re.compile(r"<unknown: [^<>]*>")


def fixtures_of(project: Project) -> dict[str, Any]:
    return json.loads(Path(project.env["IRSA_STANDIN_FIXTURES"]).read_text())


def accounts(stack: str) -> list[str]:
    """The accounts a stack creates IAM in: its own, and the cross-account one."""
    cross = load_settings(stack).cross_account
    return [ACCOUNT, *([cross.account_id] if cross is not None else [])]


def deployed_values(project: Project, clients: list[Any]) -> dict[str, str]:
    """What each offline placeholder stood for, as this deployment learned it."""
    fixtures = fixtures_of(project)
    client = clients[0]
    found: dict[str, str] = {"<unknown: account>": ACCOUNT, "<unknown: account of the EKS cluster>": ACCOUNT}
    providers = {
        p["Arn"]: client.get_open_id_connect_provider(OpenIDConnectProviderArn=p["Arn"])["Url"]
        for p in client.list_open_id_connect_providers()["OpenIDConnectProviderList"]
    }
    by_host = {host: arn for arn, host in providers.items()}
    for kind, clusters in (("EKS", fixtures["eksClusters"]), ("AKS", fixtures["aksClusters"])):
        for name, cluster in clusters.items():
            issuer = cluster["issuer"]
            host = issuer.removeprefix("https://")
            # As a condition key the issuer is its host and path (IAM's form); elsewhere the URL.
            found[f"<unknown: OIDC issuer URL of {kind} cluster {name}>:"] = f"{host}:"
            found[f"<unknown: OIDC issuer URL of {kind} cluster {name}>"] = issuer
            if host in by_host:
                found[f"<unknown: ARN of the IAM OIDC provider for cluster {name}'s issuer>"] = by_host[host]
            if kind == "EKS":
                found[f"<unknown: ARN of EKS cluster {name}>"] = cluster["arn"]
    for host, arn in by_host.items():
        found[f"<unknown: ARN of the IAM OIDC provider for https://{host}>"] = arn
    for other in clients:
        for role in other.list_roles()["Roles"]:
            found[f"<unknown: ARN of IAM role {role['RoleName']}>"] = role["Arn"]
    for policy in client.list_policies(Scope="Local")["Policies"]:
        found[f"<unknown: ARN of IAM policy {policy['PolicyName']}>"] = policy["Arn"]
    return found


def filled(text: str, values: dict[str, str]) -> str:
    for placeholder in sorted(values, key=len, reverse=True):
        text = text.replace(placeholder, values[placeholder])
    left = PLACEHOLDER.findall(text)
    assert not left, f"the deployment gave no value for {left}"
    return text


def planned_iam(stack: str) -> dict[str, list[dict[str, Any]]]:
    plan = run_plan(load_settings(stack)).to_dict()
    found: dict[str, list[dict[str, Any]]] = {}
    for resource in plan["resources"]:
        if resource["type"].startswith("aws:iam/"):
            found.setdefault(resource["type"].split(":")[-1], []).append(resource["inputs"])
    return found


def held_iam(clients: list[Any]) -> dict[str, Any]:
    """What moto holds, in the plan's terms: roles in every account the stack uses, managed policies and
    OIDC providers in its own."""
    roles = {}
    for role, client in [(r, c) for c in clients for r in c.list_roles()["Roles"]]:
        name = role["RoleName"]
        full = client.get_role(RoleName=name)["Role"]
        roles[name] = {
            "assumeRolePolicy": full["AssumeRolePolicyDocument"],
            "path": full["Path"],
            "maxSessionDuration": full.get("MaxSessionDuration"),
            "permissionsBoundary": (full.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn"),
            "tags": {t["Key"]: t["Value"] for t in full.get("Tags", [])},
            "inline": {
                p: client.get_role_policy(RoleName=name, PolicyName=p)["PolicyDocument"]
                for p in client.list_role_policies(RoleName=name)["PolicyNames"]
            },
            "attached": sorted(
                p["PolicyArn"] for p in client.list_attached_role_policies(RoleName=name)["AttachedPolicies"]
            ),
        }
    client = clients[0]
    policies = {}
    for policy in client.list_policies(Scope="Local")["Policies"]:
        version = client.get_policy_version(PolicyArn=policy["Arn"], VersionId=policy["DefaultVersionId"])
        policies[policy["Arn"]] = version["PolicyVersion"]["Document"]
    providers = {}
    for provider in client.list_open_id_connect_providers()["OpenIDConnectProviderList"]:
        found = client.get_open_id_connect_provider(OpenIDConnectProviderArn=provider["Arn"])
        providers[found["Url"]] = sorted(found["ClientIDList"])
    return {"roles": roles, "policies": policies, "providers": providers}


def as_document(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def platform_of(stack: str) -> str | None:
    """The platform stack (its name here) an application stack takes its clusters from."""
    reference = load_settings(stack).platform
    return reference.split("/")[2] if reference is not None else None


def assert_iam_is_the_plan(stack: str, clients: list[Any], project: Project) -> None:
    values = deployed_values(project, clients)
    planned = planned_iam(stack)
    platform = platform_of(stack)
    if platform is not None:  # the OIDC providers are the platform's, deployed before it
        planned["OpenIdConnectProvider"] = planned_iam(platform).get("OpenIdConnectProvider", [])
    held = held_iam(clients)
    roles = {r["name"]: r for r in planned.get("Role", [])}
    assert sorted(held["roles"]) == sorted(roles)
    for name, role in roles.items():
        got = held["roles"][name]
        assert got["assumeRolePolicy"] == json.loads(filled(role["assumeRolePolicy"], values)), name
        assert got["path"] == role.get("path", "/")
        assert got["maxSessionDuration"] == role.get("maxSessionDuration", 3600)
        assert got["permissionsBoundary"] == role.get("permissionsBoundary")
        assert got["tags"] == role.get("tags", {})
        inline = {p["name"]: json.loads(filled(p["policy"], values)) for p in planned.get("RolePolicy", [])
                  if p["role"] == name}  # fmt: skip
        assert {k: as_document(v) for k, v in got["inline"].items()} == inline, name
        attached = [
            filled(a["policyArn"], values) for a in planned.get("RolePolicyAttachment", []) if a["role"] == name
        ]
        assert got["attached"] == sorted(attached), name
    managed = {filled(f"<unknown: ARN of IAM policy {p['name']}>", values): json.loads(filled(p["policy"], values))
               for p in planned.get("Policy", [])}  # fmt: skip
    assert {k: as_document(v) for k, v in held["policies"].items()} == managed
    providers = {filled(p["url"], values).removeprefix("https://"): sorted(p["clientIdLists"])
                 for p in planned.get("OpenIdConnectProvider", [])}  # fmt: skip
    assert held["providers"] == providers


@pytest.mark.parametrize("stack", known_stacks())
def test_a_shipped_stack_deploys_redeploys_unchanged_and_destroys(stack: str, project: Project) -> None:
    platform = platform_of(stack)
    if platform is not None:  # an application stack references its platform, deployed first on this backend
        project.init(platform)
        project.pulumi("up", "--yes", "--stack", platform)
    project.init(stack)
    preview = project.pulumi("preview", "--stack", stack, "--json").json()
    assert preview["changeSummary"]["create"] > 0
    # The policy pack runs inside the engine on the real inputs; a mandatory violation would fail the update.
    up = project.pulumi("up", "--yes", "--stack", stack, "--policy-pack", "policy")
    assert "irsa-security@v0.0.1" in up.stdout and "[mandatory]" not in up.stdout
    url = fixtures_of(project)["motoUrl"]
    clients = [moto_iam(url, account) for account in accounts(stack)]
    assert_iam_is_the_plan(stack, clients, project)

    again = project.pulumi("up", "--yes", "--stack", stack, "--expect-no-changes")  # fails on any change
    assert re.search(r"Resources:\n\s+\d+ unchanged\n", again.stdout), again.stdout

    protected = [r for r in project.state(stack)["deployment"]["resources"] if r.get("protect")]
    refused = project.pulumi("destroy", "--yes", "--stack", stack, check=False)
    if protected:  # the engine refuses the whole destroy, naming the protected provider and the way out
        assert refused.code != 0
        assert "because it is protected" in refused.stdout and "pulumi state unprotect" in refused.stdout
        project.pulumi("destroy", "--yes", "--stack", stack, "--exclude-protected")
    else:
        assert refused.code == 0, refused.stdout
    kept = {
        r["type"]
        for r in project.state(stack)["deployment"].get("resources", [])
        if r.get("custom") and not r["type"].startswith("pulumi:providers:")
    }
    assert kept == ({"aws:iam/openIdConnectProvider:OpenIdConnectProvider"} if protected else set())
    assert {r["type"] for r in protected} <= {"aws:iam/openIdConnectProvider:OpenIdConnectProvider"}
    left = held_iam(clients)
    assert left["roles"] == {} and left["policies"] == {}
    assert len(left["providers"]) == len(protected) + (len(planned_iam(platform)["OpenIdConnectProvider"])
                                                       if platform is not None else 0)  # fmt: skip
