"""One role, many clusters: a stack with two EKS clusters and one AKS cluster.

Per cluster one lookup, one OIDC provider, one Kubernetes provider; per workload one role whose trust has a
statement per cluster issuer (each pinning its own `sub` and `aud`), and a ServiceAccount and Job in each
cluster it runs in. The trust is judged by cloud-copilot's IAM simulator (tests/simulator.py), an evaluator
we did not write, and by our own `core/trust.py`: the two must agree.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import by_type, config, run_cli
from oidc_issuer import LocalIssuer
from simulator import Request, decide

from components.cli import diff as diff_module
from components.cli.plan import PlanResult, run_plan
from components.core import trust
from components.core.model import ConfigError
from components.core.settings import parse_settings
from components.core.stack_plan import stack_plans

ROOT = Path(__file__).resolve().parent.parent
ACCOUNT = "111122223333"
BLUE = "https://oidc.eks.ap-northeast-2.amazonaws.com/id/B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1"
GREEN = "https://oidc.eks.ap-northeast-2.amazonaws.com/id/6E6E6E6E6E6E6E6E6E6E6E6E6E6E6E6E"
AKS = (
    "https://koreacentral.oic.prod-aks.azure.com/"
    "0f0f0f0f-0000-4000-8000-000000000001/0f0f0f0f-0000-4000-8000-000000000002/"
)
ISSUERS = {"seoul-blue": BLUE, "seoul-green": GREEN, "korea-aks": AKS}
WORKLOADS: list[dict[str, Any]] = [
    {
        "name": "orders",
        "namespace": "shop",
        "serviceAccount": "orders",
        "createNamespace": True,
        "s3": [{"bucket": "shop-orders", "prefix": "orders/", "access": "read-write"}],
    },
    {
        "name": "reports",
        "namespace": "shop",
        "serviceAccount": "reports",
        "clusters": ["seoul-green"],
        "s3": [{"bucket": "shop-reports", "prefix": "daily/", "access": "read"}],
    },
]
LOOKED_UP: dict[str, Any] = {
    "aws:region": "ap-northeast-2",
    "irsa:clusters": [
        {"name": "seoul-blue", "kind": "eks"},
        {"name": "seoul-green", "kind": "eks"},
        {"name": "korea-aks", "kind": "aks", "resourceGroup": "rg-korea"},
    ],
    "irsa:workloads": WORKLOADS,
}


def host(url: str) -> str:
    return url.removeprefix("https://")


def provider(url: str) -> str:
    return f"arn:aws:iam::{ACCOUNT}:oidc-provider/{host(url)}"


# The same clusters with their issuers and (reused) OIDC providers configured: every trust value is known.
KNOWN = config(
    LOOKED_UP,
    **{
        "irsa:clusters": [
            {**c, "issuerUrl": ISSUERS[c["name"]], "oidcProviderArn": provider(ISSUERS[c["name"]])}
            for c in LOOKED_UP["irsa:clusters"]
        ]
    },
)


@pytest.fixture(scope="module")
def looked_up() -> PlanResult:
    return run_plan(parse_settings(LOOKED_UP, "bg"))


@pytest.fixture(scope="module")
def known() -> dict[str, Any]:
    return run_plan(parse_settings(KNOWN, "bg")).to_dict()


def named(plan: dict[str, Any], type_: str) -> dict[str, dict[str, Any]]:
    return {r["name"]: r for r in by_type(plan, type_)}


def test_each_cluster_gets_one_lookup_one_oidc_provider_and_one_kubernetes_provider(looked_up: PlanResult) -> None:
    plan = looked_up.to_dict()
    lookups = sorted((lk["token"].split(":")[-1], lk["args"].get("name") or lk["args"]["resourceName"])
                     for lk in plan["lookups"])  # fmt: skip
    assert lookups == [
        ("getCluster", "seoul-blue"),
        ("getCluster", "seoul-green"),
        ("getManagedCluster", "korea-aks"),
        ("listManagedClusterUserCredentials", "korea-aks"),
    ]
    oidc = named(plan, "aws:iam/openIdConnectProvider:OpenIdConnectProvider")
    assert set(oidc) == {"seoul-blue-oidc-provider", "seoul-green-oidc-provider", "korea-aks-oidc-provider"}
    assert all(r["protect"] for r in oidc.values())
    urls = {name: r["inputs"]["url"] for name, r in oidc.items()}
    assert urls["korea-aks-oidc-provider"] == "<unknown: OIDC issuer URL of AKS cluster korea-aks>"
    assert set(named(plan, "pulumi:providers:kubernetes")) == {"seoul-blue-k8s", "seoul-green-k8s", "korea-aks-k8s"}


def test_one_role_per_workload_and_its_kubernetes_objects_in_each_cluster_it_runs_in(looked_up: PlanResult) -> None:
    plan = looked_up.to_dict()
    assert set(named(plan, "aws:iam/role:Role")) == {"orders-role", "reports-role"}
    providers = {r["name"]: r["urn"] for r in by_type(plan, "pulumi:providers:kubernetes")}
    expected = {
        "orders-seoul-blue": "seoul-blue",
        "orders-seoul-green": "seoul-green",
        "orders-korea-aks": "korea-aks",
        "reports-seoul-green": "seoul-green",
    }
    for type_, suffix in (("kubernetes:core/v1:ServiceAccount", "sa"), ("kubernetes:batch/v1:Job", "verify-job")):
        found = named(plan, type_)
        assert set(found) == {f"{prefix}-{suffix}" for prefix in expected}
        for prefix, cluster in expected.items():
            resource = found[f"{prefix}-{suffix}"]
            assert looked_up.wiring[resource["urn"]]["provider"] == providers[f"{cluster}-k8s"], resource["name"]
    namespaces = named(plan, "kubernetes:core/v1:Namespace")
    assert set(namespaces) == {"ns-seoul-blue-shop", "ns-seoul-green-shop", "ns-korea-aks-shop"}
    jobs = named(plan, "kubernetes:batch/v1:Job")
    # AKS has no webhook: its Job carries the projected token; on EKS the webhook injects it.
    for prefix in expected:
        volumes = jobs[f"{prefix}-verify-job"]["inputs"]["spec"]["template"]["spec"].get("volumes", [])
        assert any("projected" in v for v in volumes) == prefix.endswith("korea-aks"), prefix
    sa = named(plan, "kubernetes:core/v1:ServiceAccount")["orders-korea-aks-sa"]
    assert namespaces["ns-korea-aks-shop"]["urn"] in sa["dependsOn"]


def test_each_trust_statement_pins_its_own_issuers_sub_and_aud(known: dict[str, Any]) -> None:
    roles = named(known, "aws:iam/role:Role")
    orders = json.loads(roles["orders-role"]["inputs"]["assumeRolePolicy"])
    assert [s["Principal"]["Federated"] for s in orders["Statement"]] == [provider(u) for u in (BLUE, GREEN, AKS)]
    for statement, url in zip(orders["Statement"], (BLUE, GREEN, AKS), strict=True):
        assert set(statement["Condition"]) == {"StringEquals"}  # never StringLike across issuers
        assert statement["Condition"]["StringEquals"] == {
            f"{host(url)}:sub": "system:serviceaccount:shop:orders",
            f"{host(url)}:aud": "sts.amazonaws.com",
        }
    reports = json.loads(roles["reports-role"]["inputs"]["assumeRolePolicy"])
    assert [s["Principal"]["Federated"] for s in reports["Statement"]] == [provider(GREEN)]


def web_identity(url: str, sub: str, aud: str = "sts.amazonaws.com", via: str | None = None) -> Request:
    """A token of issuer `url` presented through the OIDC provider of `via` (default: the issuer's own)."""
    return Request(
        provider(via or url),
        "sts:AssumeRoleWithWebIdentity",
        f"arn:aws:iam::{ACCOUNT}:role/irsa-bg-orders",
        ACCOUNT,
        {f"{host(url)}:sub": sub, f"{host(url)}:aud": aud},
    )


ORDERS = "system:serviceaccount:shop:orders"


def cases() -> list[tuple[str, str, Request, bool]]:
    """(role, case, request, allowed?) for both workloads' roles."""
    found: list[tuple[str, str, Request, bool]] = []
    for cluster, url in ISSUERS.items():
        found += [
            ("orders", f"{cluster}: its token", web_identity(url, ORDERS), True),
            ("orders", f"{cluster}: another ServiceAccount", web_identity(url, "system:serviceaccount:shop:x"), False),
            ("orders", f"{cluster}: another namespace", web_identity(url, "system:serviceaccount:dev:orders"), False),
            ("orders", f"{cluster}: another audience", web_identity(url, ORDERS, "api://other"), False),
            ("reports", f"{cluster}: its token", web_identity(url, "system:serviceaccount:shop:reports"),
             cluster == "seoul-green"),
        ]  # fmt: skip
    other = "https://oidc.eks.ap-northeast-2.amazonaws.com/id/0000000000000000000000000000000A"
    found += [
        ("orders", "an issuer of no cluster of the stack", web_identity(other, ORDERS), False),
        # blue's claims presented through green's provider: the keys name blue's host, green's statement not
        ("orders", "one issuer's claims through another's provider", web_identity(BLUE, ORDERS, via=GREEN), False),
    ]
    return found


def test_the_iam_simulator_accepts_each_issuers_token_and_refuses_the_rest(known: dict[str, Any]) -> None:
    roles = named(known, "aws:iam/role:Role")
    documents = {w: json.loads(roles[f"{w}-role"]["inputs"]["assumeRolePolicy"]) for w in ("orders", "reports")}
    table = cases()
    decisions = decide([(documents[role], [request]) for role, _, request, _ in table])
    simulated = {case_id(role, case): d == ["Allowed"] for (role, case, _, _), d in zip(table, decisions, strict=True)}
    assert simulated == {case_id(role, case): allowed for role, case, _, allowed in table}
    # Our own evaluator (used by doctor) agrees with the simulator on every case.
    ours = {
        case_id(role, case): trust.evaluate(documents[role], request.principal, request.context).allowed
        for role, case, request, _ in table
    }
    assert ours == simulated


def case_id(role: str, case: str) -> str:
    return f"{role} / {case}"


def test_pod_identity_in_one_cluster_is_pinned_to_that_cluster() -> None:
    raw = config(KNOWN)
    raw["irsa:clusters"][1]["mechanism"] = "both"  # green moves to Pod Identity; blue and AKS stay
    for key in ("issuerUrl", "oidcProviderArn"):
        raw["irsa:clusters"][1][key] = KNOWN["irsa:clusters"][1][key]
    plan = stack_plans(parse_settings(raw, "bg"))[0]
    arns = {c: f"arn:aws:eks:ap-northeast-2:{ACCOUNT}:cluster/{c}" for c in ISSUERS}
    document = plan.trust_in(
        [(p, provider(ISSUERS[p.cluster_name]), ISSUERS[p.cluster_name], arns[p.cluster_name]) for p in plan.spec.where]
    )
    assert len(document["Statement"]) == 4  # three issuers, and Pod Identity in green

    def tags(cluster: str, namespace: str = "shop") -> dict[str, str]:
        return {
            "aws:SourceAccount": ACCOUNT,
            "aws:RequestTag/eks-cluster-arn": arns[cluster],
            "aws:RequestTag/kubernetes-namespace": namespace,
            "aws:RequestTag/kubernetes-service-account": "orders",
        }

    role = f"arn:aws:iam::{ACCOUNT}:role/irsa-bg-orders"
    pods = "pods.eks.amazonaws.com"
    requests = [
        Request(pods, "sts:AssumeRole", role, ACCOUNT, tags("seoul-green")),
        Request(pods, "sts:TagSession", role, ACCOUNT, tags("seoul-green")),
        Request(pods, "sts:AssumeRole", role, ACCOUNT, tags("seoul-blue")),  # blue has no association
        Request(pods, "sts:AssumeRole", role, ACCOUNT, tags("seoul-green", "dev")),
        web_identity(GREEN, ORDERS),  # both: green's web identity still works while pods move
        web_identity(BLUE, ORDERS),
    ]
    [decisions] = decide([(document, requests)])
    assert [d == "Allowed" for d in decisions] == [True, True, False, False, True, True]
    ours = [trust.evaluate(document, r.principal, r.context, r.action).allowed for r in requests]
    assert ours == [True, True, False, False, True, True]
    associations = [p.cluster_name for p in plan.spec.where if p.association]
    assert associations == ["seoul-green"]


def test_outputs_per_cluster_and_per_workload(looked_up: PlanResult) -> None:
    outputs = looked_up.outputs
    assert set(outputs["clusters"]) == set(ISSUERS)
    assert outputs["clusters"]["korea-aks"]["kind"] == "aks"
    assert outputs["clusters"]["seoul-blue"]["oidcProviderArn"] == (
        "<unknown: ARN of the IAM OIDC provider for cluster seoul-blue's issuer>"
    )
    assert "oidcProviderArn" not in outputs  # one cluster's key: ambiguous with several
    assert outputs["workloads"]["orders"]["clusters"] == ["seoul-blue", "seoul-green", "korea-aks"]
    assert outputs["workloads"]["reports"]["clusters"] == ["seoul-green"]
    assert set(outputs["workloads"]["orders"]["tokenFragments"]) == set(ISSUERS)


def urn_named(urn: str, name: str) -> str:
    return urn.rsplit("::", 1)[0] + "::" + name


def per_cluster(plan: PlanResult) -> dict[str, dict[str, Any]]:
    kinds = ("ServiceAccount", "Job", "ConfigMap", "Namespace", "VerificationJob")
    return {r["urn"]: r for r in plan.resources if r["type"].rsplit(":", 1)[-1] in kinds}


@pytest.mark.parametrize("direction", ["one to several", "several to one"])
def test_the_first_cluster_keeps_its_resources_between_one_cluster_and_several(direction: str) -> None:
    orders = {"irsa:workloads": WORKLOADS[:1]}
    one = run_plan(
        parse_settings(config(LOOKED_UP, **orders, **{"irsa:clusters": LOOKED_UP["irsa:clusters"][:1]}), "bg")
    )
    several = run_plan(parse_settings(config(LOOKED_UP, **orders), "bg"))
    before, after = (one, several) if direction == "one to several" else (several, one)
    kept = {r["urn"] for r in one.resources} & {r["urn"] for r in several.resources}
    # Role, policies, the first cluster's OIDC and Kubernetes providers: the same URNs.
    assert {"orders-role", "seoul-blue-oidc-provider", "seoul-blue-k8s"} <= {u.rsplit("::", 1)[1] for u in kept}
    # Each per-cluster resource before is the first cluster's after: same URN or an alias to it.
    blue_after = {urn_named(urn, alias): urn for urn in per_cluster(after) for alias in after.wiring[urn]["aliases"]}
    for urn in per_cluster(before):
        if direction == "several to one" and "seoul-blue" not in urn:
            continue  # green and AKS leave the stack
        assert urn in blue_after, urn
    # Only the first cluster's resources carry aliases (two claiming one former name would be an error).
    assert all("seoul-blue" in urn or not w["aliases"] for urn, w in several.wiring.items())


@pytest.mark.parametrize(
    "change,expected",
    [
        (
            {"irsa:workloads": [{**WORKLOADS[1], "clusters": ["seoul-gren"]}]},
            "irsa:workloads[0].clusters[0]: \"seoul-gren\" is not a cluster of this stack (did you mean 'seoul-green'? "
            "one of seoul-blue, seoul-green, korea-aks)",
        ),
        (
            {"irsa:workloads": [{**WORKLOADS[1], "clusters": ["seoul-green", "seoul-green"]}]},
            "irsa:workloads[0].clusters: names seoul-green more than once",
        ),
        (
            {"irsa:workloads": [{**WORKLOADS[0], "mechanism": "pod-identity"}]},
            "irsa:workloads[0].mechanism: pod-identity is only for kind: eks",
        ),
        (
            {"irsa:workloads": [{**WORKLOADS[0], "presets": ["cluster-autoscaler"]}]},
            "irsa:workloads[0].presets: cluster-autoscaler pins one cluster's name, and the workload runs in "
            "seoul-blue, seoul-green, korea-aks",
        ),
        (
            {"irsa:clusters": [*KNOWN["irsa:clusters"][:2], {**KNOWN["irsa:clusters"][0], "name": "seoul-blue-2"}]},
            "irsa:clusters[2].issuerUrl:",
        ),
    ],
    ids=["unknown-cluster", "twice", "pod-identity-on-aks", "cluster-scoped-preset", "same-issuer"],
)
def test_cluster_lists_are_checked(change: dict[str, Any], expected: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_settings(config(KNOWN, **change), "bg")
    assert any(str(p).startswith(expected) for p in caught.value.problems), caught.value.problems


def test_a_workload_limited_to_its_eks_clusters_may_use_pod_identity() -> None:
    workload = {**WORKLOADS[0], "mechanism": "pod-identity", "clusters": ["seoul-blue", "seoul-green"]}
    settings = parse_settings(config(LOOKED_UP, **{"irsa:workloads": [workload]}), "bg")
    [plan] = stack_plans(settings)
    assert [(p.cluster_name, p.association, p.web_identity) for p in plan.spec.where] == [
        ("seoul-blue", True, False),
        ("seoul-green", True, False),
    ]
    assert not settings.web_identity  # no cluster needs an OIDC provider


def test_past_the_trust_quota_it_names_the_clusters_to_split_off() -> None:
    clusters = [
        {"name": f"aks-{i}", "kind": "aks", "resourceGroup": "rg",
         "issuerUrl": AKS.replace("0000000000", f"{i:010d}")}
        for i in range(8)
    ]  # fmt: skip
    with pytest.raises(ConfigError) as caught:
        parse_settings(config(LOOKED_UP, **{"irsa:clusters": clusters, "irsa:workloads": WORKLOADS[:1]}), "bg")
    [problem] = caught.value.problems
    assert problem.path == "irsa:workloads[0]"
    assert "across 8 clusters" in problem.wrong
    # {"Version":"2012-10-17","Statement":[s1,s2,...]}: 39 characters around n statements and n-1 commas
    size = len(json.dumps(trust_statement(clusters[0]["issuerUrl"]), separators=(",", ":")))
    kept = (2048 - 38) // (size + 1)
    assert 1 < kept < 8
    assert f"split off clusters {', '.join(c['name'] for c in clusters[kept:])} " in problem.allowed


def trust_statement(url: str) -> dict[str, Any]:
    """One web-identity statement as the plan writes it (its size decides how many clusters fit)."""
    return {
        "Effect": "Allow",
        "Principal": {"Federated": f"arn:aws:iam::123456789012:oidc-provider/{host(url)}"},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {f"{host(url)}:sub": ORDERS, f"{host(url)}:aud": "sts.amazonaws.com"}},
    }


@pytest.fixture(scope="module")
def local_issuer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalIssuer]:
    issuer = LocalIssuer(list(ISSUERS.values()), tmp_path_factory.mktemp("issuer")).start()
    yield issuer
    issuer.stop()


def doctor(stack: dict[str, Any], token: str, tmp_path: Path, *extra: str) -> tuple[int, dict[str, Any], str]:
    stack_file, token_file = tmp_path / "bg.yaml", tmp_path / "token"
    stack_file.write_text(yaml.safe_dump({"config": stack}))
    token_file.write_text(token)
    args = ["doctor", "--stack", "bg", "--config", str(stack_file), "--workload", "orders", "--token", str(token_file)]
    code, out, err = run_cli(*args, "--format", "json", *extra)
    return code, json.loads(out) if out else {}, err


@pytest.mark.parametrize("cluster", list(ISSUERS))
def test_doctor_picks_the_cluster_from_the_tokens_issuer(
    cluster: str, local_issuer: LocalIssuer, tmp_path: Path
) -> None:
    token = local_issuer.token(ISSUERS[cluster], "shop", "orders", ["sts.amazonaws.com"])
    checks = (
        "--issuer-check",
        "--connect-to",
        f"127.0.0.1:{local_issuer.port}",
        "--ca-file",
        str(local_issuer.ca_file),
    )
    # the local issuer's CA is private: STS trusts its certificate only through a pinned thumbprint
    pinned = {**KNOWN, "irsa:clusters": [{**c, "thumbprints": [local_issuer.intermediate_thumbprint]}
                                         for c in KNOWN["irsa:clusters"]]}  # fmt: skip
    code, report, err = doctor(pinned, token, tmp_path, *checks)
    assert (code, err) == (0, "")
    assert report["cluster"] == cluster and report["accepted"] is True


def test_doctor_checks_the_named_cluster_and_explains_a_token_from_another(
    local_issuer: LocalIssuer, tmp_path: Path
) -> None:
    token = local_issuer.token(GREEN, "shop", "orders", ["sts.amazonaws.com"])
    code, report, _ = doctor(KNOWN, token, tmp_path, "--cluster", "seoul-blue")
    assert code == 1 and report["cluster"] == "seoul-blue"
    failed = {c["name"]: c for c in report["checks"] if c["ok"] is False}
    assert set(failed) == {"iss"}
    assert failed["iss"]["detail"].startswith(f'"{GREEN}" is not the provider URL "{BLUE}"')
    assert failed["iss"]["fix"] == (
        "the workload also runs in seoul-green, korea-aks: pass --cluster NAME for the one that issued the token"
    )


@pytest.mark.parametrize(
    "stack,extra,expected",
    [
        (LOOKED_UP, (), "--cluster: is needed: workload 'orders' runs in seoul-blue, seoul-green, korea-aks"),
        (KNOWN, ("--cluster", "seoul-red"), "--cluster: \"seoul-red\" is not a cluster workload 'orders' runs in"),
    ],
    ids=["issuers-looked-up", "unknown-cluster"],
)
def test_doctor_without_a_cluster_it_can_tell_exits_2(
    stack: dict[str, Any], extra: tuple[str, ...], expected: str, local_issuer: LocalIssuer, tmp_path: Path
) -> None:
    token = local_issuer.token(GREEN, "shop", "orders", ["sts.amazonaws.com"])
    code, _, err = doctor(stack, token, tmp_path, *extra)
    assert code == 2 and err.startswith(expected), err


def blue_green_step(clusters: list[str], single: bool = False) -> dict[str, Any]:
    """The shipped blue-green stack with these of its clusters (orders and reports in all of them)."""
    shipped = yaml.safe_load((ROOT / "stacks" / "Pulumi.blue-green.yaml").read_text())["config"]
    chosen = [c for name in clusters for c in shipped["irsa:clusters"] if c["name"] == name]
    stack = {k: v for k, v in shipped.items() if k != "irsa:clusters"}
    stack["irsa:workloads"] = [{k: v for k, v in w.items() if k != "clusters"} for w in shipped["irsa:workloads"]]
    stack.update({"irsa:cluster": chosen[0]} if single else {"irsa:clusters": chosen})
    return run_plan(parse_settings(stack, "blue-green")).to_dict()


def test_blue_green_add_green_then_remove_blue_as_the_readme_says() -> None:
    blue = blue_green_step(["seoul-blue"], single=True)
    both = blue_green_step(["seoul-blue", "seoul-green"])
    green = blue_green_step(["seoul-green"])
    add = diff_module.compare(blue, both, "blue-green", "blue")
    # Adding green: only additions in green, blue's objects renamed in place (no removal, no provider change).
    assert not add.removed
    assert all("seoul-green" in r["name"] for r in add.added)
    renamed = [c for c in add.changed if "urn" in c.diffs]
    assert renamed and all(set(c.diffs) == {"urn"} and "seoul-blue" in c.name for c in renamed)
    trust_changes = {c.name: set(c.paths) for c in add.changed if c.type == "aws:iam/role:Role"}
    assert set(trust_changes) == {"orders-role", "reports-role"}
    # Removing blue: blue's objects (its protected OIDC provider too) go; green's keep their identity.
    remove = diff_module.compare(both, green, "blue-green", "both")
    assert not remove.added
    assert {r["name"] for r in remove.removed if r["protect"]} == {"seoul-blue-oidc-provider"}
    assert all("seoul-blue" in r["name"] for r in remove.removed)
    assert all(set(c.diffs) == {"urn"} for c in remove.changed if "urn" in c.diffs)


def test_listing_a_new_cluster_first_shows_the_move_to_another_cluster() -> None:
    """The first cluster takes over the one-cluster names: listing the new one first would move objects."""
    blue = blue_green_step(["seoul-blue"], single=True)
    wrong = blue_green_step(["seoul-green", "seoul-blue"])
    moved = [c for c in diff_module.compare(blue, wrong, "blue-green", "blue").changed if "provider" in c.diffs]
    assert {c.name for c in moved} >= {"orders-seoul-green-sa", "reports-seoul-green-sa", "ns-seoul-green-shop"}
    assert all(c.attributes["provider"]["after"].endswith("::seoul-green-k8s") for c in moved)


def test_a_huge_clusters_list_is_one_problem() -> None:
    workload = {**WORKLOADS[0], "clusters": [f"c{i}" for i in range(100_000)]}
    with pytest.raises(ConfigError) as caught:
        parse_settings(config(LOOKED_UP, **{"irsa:workloads": [workload]}), "bg")
    [problem] = caught.value.problems
    assert problem.path == "irsa:workloads[0].clusters" and "1 to 20 cluster names" in problem.allowed
