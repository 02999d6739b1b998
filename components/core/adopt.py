"""Adopting what Terraform left behind (pure): `terraform show -json` state holding IRSA roles (as
terraform-aws-modules' `iam-role-for-service-accounts` makes them) → a stack file that adopts each role, and a
report of what could not be mapped.

Only what the state says is used; nothing is guessed. A role is taken when its trust is web identity through
one IAM OIDC provider and pins a literal `system:serviceaccount:<namespace>:<name>` subject. Its attached AWS
managed policies become `managedPolicyArns`; the documents of the customer policies and inline policies it
carries become raw `statements` (checked by the stack file's rules like any others). Whatever the stack file's
rules refuse is reported and left on the role, unmanaged.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

from components.core import trust_set
from components.core.adopt_trust import SUBJECT, exact_trust, shown
from components.core.aws import PROVIDER_ARN, ROLE_ARN
from components.core.documents import as_list, object_actions, statements_of
from components.core.model import DEFAULT_AUDIENCE, InvalidInput, Problem
from components.core.presets import PRESETS

SOURCE = "terraform show -json"
# An adopted workload runs already: its ServiceAccount exists (a chart, kubectl or eksctl made it, and its role-arn
# annotation names the adopted role, whose name stays), and a verification Job is one `sampleJob: true` away.
ALREADY_RUNNING = {"createServiceAccount": False, "sampleJob": False}
# eksctl's wellKnownPolicies and the irsa preset for the same add-on (eksctl's own document stays on the role).
EKSCTL_WELL_KNOWN = {
    "autoScaler": "cluster-autoscaler", "awsLoadBalancerController": "aws-load-balancer-controller",
    "externalDNS": "external-dns", "certManager": "cert-manager", "ebsCSIController": "ebs-csi",
    "efsCSIController": "efs-csi",
}  # fmt: skip


def resources(state: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """Every managed resource of a `terraform show -json` document, child modules included."""
    def walk(module: Any) -> Iterator[dict[str, Any]]:
        if not isinstance(module, Mapping):
            return
        for resource in module.get("resources") or []:
            if isinstance(resource, Mapping) and resource.get("mode", "managed") == "managed":
                yield dict(resource)
        for child in module.get("child_modules") or []:
            yield from walk(child)

    values = state.get("values") if isinstance(state, Mapping) else None
    if not isinstance(values, Mapping) or not isinstance(values.get("root_module"), Mapping):
        raise InvalidInput([Problem("--terraform", "is not `terraform show -json` output",
                                    "a JSON document with values.root_module (terraform show -json)")])  # fmt: skip
    yield from walk(values["root_module"])


def _document(text: Any) -> dict[str, Any] | None:
    if isinstance(text, Mapping):
        return dict(text)
    try:
        found = json.loads(text) if isinstance(text, str) else None
    except ValueError:
        return None
    return found if isinstance(found, dict) else None


def _workload_name(role: str, taken: set[str]) -> str:
    base = re.sub(r"[^a-z0-9-]+", "-", role.lower()).strip("-") or "workload"
    base = base if base[0].isalpha() else f"w-{base}"
    name, n = base[:40], 2
    while name in taken:
        name, n = f"{base[:37]}-{n}", n + 1
    taken.add(name)
    return name


class Skip(Exception):  # noqa: N818 - a reason
    """One role adopt leaves alone, and why (one report line)."""


def _map(value: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise Skip(f"{what} is {type(value).__name__}, not a map")
    return value


def from_terraform(
    state: Mapping[str, Any], cluster: str, region: str, report: list[str] | None = None
) -> tuple[dict[str, Any], list[str]]:
    """The stack config adopting every IRSA role of the state whose trust irsa can write exactly, and the report:
    each role left alone and why, each policy not mapped (added to `report` as found, so an error after them
    keeps them). Linear in the size of the state."""
    report = [] if report is None else report
    by_type: dict[str, list[dict[str, Any]]] = {}
    for r in resources(state):
        by_type.setdefault(str(r.get("type")), []).append(r)
    policies = {  # customer policies of the state, with the module that owns each
        str(v.get("arn")): (_module_of(str(r.get("address", ""))), v)
        for r in by_type.get("aws_iam_policy", [])
        if isinstance(v := r.get("values"), Mapping)
    }
    attached: dict[str, list[str]] = {}  # role name -> policy ARNs, in the state's order
    for a in by_type.get("aws_iam_role_policy_attachment", []):
        v = a.get("values")
        if isinstance(v, Mapping) and isinstance(v.get("role"), str) and isinstance(v.get("policy_arn"), str):
            attached.setdefault(v["role"], []).append(v["policy_arn"])
    inline: dict[str, list[tuple[str, dict[str, Any]]]] = {}  # role name -> (policy name, document)
    for i in by_type.get("aws_iam_role_policy", []):
        v = i.get("values")
        if isinstance(v, Mapping) and isinstance(v.get("role"), str) and (doc := _document(v.get("policy"))):
            inline.setdefault(v["role"], []).append((str(v.get("name")), doc))
    workloads: list[dict[str, Any]] = []
    first: dict[str, str] = {}  # the provider and audience of the first role adopted: one cluster per stack
    paths: set[str] = set()
    accounts: set[str] = set()
    taken: set[str] = set()
    for r in by_type.get("aws_iam_role", []):
        address = shown(r.get("address", "aws_iam_role"))
        try:
            workload = _terraform_role(r, first, policies, attached, inline, report, taken)
        except trust_set.Inexact as why:
            kind = "its trust" if why.irsa else "not an IRSA role"
            report.append(f"{address}: left alone, {kind}: {why.reason}")
            continue
        except Skip as why:
            report.append(f"{address}: left alone: {why}")
            continue
        arn = workload.pop("_arn")
        paths.add(workload.pop("_path"))
        accounts.add(arn.split(":")[4])
        workloads.append(workload)
    if not workloads:
        raise InvalidInput([Problem("--terraform", "holds no IRSA role adopt can take exactly",
                                    "state with aws_iam_role resources trusting an IAM OIDC provider"
                                    + (f"; {len(report)} left alone, see above" if report else ""))])  # fmt: skip
    return _stack(region, cluster, first["provider"], workloads, paths, accounts, report, first["audience"])


def _terraform_role(
    r: Mapping[str, Any], first: dict[str, str], policies: Mapping[str, tuple[str, Any]],
    attached: Mapping[str, list[str]], inline: Mapping[str, list[tuple[str, dict[str, Any]]]], report: list[str],
    taken: set[str],
) -> dict[str, Any]:  # fmt: skip
    """One role of the state as a workload adopting it (with `_arn` and `_path` for the stack); Skip or Inexact."""
    address = shown(r.get("address", "aws_iam_role"))
    values = _map(r.get("values"), "its values")
    name, arn = values.get("name"), values.get("arn")
    if not isinstance(name, str) or not isinstance(arn, str) or not ROLE_ARN.fullmatch(arn):
        raise Skip("no role name and ARN in its values")
    trust = _document(values.get("assume_role_policy"))
    if trust is None:
        raise Skip("its assume_role_policy is not a JSON policy document")
    provider, audience, subjects = exact_trust(trust)
    if first and provider != first["provider"]:
        raise Skip(f"it trusts another OIDC provider ({shown(provider)}) than the first role adopted")
    if first and audience != first["audience"]:
        raise Skip(f"it trusts audience {shown(audience)}, the first role adopted {shown(first['audience'])}; "
                   "one cluster pins one")  # fmt: skip
    first.update(provider=provider, audience=audience)
    main = SUBJECT.fullmatch(subjects[0])
    assert main is not None  # exact_trust puts a ServiceAccount first
    workload: dict[str, Any] = {
        "name": _workload_name(name, taken),
        "namespace": main.group(1),
        "serviceAccount": main.group(3),
        "adoptRole": {"name": name, "trust": trust},  # its trust now: the plan says what adoption changes
        **ALREADY_RUNNING,
        "_arn": arn,
        "_path": values.get("path") if isinstance(values.get("path"), str) else "/",
    }
    if subjects[1:]:
        workload["extraSubjects"] = subjects[1:]
    managed, statements = [], []
    for policy_arn in attached.get(name, []):
        owner, policy = policies.get(policy_arn, ("", None))
        own = policy is not None and owner == _module_of(str(r.get("address", "")))
        document = _document(policy.get("policy")) if own and policy is not None else None
        if document is not None:  # the role's own module made it (it goes with the role): into statements
            statements += statements_of(document)
        else:
            managed.append(policy_arn)
    inlines = inline.get(name, [])
    for _, document in inlines:
        statements += statements_of(document)
    if len(inlines) == 1:  # irsa's inline policy is that one, imported: its statements are among these
        workload["adoptRole"]["inlinePolicy"] = {"name": inlines[0][0], "document": inlines[0][1]}
    elif inlines:
        names = ", ".join(shown(n) for n, _ in inlines)
        report.append(f"{address}: inline policies {names}: their statements are irsa's inline policy now; the "
                      "policies themselves stay on the role, unmanaged")  # fmt: skip
    _with_presets(workload, managed)
    grants, statements = s3_grants(statements)
    if grants:
        workload["s3"] = grants
    if statements:
        workload["statements"] = statements
    return workload


def _with_presets(workload: dict[str, Any], arns: list[str]) -> None:
    """Attached ARNs onto the workload: an AWS managed policy that is exactly one of irsa's presets (ebs-csi,
    efs-csi, vpc-cni attach nothing else) becomes that preset; any other stays attached by ARN."""
    presets: list[str] = []
    managed: list[str] = []
    for arn in arns:
        partition = arn.split(":")[1] if arn.count(":") >= 5 else "aws"
        found = [name for name, p in PRESETS.items() if p.managed_arns(partition) == [arn] and not p.statements]
        (presets if found else managed).append(found[0] if found else arn)
    if presets:
        workload["presets"] = presets
    if managed:
        workload["managedPolicyArns"] = managed


def s3_grants(statements: list[dict[str, Any]]) -> tuple[list[dict[str, str]], list[dict[str, Any]]]:
    """Statements that are exactly what irsa renders for an S3 grant (object actions of one access level on
    `bucket/prefix*`, and, but for write, ListBucket on the bucket limited to the prefix) as typed `s3` grants;
    the rest as they were. Nothing near it is taken: a grant must allow exactly what the statements did."""
    plain = [s for s in statements if s.get("Effect") == "Allow" and set(s) <= {"Sid", "Effect", "Action", "Resource",
                                                                                  "Condition"}
             and all(_strings_only(s.get(k)) for k in ("Action", "Resource"))]  # fmt: skip
    listings: dict[str, dict[str, Any]] = {}  # each ListBucket statement by what it says: found in one look
    for x in plain:
        listings.setdefault(_said(x), x)
    grants: list[dict[str, str]] = []
    used: set[int] = set()
    for s in plain:
        actions, resources = set(as_list(s.get("Action"))), as_list(s.get("Resource"))
        candidates = [lv for lv in ("read", "write", "read-write", "sync") if set(object_actions(lv)) == actions]
        m = re.fullmatch(r"arn:aws:s3:::([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])/([^*?]*)\*", resources[0]) \
            if candidates and len(resources) == 1 and not s.get("Condition") else None  # fmt: skip
        if m is None or id(s) in used:
            continue
        bucket, prefix = m.group(1), m.group(2)
        listing: dict[str, Any] = {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": f"arn:aws:s3:::{bucket}"}
        if prefix:
            listing["Condition"] = {"StringLike": {"s3:prefix": [f"{prefix}*"]}}
        companion = listings.get(_said(listing))
        companion = companion if companion is not None and id(companion) not in used else None
        # write lists nothing; the others list exactly the prefix (write's actions with a listing are sync)
        level = next((lv for lv in candidates if (lv == "write") == (companion is None)), None)
        if level is None:
            continue
        grants.append({"bucket": bucket, **({"prefix": prefix} if prefix else {}), "access": level})
        used |= {id(s), *([id(companion)] if companion is not None else [])}
    return grants, [s for s in statements if id(s) not in used]


def _strings_only(value: Any) -> bool:
    return isinstance(value, str) or (isinstance(value, list) and all(isinstance(v, str) for v in value))


def _said(statement: dict[str, Any]) -> str:
    """What a statement says, however it is written (a one-item list for a string, any Sid)."""
    def norm(x: Any) -> Any:
        if isinstance(x, dict):
            return {k: norm(v) for k, v in x.items() if k != "Sid"}
        return as_list(x) if isinstance(x, (str, list)) else x

    return json.dumps(norm(statement), sort_keys=True)


def _module_of(address: str) -> str:
    """`module.a.module.b` of `module.a.module.b.aws_iam_role.this[0]` ("" at the root)."""
    return ".".join(address.split(".")[:-2])


def from_eksctl(
    listing: Any, cluster: str, region: str, provider_arn: str, report: list[str] | None = None
) -> tuple[dict[str, Any], list[str]]:
    """The stack config adopting every role of `eksctl get iamserviceaccount -o json` (eksctl's
    ClusterIAMServiceAccount: metadata, status.roleARN, attachPolicyARNs, attachPolicy, attachRoleARN,
    wellKnownPolicies), trusted through `provider_arn` as eksctl's trust does (aud and sub pinned)."""
    if not isinstance(listing, list):
        raise InvalidInput([Problem("--eksctl", "is not `eksctl get iamserviceaccount -o json` output",
                                    "a JSON list of iamserviceaccounts")])  # fmt: skip
    if not PROVIDER_ARN.fullmatch(provider_arn):
        raise InvalidInput([Problem("--oidc-provider-arn", f"{shown(provider_arn)} is not an IAM OIDC provider ARN",
                                    "the cluster's: aws iam list-open-id-connect-providers")])  # fmt: skip
    report = [] if report is None else report
    workloads: list[dict[str, Any]] = []
    paths: set[str] = set()
    accounts: set[str] = set()
    taken: set[str] = set()
    for i, item in enumerate(listing):
        try:
            workload, arn = _eksctl_item(item, f"[{i}]", report, taken)
        except Skip as why:
            report.append(f"[{i}]: left alone: {why}")
            continue
        name = arn.rsplit("/", 1)[1]
        paths.add(arn.split(":role", 1)[1][: -len(name)] or "/")
        accounts.add(arn.split(":")[4])
        workloads.append(workload)
    if not workloads:
        raise InvalidInput([Problem("--eksctl", "holds no iamserviceaccount with a role", "eksctl's output")])
    return _stack(region, cluster, provider_arn, workloads, paths, accounts, report)


def _eksctl_item(item: Any, where: str, report: list[str], taken: set[str]) -> tuple[dict[str, Any], str]:
    """One iamserviceaccount as a workload adopting its role, and the role's ARN; Skip saying why not."""
    item = _map(item, "the item")
    meta = _map(item.get("metadata") or {}, "metadata")
    namespace, account = meta.get("namespace"), meta.get("name")
    if not isinstance(namespace, str) or not isinstance(account, str):
        raise Skip("no metadata.namespace and metadata.name")
    status = _map(item.get("status") or {}, "status")
    arn = item.get("attachRoleARN") or status.get("roleARN")
    if not isinstance(arn, str) or not ROLE_ARN.fullmatch(arn):
        raise Skip(f"{shown(f'{namespace}/{account}')} has no role ARN (status.roleARN or attachRoleARN)")
    attach = item.get("attachPolicyARNs") or []
    if not isinstance(attach, list) or not all(isinstance(a, str) for a in attach):
        raise Skip("attachPolicyARNs is not a list of ARNs")
    well_known = _map(item.get("wellKnownPolicies") or {}, "wellKnownPolicies")
    workload: dict[str, Any] = {
        "name": _workload_name(account, taken),  # eksctl's role names are generated: the SA's reads better
        "namespace": namespace,
        "serviceAccount": account,
        "adoptRole": arn.rsplit("/", 1)[1],
        **ALREADY_RUNNING,
    }
    _with_presets(workload, list(attach))
    document = _document(item.get("attachPolicy"))
    if document is not None:
        grants, rest = s3_grants(statements_of(document))
        workload.update({"s3": grants} if grants else {}, **({"statements": rest} if rest else {}))
    for policy, on in sorted(well_known.items()):
        if on:
            preset = EKSCTL_WELL_KNOWN.get(policy)
            hint = f"; irsa's preset for it is {preset!r}" if preset else ""
            report.append(f"{where} {shown(f'{namespace}/{account}')}: wellKnownPolicies.{shown(policy)} is "
                          f"eksctl's own document: left on the role{hint}")  # fmt: skip
    return workload, arn


def _stack(
    region: str, cluster: str, provider: str, workloads: list[dict[str, Any]], paths: set[str], accounts: set[str],
    report: list[str], audience: str = DEFAULT_AUDIENCE,
) -> tuple[dict[str, Any], list[str]]:
    """The adopting stack's config: the cluster reusing the provider (pinning the roles' audience), the roles' one
    account and path."""
    config: dict[str, Any] = {
        "aws:region": region,
        "irsa:accountId": accounts.pop() if len(accounts) == 1 else None,
        "irsa:cluster": {"kind": "eks", "name": cluster, "oidcProviderArn": provider,
                         "issuerUrl": "https://" + provider.split("oidc-provider/", 1)[1],
                         **({"audience": audience} if audience != DEFAULT_AUDIENCE else {})},  # fmt: skip
        "irsa:workloads": workloads,
    }
    if len(paths) == 1 and (path := paths.pop()) != "/":
        config["irsa:defaults"] = {"rolePath": path}
    elif len(paths) > 1:
        report.append(f"the roles live under several paths ({', '.join(map(shown, sorted(paths)))}): one stack has "
                      "one rolePath")  # fmt: skip
    return {k: v for k, v in config.items() if v is not None}, report


# What a refused value takes out of a workload (the role keeps it, unmanaged), rather than failing the adoption.
# Never the trust's subjects: without them irsa's trust would let fewer in, so such a role is left alone instead.
DROPPABLE = ("statements", "managedPolicyArns", "s3")
WORKLOAD_PATH = re.compile(r"irsa:workloads\[(\d+)\](?:\.(\w+))?")


def checked(config: dict[str, Any], stack: str, report: list[str]) -> dict[str, Any]:
    """The config as the stack file's rules accept it. A grant they refuse is dropped from its workload and
    reported (the role keeps it, unmanaged) — unless the workload imports the inline policy it came from (the
    second `up` would narrow it), when the role is left alone like one the rules refuse anything else of.
    What they refuse outside the workloads is an error. Each finding is added to `report`."""
    from components.core.settings import parse_settings

    workloads = config["irsa:workloads"]
    for _ in range(len(workloads) + 2):
        try:
            parse_settings(config, stack)
            return config
        except InvalidInput as error:
            outside = [p for p in error.problems if WORKLOAD_PATH.match(p.path) is None]
            if outside:
                raise InvalidInput(outside) from None
            gone: set[int] = set()
            for problem in error.problems:
                m = WORKLOAD_PATH.match(problem.path)
                assert m is not None
                i, key = int(m.group(1)), m.group(2)
                workload = workloads[i]
                adopt_role = workload.get("adoptRole")
                imports_inline = isinstance(adopt_role, dict) and "inlinePolicy" in adopt_role
                if key in DROPPABLE and not (imports_inline and key != "managedPolicyArns"):
                    workload.pop(key, None)
                    report.append(f"not adopted, left on the role unmanaged: {problem}")
                elif i not in gone:
                    gone.add(i)
                    role = adopt_role.get("name") if isinstance(adopt_role, dict) else adopt_role
                    report.append(f"role {shown(role)}: left alone, irsa cannot manage it exactly: {problem}")
            workloads[:] = [w for i, w in enumerate(workloads) if i not in gone]
            if not workloads:
                raise InvalidInput([Problem("irsa:workloads", "no role adopt found can be managed exactly",
                                            "see the roles left alone above")]) from None  # fmt: skip
    parse_settings(config, stack)
    return config
