"""An application stack planned without its platform's stack file or outputs: the clusters it pins
(`irsa:platform.clusters`: kind, mechanism) give the plan its shape, and every platform value in it is a
placeholder naming the platform stack and the output. The pins are checked against the platform wherever
the platform is known (its stack file, its outputs, a StackReference under `pulumi up`)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import by_type

from components.cli.main import main
from components.cli.plan import run_plan
from components.cli.stackfile import STACKS_DIR, load_settings, settings_of
from components.core import platform
from components.core.model import InvalidInput
from components.core.unknowns import is_unknown, unknown

PLATFORM = "organization/irsa/platform"
PLACEHOLDER = re.compile(r"<unknown: irsaPlatform\.([\w.-]+) of platform stack organization/irsa/platform[^>]*>")


def _alone(tmp_path: Path, stack: str, change: Any = None) -> Path:
    """The application's stack file in a directory without its platform's."""
    document = yaml.safe_load((STACKS_DIR / f"Pulumi.{stack}.yaml").read_text())
    if change is not None:
        change(document["config"])
    path = tmp_path / f"Pulumi.{stack}.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return path


def _pinned_plan(tmp_path: Path, stack: str) -> dict[str, Any]:
    return run_plan(settings_of(_alone(tmp_path, stack), stack, stack)).to_dict()


def _resolved(value: str, contract: dict[str, Any]) -> str:
    """`value` with each platform placeholder replaced by what the platform's stack file gives (an issuer as
    IAM's condition keys write it: no scheme), and the account its providers' ARNs name."""
    def value_of(match: re.Match[str]) -> str:
        found: Any = contract
        for key in match.group(1).split("."):
            found = found[key]
        condition_key = match.group(1).endswith(".issuerUrl") and match.group(2) == ":"
        return (str(found).removeprefix("https://") if condition_key else str(found)) + match.group(2)

    value = re.sub(PLACEHOLDER.pattern + "(:?)", value_of, value)
    return value.replace(unknown("account"), "123456789012")


def _leaves(value: Any, path: str = "") -> dict[str, Any]:
    if isinstance(value, str) and value.lstrip().startswith("{"):
        value = json.loads(value)  # a policy document: compared statement by statement
    if isinstance(value, dict):
        return {k: v for key, item in value.items() for k, v in _leaves(item, f"{path}.{key}").items()}
    if isinstance(value, list):
        return {k: v for i, item in enumerate(value) for k, v in _leaves(item, f"{path}[{i}]").items()}
    return {path: value}


@pytest.mark.parametrize("stack", ["app-orders", "app-reports"])
def test_the_pinned_plan_is_the_platforms_plan_with_its_values_as_placeholders(tmp_path: Path, stack: str) -> None:
    """Independent of how the placeholders are made: the plan from the platform's own stack file, compared
    leaf by leaf. Where the pinned plan has a platform placeholder, the platform's value must stand there; where it
    has none, the two plans agree; the only other placeholders are what the unknown account derives."""
    contract = platform.platform_outputs(load_settings("platform"), PLATFORM)
    resolved, pinned = run_plan(load_settings(stack)).to_dict(), _pinned_plan(tmp_path, stack)
    assert [(r["type"], r["name"]) for r in pinned["resources"]] == [
        (r["type"], r["name"]) for r in resolved["resources"]
    ]
    platform_tags = set(contract["defaults"].get("tags", {}))
    seen = set()
    for mine, theirs in zip(pinned["resources"], resolved["resources"], strict=True):
        inputs, expected = dict(mine["inputs"]), dict(theirs["inputs"])
        if "tags" in inputs:  # one placeholder tag stands for all of the platform's
            [stand_in] = [k for k in inputs["tags"] if is_unknown(k)]
            seen.add(PLACEHOLDER.fullmatch(stand_in).group(1))  # type: ignore[union-attr]
            inputs["tags"] = {k: v for k, v in inputs["tags"].items() if k != stand_in}
            expected["tags"] = {k: v for k, v in expected["tags"].items() if k not in platform_tags}
        mine_leaves = {_resolved(k, contract): v for k, v in _leaves(inputs).items()}
        seen.update(name for k in _leaves(inputs) for name in PLACEHOLDER.findall(k))  # an issuer in a condition key
        # The one difference in shape: a ServiceAccount names a non-default audience, and the pinned plan cannot
        # know the platform's is the default. Its annotation stands there as the audience's placeholder.
        audience = mine_leaves.pop(".metadata.annotations.eks.amazonaws.com/audience", None)
        if audience is not None:
            assert PLACEHOLDER.fullmatch(audience).group(1).endswith(".audience")  # type: ignore[union-attr]
        assert set(mine_leaves) == set(_leaves(expected)), mine["name"]
        for path, value in _leaves(expected).items():
            found = mine_leaves[path]
            seen.update(PLACEHOLDER.findall(found) if isinstance(found, str) else ())
            found = _resolved(found, contract) if isinstance(found, str) else found
            if isinstance(found, str) and found.startswith(("<unknown: ARN of IAM role", "<unknown: hash of the ARN")):
                assert not is_unknown(value)  # derived from the account, known to the platform's file
                continue
            assert found == value, (mine["name"], path)
    cluster = "shared-eks" if stack == "app-orders" else "shared-aks"
    expected_seen = {f"clusters.{cluster}.{k}" for k in ("oidcProviderArn", "issuerUrl", "audience")}
    assert expected_seen | {"defaults.rolePath", "defaults.permissionsBoundary", "defaults.tags"} <= seen


def test_the_pinned_plan_says_what_it_does_not_know(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _alone(tmp_path, "app-reports")
    assert main(["plan", "--stack", "app-reports", "--config", str(path), "--format", "json"]) == 0
    out, err = capsys.readouterr()
    assert f"warning: irsa:platform: planned without platform stack {PLATFORM}'s outputs" in err
    plan = json.loads(out)
    [lookup] = [x for x in plan["lookups"] if "listManagedClusterUserCredentials" in x["token"]]
    assert lookup["args"]["resourceGroupName"] == unknown(
        f"irsaPlatform.clusters.shared-aks.resourceGroup of platform stack {PLATFORM}"
    )
    [job] = by_type(plan, "kubernetes:batch/v1:Job")  # AKS pinned: the token is spliced into the Job's pod
    [volume] = [v for v in job["inputs"]["spec"]["template"]["spec"]["volumes"] if "projected" in v]
    audience = volume["projected"]["sources"][0]["serviceAccountToken"]["audience"]
    assert audience == unknown(f"irsaPlatform.clusters.shared-aks.audience of platform stack {PLATFORM}")


def test_a_pod_identity_pin_plans_an_association_and_no_provider_placeholders(tmp_path: Path) -> None:
    def pod_identity(config: dict[str, Any]) -> None:
        config["irsa:platform"]["clusters"] = {"shared-eks": {"kind": "eks", "mechanism": "pod-identity"}}

    stack = _alone(tmp_path, "app-orders", pod_identity)
    plan = run_plan(settings_of(stack, "app-orders", "app-orders")).to_dict()
    assert len(by_type(plan, "aws:eks/podIdentityAssociation:PodIdentityAssociation")) == 1
    [role] = by_type(plan, "aws:iam/role:Role")
    assert "pods.eks.amazonaws.com" in role["inputs"]["assumeRolePolicy"]
    assert "oidcProviderArn" not in role["inputs"]["assumeRolePolicy"]


def _problems(tmp_path: Path, change: Any, stack: str = "app-orders", alone: bool = True) -> list[str]:
    if not alone:  # the platform's stack file beside the application's
        shutil.copy(STACKS_DIR / "Pulumi.platform.yaml", tmp_path / "Pulumi.platform.yaml")
    path = _alone(tmp_path, stack, change)
    with pytest.raises(InvalidInput) as caught:
        settings_of(path, stack, stack)
    return [str(p) for p in caught.value.problems]


def test_pins_that_disagree_with_the_platform_name_both_stacks(tmp_path: Path) -> None:
    def wrong_mechanism(config: dict[str, Any]) -> None:
        config["irsa:platform"]["clusters"]["shared-eks"]["mechanism"] = "pod-identity"

    both = f"application stack app-orders, platform stack {PLATFORM}"
    assert _problems(tmp_path, wrong_mechanism, alone=False) == [
        f'irsa:platform.clusters.shared-eks: pins eks with pod-identity; the platform has "eks" with "irsa" ({both}) '
        "(the platform's kind and mechanism: update the pin with the platform)"
    ]

    def unpinned(config: dict[str, Any]) -> None:
        config["irsa:platform"]["clusters"] = {"shared-aks": {"kind": "aks"}}

    [problem] = _problems(tmp_path, unpinned, alone=False)
    assert problem.startswith(
        f"irsa:platform.clusters: does not pin \"shared-eks\", which this stack's workloads run in ({both})"
    )


@pytest.mark.parametrize(
    ("pins", "expected"),
    [
        ({"shared-eks": {"kind": "gke"}}, 'irsa:platform.clusters.shared-eks.kind: "gke" is not a cluster kind'),
        ({"shared-eks": {"kind": "aks", "mechanism": "both"}},
         'irsa:platform.clusters.shared-eks.mechanism: "both" is not a mechanism of an aks cluster'),
        ({"shared-eks": {"kind": "eks", "zone": "a"}}, "irsa:platform.clusters.shared-eks.zone: unknown key"),
        ({"-bad": {"kind": "aks"}}, 'irsa:platform.clusters.-bad: "-bad" is not an AKS cluster name'),
        ({"shared-eks": "eks"}, "irsa:platform.clusters.shared-eks: "),
        ({"other": {"kind": "eks"}}, 'irsa:platform.clusters: does not pin "shared-eks", which this stack'),
    ],
)
def test_bad_pins_are_named(tmp_path: Path, pins: Any, expected: str) -> None:
    def pin(config: dict[str, Any]) -> None:
        config["irsa:platform"]["clusters"] = pins

    assert any(p.startswith(expected) for p in _problems(tmp_path, pin)), _problems(tmp_path, pin)


def test_planned_from_pins_the_region_is_the_applications(tmp_path: Path) -> None:
    def no_region(config: dict[str, Any]) -> None:
        del config["aws:region"]

    [problem] = _problems(tmp_path, no_region)
    assert problem.startswith(f"aws:region: is required to plan without platform stack {PLATFORM}'s outputs")


def test_a_pulumi_eks_platform_needs_no_pins(tmp_path: Path) -> None:
    def pulumi_eks(config: dict[str, Any]) -> None:
        config["irsa:platform"] = {"stack": "acme/eks/prod", "pulumiEks": {"clusterName": "shared-eks"}}

    plan = run_plan(settings_of(_alone(tmp_path, "app-orders", pulumi_eks), "app-orders", "app-orders")).to_dict()
    [role] = by_type(plan, "aws:iam/role:Role")
    trust = json.loads(role["inputs"]["assumeRolePolicy"])
    [statement] = trust["Statement"]
    assert statement["Principal"]["Federated"] == unknown("oidcProviderArn of platform stack acme/eks/prod")


def test_a_pinned_diff_shows_the_applications_change_and_nothing_of_the_platform(tmp_path: Path) -> None:
    from components.cli import diff as diff_module
    from components.cli import diff_render

    base = _pinned_plan(tmp_path, "app-orders")

    def narrower(config: dict[str, Any]) -> None:
        config["irsa:workloads"][0]["s3"][0]["prefix"] = "invoices/2026/"

    head = run_plan(settings_of(_alone(tmp_path, "app-orders", narrower), "app-orders", "app-orders")).to_dict()
    text = diff_render.to_text(diff_module.compare(base, head, "app-orders", "main"))
    assert text.startswith("irsa diff app-orders against main: 0 to add, 0 to remove, 1 to change, 1 to replace")
    resources = [line for line in text.splitlines() if re.match(r"(~|\+-|\+|-) [a-z-]+:[\w/]+:", line)]
    assert resources == ["~ aws:iam/rolePolicy:RolePolicy orders-policy (policy)",
                         "+- kubernetes:batch/v1:Job orders-verify-job (replaced: spec.template)"], text  # fmt: skip


def test_doctor_checks_a_token_only_against_the_platforms_real_values(tmp_path: Path) -> None:
    """Against placeholders every token would fail; with the platform's outputs the same token's claims match."""
    import contextlib
    import io

    from oidc_issuer import LocalIssuer

    issuer_url = platform.platform_outputs(load_settings("platform"), PLATFORM)["clusters"]["shared-eks"]["issuerUrl"]
    token = tmp_path / "token"
    (tmp_path / "issuer").mkdir()
    token.write_text(LocalIssuer([issuer_url], tmp_path / "issuer").token(issuer_url, "orders", "orders-api",
                                                                          ["sts.amazonaws.com"]))  # fmt: skip
    stack = _alone(tmp_path, "app-orders")
    args = ["doctor", "--stack", "app-orders", "--config", str(stack), "--workload", "orders", "--token", str(token),
            "--format", "json"]  # fmt: skip

    def doctor(*extra: str) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main([*args, *extra])
        return code, out.getvalue(), err.getvalue()

    code, _, err = doctor()
    assert code == 2
    assert f"--stack-outputs: cluster shared-eks's issuer, audience or OIDC provider are placeholders until " \
           f"platform stack {PLATFORM} is known (pass --stack-outputs {PLATFORM}=FILE" in err  # fmt: skip
    outputs = tmp_path / "platform.json"
    outputs.write_text(json.dumps({"irsaPlatform": platform.platform_outputs(load_settings("platform"), PLATFORM)}))
    code, out, err = doctor("--stack-outputs", f"{PLATFORM}={outputs}")
    report = json.loads(out)
    assert code == 0, err
    assert [c for c in report["checks"] if c["ok"] is False] == []
    assert report["verdict"] == "claims match; not checked: signature (run with --issuer-check)"


def test_a_base_planned_by_its_own_code_gets_the_platforms_outputs_too(repo: Path) -> None:
    """`diff --stack-outputs` with a base revision whose code differs: the base plans in its own process, and
    used to plan from the pins there (placeholders) while the working tree used the outputs — every platform
    value showed as changed."""
    import subprocess
    import sys

    from conftest import git

    app = yaml.safe_load((STACKS_DIR / "Pulumi.app-orders.yaml").read_text())
    (repo / "stacks" / "Pulumi.app-orders.yaml").write_text(yaml.safe_dump(app))
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "add", "-A")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "app stack")
    names = repo / "components" / "core" / "names.py"  # other code in the working tree: the base runs its own
    names.write_text(names.read_text() + "\n\ndef unused() -> None:\n    \"\"\"Code that plans nothing.\"\"\"\n")
    outputs = repo / "platform.json"
    outputs.write_text(json.dumps({"irsaPlatform": platform.platform_outputs(load_settings("platform"), PLATFORM)}))
    result = subprocess.run(
        [sys.executable, "-m", "components", "diff", "--stack", "app-orders", "--base", "main", "--exit-code",
         "--stack-outputs", f"{PLATFORM}=platform.json"],
        cwd=repo, capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == "irsa diff app-orders: no changes against main\n"


def test_a_kept_base_plan_of_a_stack_file_outside_the_repository_follows_its_platform_beside_it(
    repo: Path, tmp_path: Path
) -> None:
    """No commit fixes files outside the repository: the kept base plan of one must change with the platform's
    stack file beside it, or a later diff compares the old platform with the new."""
    import subprocess
    import sys

    outside = tmp_path / "outside"
    outside.mkdir()
    for name in ("platform", "app-orders"):
        shutil.copy(STACKS_DIR / f"Pulumi.{name}.yaml", outside / f"Pulumi.{name}.yaml")

    def diff() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "components", "diff", "--stack", "app-orders", "--base", "main", "--exit-code",
             "--config", str(outside / "Pulumi.app-orders.yaml")],
            cwd=repo, capture_output=True, text=True, timeout=180,
        )  # fmt: skip

    assert diff().returncode == 0  # plans the base, and keeps it
    platform_file = outside / "Pulumi.platform.yaml"
    platform_file.write_text(platform_file.read_text().replace("rolePath: /apps/", "rolePath: /teams/"))
    again = diff()  # both sides read the same files: nothing changed between them
    assert again.returncode == 0, again.stdout + again.stderr


def test_a_pinned_stack_with_cross_account_roles_plans_their_boundary_as_a_placeholder(tmp_path: Path) -> None:
    """Whether the platform's boundary can apply in the other account depends on its account, unknown offline:
    it used to raise (an IndexError from the placeholder's text); now the roles there say what they wait for."""
    def cross_account(config: dict[str, Any]) -> None:
        config["irsa:crossAccount"] = {"accountId": "210987654321", "profile": "data-account", "roles": [
            {"name": "invoice-reader", "trustedWorkloads": ["orders"],
             "s3": [{"bucket": "invoices", "prefix": "2026/", "access": "read"}]}]}  # fmt: skip

    plan = run_plan(settings_of(_alone(tmp_path, "app-orders", cross_account), "app-orders", "app-orders")).to_dict()
    [there] = [r for r in by_type(plan, "aws:iam/role:Role") if r["inputs"]["name"] == "invoice-reader"]
    boundary = there["inputs"]["permissionsBoundary"]
    assert is_unknown(boundary) and PLATFORM in boundary and "210987654321" in boundary
    assert there["inputs"]["path"] == unknown(f"irsaPlatform.defaults.rolePath of platform stack {PLATFORM}")
