"""Shared roles: the union on the role, each workload's own grants as its association's session policy, refused where
a session policy cannot express the workload; judged by the IAM simulator with the policy as a session policy."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pulumi
import pytest
import yaml
from simulator import Request, decide_each
from test_component_arguments import run_program

from components.cli import diff
from components.cli.plan import run_plan
from components.core import access_delta, account_quotas, iam_eval
from components.core.model import InvalidInput
from components.core.settings import parse_settings
from components.core.shared_roles import SESSION_POLICY_MAX, union
from components.core.stack_plan import planned_stack
from components.invalid_arguments import InvalidArguments

ROOT = Path(__file__).resolve().parent.parent
STACK = "shared-roles"
ACCOUNT = "123456789012"
CLUSTER_ARN = f"arn:aws:eks:eu-central-1:{ACCOUNT}:cluster/media-cluster"


def shipped() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "stacks" / f"Pulumi.{STACK}.yaml").read_text())["config"]


def problems(config: dict[str, Any]) -> list[str]:
    with pytest.raises(InvalidInput) as raised:
        parse_settings(config, STACK)
    return [str(p) for p in raised.value.problems]


def edited(index: int, **changes: Any) -> dict[str, Any]:
    config = copy.deepcopy(shipped())
    config["irsa:workloads"][index].update(changes)
    return config


# --- the plan -------------------------------------------------------------------------------------------------


def test_the_role_holds_the_union_and_each_association_its_own_grants() -> None:
    plans, shared = planned_stack(parse_settings(shipped(), STACK))
    media = next(r for r in shared if r.name == "media")
    assert media.role_name == "irsa-shared-roles-media"
    assert media.member_names == ("resizer", "publisher", "notifier")
    role = media.policy_for(ACCOUNT)
    for member in media.members:
        own = json.loads(member.session_policy_for(ACCOUNT) or "{}")
        # each session statement is the member's own permissions, and each is in the role
        assert own == member.inline_policy_for(ACCOUNT)
        canonical = [{k: v for k, v in s.items() if k != "Sid"} for s in role["Statement"]]
        assert all({k: v for k, v in s.items() if k != "Sid"} in canonical for s in own["Statement"])
    sids = [s["Sid"] for s in role["Statement"]]
    assert len(sids) == len(set(sids)), sids
    assert all(p.shape.shared_role and not p.shape.has_inline_policy for p in plans if p.shared_role)


def test_union_keeps_each_statement_once() -> None:
    get = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}
    put = {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::b/*"}
    a = {"Statement": [{"Sid": "A", **get}]}
    b = {"Statement": [{"Sid": "B", **get}, {"Sid": "A", **put}]}
    statements = union([a, b])["Statement"]
    assert [s["Sid"] for s in statements] == ["A", "AW1"]


def test_the_stack_registers_one_role_per_shared_role_and_a_session_policy_per_association() -> None:
    plan = run_plan(parse_settings(shipped(), STACK)).to_dict()
    roles = [r for r in plan["resources"] if r["type"] == "aws:iam/role:Role"]
    assert sorted(r["inputs"]["name"] for r in roles) == ["irsa-shared-roles-finance", "irsa-shared-roles-media"]
    associations = {r["inputs"]["serviceAccount"]: r["inputs"] for r in plan["resources"]
                    if r["type"] == "aws:eks/podIdentityAssociation:PodIdentityAssociation"}  # fmt: skip
    assert len(associations) == 5
    for sa, inputs in associations.items():
        assert inputs["disableSessionTags"] is True
        assert len(inputs["policy"]) <= SESSION_POLICY_MAX
        assert inputs["roleArn"].endswith("irsa-shared-roles-media" if sa in ("resizer", "publisher", "notifier")
                                          else "irsa-shared-roles-finance")  # fmt: skip
    rows = {r["workload"]: r for r in plan["summary"]}
    assert rows["resizer"]["role"] == "irsa-shared-roles-media"
    # The SharedRole names its workloads; they are not its children, so moving onto it keeps their URNs.
    [media] = [r for r in plan["resources"] if r["type"] == "irsa:index:SharedRole" and r["name"] == "media"]
    assert media["inputs"]["sharedBy"] == ["resizer", "publisher", "notifier"]
    identities = [r for r in plan["resources"] if r["type"] == "irsa:index:WorkloadIdentity"]
    assert {r["urn"].rsplit("::", 1)[-1] for r in identities} == set(rows)
    assert all("SharedRole" not in r["urn"] for r in identities)
    assert rows["resizer"]["sharedWith"] == ["publisher", "notifier"]


def test_the_quota_counts_a_shared_role_once() -> None:
    usage = account_quotas.usage_of(parse_settings(shipped(), STACK), "stack shared-roles")
    assert usage.roles == 2


# --- refusals, stack file door ------------------------------------------------------------------------------------


def test_a_web_identity_workload_cannot_share() -> None:
    found = problems(edited(0, mechanism="irsa"))
    assert any(p.startswith("irsa:workloads[0].sharedRole: shares role media but uses web identity in media-cluster")
               for p in found), found  # fmt: skip


def test_a_session_policy_past_eks_size_says_how_much_over() -> None:
    grants = [{"bucket": f"media-bucket-{i:02d}", "prefix": f"some/long/prefix/{i}/", "access": "read"}
              for i in range(12)]  # fmt: skip
    found = problems(edited(0, s3=grants))
    [line] = [p for p in found if "session policy would be" in p]
    size = int(line.split("would be ")[1].split(" ")[0].replace(",", ""))
    assert f"{size - SESSION_POLICY_MAX:,} over EKS's 2,048" in line
    assert "split its" in line


def test_a_grant_reading_eks_session_tags_is_refused() -> None:
    statement = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::media-originals/*",
                 "Condition": {"StringEquals": {"aws:PrincipalTag/kubernetes-namespace": "media"}}}  # fmt: skip
    found = problems(edited(0, statements=[statement]))
    assert any("reads the session tag(s) kubernetes-namespace" in p for p in found), found


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("managedPolicyArns", ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"]),
        ("targetRoleArn", f"arn:aws:iam::{ACCOUNT}:role/target"),
        ("roleName", "own-role"),
    ],
)
def test_what_a_session_policy_cannot_carry_is_refused(key: str, value: Any) -> None:
    found = problems(edited(0, **{key: value}))
    assert any(p.startswith(f"irsa:workloads[0].{key}: is given with sharedRole") for p in found), found


def test_a_preset_attaching_a_managed_policy_is_refused() -> None:
    found = problems(edited(0, presets=["ebs-csi"]))
    assert any("attaches managed policies" in p for p in found), found


def test_a_shared_role_named_as_a_workloads_own_role_is_refused() -> None:
    config = copy.deepcopy(shipped())
    config["irsa:workloads"].append({"name": "media", "namespace": "other", "serviceAccount": "other",
                                     "s3": [{"bucket": "x-bucket", "access": "read"}]})  # fmt: skip
    found = problems(config)
    assert any("role name 'irsa-shared-roles-media' is workload media's own role's" in p for p in found), found


# --- refusals and registrations, component door ----------------------------------------------------------------


def member(namespace: str, sa: str, **extra: Any) -> Any:
    return {"namespace": namespace, "service_account": sa, "region": "eu-central-1", "mechanism": "pod-identity",
            "cluster_name": "media-cluster", "cluster_arn": CLUSTER_ARN, "sample_job": False} | extra  # fmt: skip


def test_the_component_registers_the_same_shape() -> None:
    from components import SharedRole

    def make(seen: dict[str, Any]) -> Any:
        made = SharedRole("media", {"workloads": {
            "resizer": member("media", "resizer", s3=[{"bucket": "media-originals", "prefix": "i/", "access": "read"}]),
            "publisher": member("media", "publisher", s3=[{"bucket": "media-out", "prefix": "o/", "access": "write"}]),
        }, "account_id": ACCOUNT})  # fmt: skip
        seen.update(names=made.workload_names, inline=made.inline_policy, managed=made.managed_policies,
                    members=sorted(made.workloads))  # fmt: skip
        return made.role_arn

    records, seen, error = run_program(make)
    assert error is None, error
    assert seen["names"] == ["resizer", "publisher"] and seen["members"] == ["publisher", "resizer"]
    assert seen["inline"] is not None and seen["managed"] == []
    kinds = [r["type"] for r in records]
    assert kinds.count("aws:iam/role:Role") == 1 and kinds.count("aws:iam/rolePolicy:RolePolicy") == 1
    [role] = [r for r in records if r["type"] == "aws:iam/role:Role"]
    assert role["inputs"]["name"] == "irsa-media"
    sessions = {r["inputs"]["serviceAccount"]: json.loads(r["inputs"]["policy"]) for r in records
                if r["type"] == "aws:eks/podIdentityAssociation:PodIdentityAssociation"}  # fmt: skip
    assert "media-originals" in json.dumps(sessions["resizer"]) and "media-out" not in json.dumps(sessions["resizer"])
    [policy] = [r for r in records if r["type"] == "aws:iam/rolePolicy:RolePolicy"]
    assert "media-originals" in policy["inputs"]["policy"] and "media-out" in policy["inputs"]["policy"]


def test_the_component_refuses_web_identity_before_registering() -> None:
    from components import SharedRole

    def make(seen: dict[str, Any]) -> Any:
        SharedRole("media", {"workloads": {
            "resizer": member("media", "resizer", s3=[{"bucket": "media-originals", "access": "read"}]),
            "legacy": member("media", "legacy", s3=[{"bucket": "media-out", "access": "write"}], mechanism="both",
                             oidc_provider_arn="arn:aws:iam::123456789012:oidc-provider/x.example",
                             issuer_url="https://x.example"),
        }})  # fmt: skip
        return pulumi.Output.from_input("x")

    records, _, error = run_program(make)
    assert isinstance(error, InvalidArguments), error
    assert any(str(p).startswith("SharedRole(\"media\").workloads['legacy']: shares role media but uses web identity")
               for p in error.problems), [str(p) for p in error.problems]  # fmt: skip
    assert not [r for r in records if r["type"].startswith("aws:")]


def test_the_component_refuses_workloads_of_two_regions() -> None:
    from components import SharedRole

    def make(seen: dict[str, Any]) -> Any:
        SharedRole("media", {"workloads": {
            "resizer": member("media", "resizer", s3=[{"bucket": "media-originals", "access": "read"}]),
            "far": member("media", "far", s3=[{"bucket": "media-out", "access": "write"}], region="us-west-2"),
        }})  # fmt: skip
        return pulumi.Output.from_input("x")

    records, _, error = run_program(make)
    assert isinstance(error, InvalidArguments), error
    assert [str(p) for p in error.problems] == [
        "SharedRole(\"media\").workloads['far']: gives another region, account_id, role_path or "
        "trust_policy_max_chars than 'resizer' (the same on every workload of one role (or give account_id to "
        "SharedRole))"
    ]
    assert not [r for r in records if r["type"].startswith("aws:")]


# --- what the reviewer sees ---------------------------------------------------------------------------------------


def test_a_change_to_one_workload_is_a_change_to_the_role_of_all_and_access_of_one() -> None:
    base = run_plan(parse_settings(shipped(), STACK)).to_dict()
    head_config = copy.deepcopy(shipped())
    head_config["irsa:workloads"][1]["s3"].append({"bucket": "media-extra", "prefix": "p/", "access": "read"})
    result = diff.compare(base, run_plan(parse_settings(head_config, STACK)).to_dict(), STACK, "main")
    assert set(result.access) >= {"resizer", "publisher", "notifier"}
    assert result.access["resizer"].unchanged and result.access["notifier"].unchanged
    assert any("media-extra" in line for line in result.access["publisher"].widened)
    rows = {w.workload: w for w in result.workloads}
    assert any("permissions (media-policy)" in line for line in rows["resizer"].changes)  # the role changed for it
    assert not result.access.get("ledger-reader")


# --- independent agreement: the IAM simulator with the association's policy as a session policy -------------------


def _probe(grant: dict[str, Any]) -> tuple[str, str, dict[str, str]]:
    """The request a grant's Job check makes: a list inside a read, a put inside a write."""
    if grant["access"] == "read":
        return "s3:ListBucket", f"arn:aws:s3:::{grant['bucket']}", {"s3:prefix": grant["prefix"]}
    return "s3:PutObject", f"arn:aws:s3:::{grant['bucket']}/{grant['prefix']}irsa-check", {}


def test_each_workload_gets_exactly_its_own_grants_as_the_simulator_judges() -> None:
    plan = run_plan(parse_settings(shipped(), STACK)).to_dict()
    access = access_delta.access_by_workload(plan)
    s3 = {w["name"]: w.get("s3", []) for w in shipped()["irsa:workloads"]}
    media = ["resizer", "publisher", "notifier"]
    batches: list[Any] = []
    sessions: list[Any] = []
    expected, ours = [], []
    principal = f"arn:aws:sts::{ACCOUNT}:assumed-role/irsa-shared-roles-media/eks-pod"
    for name in media:
        cases = [(_probe(g), other == name) for other in media for g in s3[other]]
        requests = [Request(principal, a, r, ACCOUNT, c) for (a, r, c), _ in cases]
        [session] = access[name].session
        batches.append((None, list(access[name].permissions), requests))
        sessions.append(dict(session))
        expected.append(["Allowed" if own else "ImplicitlyDenied" for _, own in cases])
        ours.append(["Allowed" if access[name].allows(iam_eval.Request(a, r, c)) else "ImplicitlyDenied"
                     for (a, r, c), _ in cases])  # fmt: skip
    simulated = decide_each(batches, sessions)
    assert simulated == expected  # the simulator: own grant allowed, neighbours' denied
    assert ours == simulated  # and the core evaluator, with the session policy, agrees
    # without the session policy the role allows every neighbour's grant: the session policy is what limits
    unlimited = decide_each([(None, b[1], b[2]) for b in batches])
    assert all(d == "Allowed" for row in unlimited for d in row)


def test_each_job_checks_a_neighbours_grant_the_simulator_denies_it() -> None:
    plans, shared = planned_stack(parse_settings(shipped(), STACK))
    media = next(r for r in shared if r.name == "media")
    role = media.policy_for(ACCOUNT)
    batches: list[Any] = []
    sessions: list[Any] = []
    for m in media.members:
        [check] = m.neighbour_checks
        params = check["params"]
        prefix = params.get("Prefix", params.get("Key", "").rsplit("/", 1)[0] + "/")
        grant = {"bucket": params["Bucket"], "prefix": prefix,
                 "access": "read" if check["call"] == "list_objects_v2" else "write"}  # fmt: skip
        action, resource, context = _probe(grant)
        principal = f"arn:aws:sts::{ACCOUNT}:assumed-role/{media.role_name}/eks-pod"
        batches.append((None, [role], [Request(principal, action, resource, ACCOUNT, context)]))
        sessions.append(json.loads(m.session_policy_for(ACCOUNT) or "{}"))
        job = m.job(f"arn:aws:iam::{ACCOUNT}:role/{media.role_name}")
        assert check in json.loads(next(e["value"] for e in job["spec"]["template"]["spec"]["containers"][0]["env"]
                                        if e["name"] == "IRSA_CHECKS"))  # fmt: skip
    assert decide_each(batches, sessions) == [["ImplicitlyDenied"]] * len(batches)
    assert decide_each(batches) == [["Allowed"]] * len(batches)  # the role itself allows it


def test_a_reader_on_a_writers_role_cannot_write_as_the_simulator_judges() -> None:
    access = access_delta.access_by_workload(run_plan(parse_settings(shipped(), STACK)).to_dict())
    table = f"arn:aws:dynamodb:eu-central-1:{ACCOUNT}:table/ledger"
    principal = f"arn:aws:sts::{ACCOUNT}:assumed-role/irsa-shared-roles-finance/eks-pod"
    requests = [Request(principal, action, table, ACCOUNT) for action in ("dynamodb:GetItem", "dynamodb:PutItem")]
    batches = [(None, list(access[name].permissions), requests) for name in ("ledger-reader", "ledger-writer")]
    sessions = [dict(access[name].session[0]) for name in ("ledger-reader", "ledger-writer")]
    simulated = decide_each(batches, sessions)
    assert simulated == [["Allowed", "ImplicitlyDenied"], ["Allowed", "Allowed"]]
    ours = [[access[name].allows(iam_eval.Request(r.action, r.resource)) for r in requests]
            for name in ("ledger-reader", "ledger-writer")]  # fmt: skip
    assert ours == [[d == "Allowed" for d in row] for row in simulated]


# --- a real client: boto3 against moto, credentials from AssumeRole with the association's policy ------------------


def test_a_real_client_with_the_session_policy_reaches_only_its_own_prefix() -> None:
    """As the Pod Identity agent hands a pod credentials (the role, limited by the association's policy), moto
    (with session policies applied, tests/moto_session_policies.py) lets it write its own prefix only."""
    import urllib.request

    import boto3
    from botocore.exceptions import ClientError
    from moto_server import moto_server

    plans, shared = planned_stack(parse_settings(shipped(), STACK))
    media = next(r for r in shared if r.name == "media")
    publisher = media.members[1]
    admin = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing", "region_name": "eu-central-1"}
    with moto_server(session_policies=True) as url:
        iam = boto3.client("iam", endpoint_url=url, **admin)
        iam.create_role(RoleName=media.role_name, AssumeRolePolicyDocument=json.dumps(media.trust([CLUSTER_ARN])))
        iam.put_role_policy(RoleName=media.role_name, PolicyName="union",
                            PolicyDocument=json.dumps(media.policy_for(ACCOUNT)))  # fmt: skip
        s3 = boto3.client("s3", endpoint_url=url, **admin)
        for bucket in ("media-originals", "media-thumbnails"):
            s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-central-1"})
        sts = boto3.client("sts", endpoint_url=url, **admin)
        arn = f"arn:aws:iam::{ACCOUNT}:role/{media.role_name}"

        def client_of(session_policy: str | None) -> Any:
            extra = {"Policy": session_policy} if session_policy else {}
            found = sts.assume_role(RoleArn=arn, RoleSessionName="eks-pod", **extra)["Credentials"]
            return boto3.client("s3", endpoint_url=url, region_name="eu-central-1",
                                aws_access_key_id=found["AccessKeyId"], aws_secret_access_key=found["SecretAccessKey"],
                                aws_session_token=found["SessionToken"])  # fmt: skip

        limited, whole = client_of(publisher.session_policy_for(ACCOUNT)), client_of(None)
        reset = urllib.request.Request(f"{url}/moto-api/reset-auth", data=b"0", method="POST",
                                       headers={"Content-Type": "text/plain"})
        urllib.request.urlopen(reset, timeout=10).read()
        limited.put_object(Bucket="media-thumbnails", Key="thumbs/ok.txt", Body=b"x")  # its own grant
        [check] = publisher.neighbour_checks  # its next neighbour's S3 grant (notifier has none: resizer's read)
        with pytest.raises(ClientError) as denied:
            getattr(limited, check["call"])(**check["params"])
        assert denied.value.response["Error"]["Code"] == "AccessDenied"
        # the role alone (no session policy) allows the neighbour's grant: the session policy is what denies it
        getattr(whole, check["call"])(**check["params"])


def test_a_shared_role_replaced_is_a_gap_for_every_workload_on_it() -> None:
    base = run_plan(parse_settings(shipped(), STACK)).to_dict()
    head_config = {**copy.deepcopy(shipped()), "irsa:defaults": {"rolePath": "/teams/"}}
    result = diff.compare(base, run_plan(parse_settings(head_config, STACK)).to_dict(), STACK, "main")
    rows = {w.workload: w for w in result.workloads}
    for name in ("resizer", "publisher", "notifier"):
        [line] = [c for c in rows[name].changes if c.startswith("replaced: Role media-role")]
        assert "each of notifier, publisher, resizer has no credentials until the new role exists" in line


def test_the_component_names_every_workloads_problems_at_once() -> None:
    from components import SharedRole

    def make(seen: dict[str, Any]) -> Any:
        computed: Any = {**member("media", "b", s3=[{"bucket": "media-out", "access": "write"}]),
                         "namespace": pulumi.Output.from_input("computed")}  # fmt: skip
        SharedRole("media", {"workloads": {
            "a": member("media", "a", s3=[{"bucket": "media-originals", "access": "readonly"}]),
            "b": computed,
        }})  # fmt: skip
        return pulumi.Output.from_input("x")

    records, _, error = run_program(make)
    assert isinstance(error, InvalidArguments), error
    lines = [str(p) for p in error.problems]
    assert any(line.startswith("SharedRole(\"media\").workloads['a'].s3[0].access:") for line in lines), lines
    assert any(line.startswith("SharedRole(\"media\").workloads['b']: computes namespace") for line in lines), lines
    assert not [r for r in records if r["type"].startswith("aws:")]


def test_a_job_is_denied_a_neighbours_queue_as_the_simulator_judges() -> None:
    """Beyond S3: each Job's denied check is its neighbour's own allowed call (the registry's), judged denied by the
    simulator with the association's policy as a session policy, and allowed by the role alone."""
    config = copy.deepcopy(shipped())
    config["irsa:workloads"] = [
        {"name": f"q{i}", "namespace": "media", "serviceAccount": f"q{i}", "sharedRole": "queues",
         "sqs": [{"queue": f"media-queue-{i}", "access": "consume"}]} for i in range(2)
    ]  # fmt: skip
    _, [queues] = planned_stack(parse_settings(config, STACK))
    role = queues.policy_for(ACCOUNT)
    principal = f"arn:aws:sts::{ACCOUNT}:assumed-role/{queues.role_name}/eks-pod"
    batches: list[Any] = []
    sessions: list[Any] = []
    for i, m in enumerate(queues.members):
        job = m.job(f"arn:aws:iam::{ACCOUNT}:role/{queues.role_name}")
        env = job["spec"]["template"]["spec"]["containers"][0]["env"]
        checks = json.loads(next(e["value"] for e in env if e["name"] == "IRSA_CHECKS"))
        denied = [c for c in checks if c["expect"] == "denied" and c["params"]["QueueUrl"] == {
            "queue_url": f"media-queue-{1 - i}"}]  # fmt: skip
        assert [c["call"] for c in denied] == ["get_queue_attributes"], checks
        queue = f"arn:aws:sqs:eu-central-1:{ACCOUNT}:media-queue-{1 - i}"
        batches.append((None, [role], [Request(principal, "sqs:GetQueueAttributes", queue, ACCOUNT)]))
        sessions.append(json.loads(m.session_policy_for(ACCOUNT) or "{}"))
    assert decide_each(batches, sessions) == [["ImplicitlyDenied"]] * 2
    assert decide_each(batches) == [["Allowed"]] * 2


def test_the_component_names_a_workloads_own_problem_at_its_place_in_the_map() -> None:
    from components import SharedRole

    def make(seen: dict[str, Any]) -> Any:
        SharedRole("media", {"workloads": {
            "resizer": member("media", "resizer", s3=[{"bucket": "media-originals", "access": "read"}]),
            "bad": member("media", "Not_A_Name", s3=[{"bucket": "media-out", "access": "write"}]),
        }})  # fmt: skip
        return pulumi.Output.from_input("x")

    records, _, error = run_program(make)
    assert isinstance(error, InvalidArguments), error
    paths = [p.path for p in error.problems]
    assert paths and all(p.startswith("SharedRole(\"media\").workloads['bad'].service_account") for p in paths), paths
    assert not [r for r in records if r["type"].startswith("aws:")]


@pytest.mark.parametrize("roles", [5, 6])
def test_a_fleet_of_shared_roles_is_warned_about_once_not_once_per_role(roles: int) -> None:
    """Up to five shared roles: a warning each (the reviewer finds each); past that one line names how many and the
    first three, at the first one's path (the 10,000-workload benchmark printed 200 lines)."""
    config = copy.deepcopy(shipped())
    first = config["irsa:workloads"][0]
    config["irsa:workloads"] = [
        {**first, "name": f"w{i}", "serviceAccount": f"w{i}", "sharedRole": f"pool{i // 2}", "createNamespace": i == 0}
        for i in range(2 * roles)
    ]
    unpinned = [w for w in parse_settings(config, STACK).warnings if "trust pins only" in w or "pins only" in w]
    if roles <= 5:
        assert len(unpinned) == roles
        assert [w.split("].")[0] for w in unpinned] == [f"irsa:workloads[{2 * r}" for r in range(roles)]
    else:
        [line] = unpinned
        assert line.startswith("irsa:workloads[0].sharedRole: ")
        assert f"each of {roles} shared roles (pool0, pool1, pool2 and {roles - 3} more) pins only" in line


def test_a_fleet_of_shared_roles_past_the_inline_quota_is_warned_about_once() -> None:
    config = copy.deepcopy(shipped())
    first = config["irsa:workloads"][0]
    grants = [{"bucket": f"fleet-bucket-{b}", "prefix": "p/", "access": "read-write"} for b in range(4)]
    config["irsa:workloads"] = [
        {**first, "name": f"w{i}", "serviceAccount": f"w{i}", "sharedRole": f"pool{i // 12}", "createNamespace": i == 0,
         "s3": [{**g, "prefix": f"w{i}/{g['bucket']}/"} for g in grants]}
        for i in range(12 * 6)
    ]  # fmt: skip
    settings = parse_settings(config, STACK)
    _, shared = planned_stack(settings)
    assert len(shared) == 6 and all(r.uses_managed_policies for r in shared)  # each union past 10,240
    [line] = [w for w in settings.warnings if "of inline policies" in w]
    parts = sum(len(r.managed_chunks) for r in shared)
    assert line == (f"irsa:workloads[0].sharedRole: the permissions of 6 shared roles (irsa-{STACK}-pool0, "
                    f"irsa-{STACK}-pool1, irsa-{STACK}-pool2 and 3 more) pass the 10240 of inline policies: {parts} "
                    "customer-managed policies carry them")  # fmt: skip
