"""A platform stack and two application stacks on one file backend, with real StackReferences: the
applications' roles trust the platform's OIDC providers, and removing a cluster from the platform while an
application still runs there is caught by that application's preview, naming both stacks, as is a pin (kind,
mechanism) the platform no longer matches."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from harness import Project, moto_iam

PLATFORM = "organization/irsa/platform"


def _trusted_providers(iam: object, role: str) -> set[str]:
    document = iam.get_role(RoleName=role)["Role"]["AssumeRolePolicyDocument"]  # type: ignore[attr-defined]
    return {s["Principal"]["Federated"] for s in document["Statement"] if "Federated" in s.get("Principal", {})}


def _preview_stops(project: Project, stack: str, line: str) -> None:
    caught = project.pulumi("preview", "--stack", stack, check=False)
    assert caught.code != 0 and line in caught.stdout + caught.stderr, caught.stdout + caught.stderr


def test_applications_build_on_the_platform_and_its_changes_reach_them(project: Project) -> None:
    for stack in ("platform", "app-orders", "app-reports"):
        project.init(stack)
    project.pulumi("up", "--yes", "--stack", "platform")
    exported = project.pulumi("stack", "output", "--json", "--stack", "platform").json()["irsaPlatform"]
    assert exported["version"] == 1 and set(exported["clusters"]) == {"shared-eks", "shared-aks"}
    for app in ("app-orders", "app-reports"):
        project.pulumi("up", "--yes", "--stack", app)

    iam = moto_iam(json.loads(Path(project.env["IRSA_STANDIN_FIXTURES"]).read_text())["motoUrl"])
    arns = {c: exported["clusters"][c]["oidcProviderArn"] for c in exported["clusters"]}
    assert _trusted_providers(iam, "irsa-app-orders-orders") == {arns["shared-eks"]}
    assert _trusted_providers(iam, "irsa-app-reports-reports") == {arns["shared-aks"]}
    # The applications created no provider: the two in IAM are the platform's.
    assert len(iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]) == 2
    role = iam.get_role(RoleName="irsa-app-orders-orders")["Role"]
    assert role["Path"] == "/apps/" and role["PermissionsBoundary"]["PermissionsBoundaryArn"].endswith(
        ":policy/org/workload-boundary"
    )

    # The platform team removes the AKS cluster (its provider is protected: unprotected on purpose first).
    document = yaml.safe_load(project.stack_file("platform").read_text())
    document["config"]["irsa:clusters"] = [c for c in document["config"]["irsa:clusters"] if c["kind"] == "eks"]
    project.stack_file("platform").write_text(yaml.safe_dump(document, sort_keys=False))
    project.pulumi("state", "unprotect", "--all", "--yes", "--stack", "platform")
    project.pulumi("up", "--yes", "--stack", "platform")

    _preview_stops(project, "app-reports", 'irsa:workloads[0].clusters[0]: "shared-aks" is not a cluster of the '
                   f"platform (application stack app-reports, platform stack {PLATFORM}) (its clusters: shared-eks)")
    # The application on the cluster that stays is unaffected.
    project.pulumi("preview", "--stack", "app-orders", "--expect-no-changes")

    # What an application pins of the platform's cluster is checked against the real StackReference too.
    document = yaml.safe_load(project.stack_file("app-orders").read_text())
    document["config"]["irsa:platform"]["clusters"]["shared-eks"]["mechanism"] = "pod-identity"
    project.stack_file("app-orders").write_text(yaml.safe_dump(document, sort_keys=False))
    _preview_stops(project, "app-orders", 'irsa:platform.clusters.shared-eks: pins eks with pod-identity; the '
                   f'platform has "eks" with "irsa" (application stack app-orders, platform stack {PLATFORM})')
