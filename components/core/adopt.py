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

from components.core.aws import PROVIDER_ARN, ROLE_ARN
from components.core.documents import as_list, object_actions, statements_of
from components.core.model import InvalidInput, Problem
from components.core.presets import PRESETS

SUBJECT = re.compile(r"system:serviceaccount:([a-z0-9]([-a-z0-9]*[a-z0-9])?):([a-z0-9]([-.a-z0-9]*[a-z0-9])?)")
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


def _web_identity(trust: dict[str, Any]) -> tuple[str, list[str], str | None] | None:
    """(provider ARN, subjects, audience) of a trust that is web identity through one OIDC provider."""
    providers, subjects, audiences = set(), [], set()
    for s in statements_of(trust):
        federated = (s.get("Principal") or {}).get("Federated")
        if s.get("Effect") != "Allow" or not isinstance(federated, str) or not PROVIDER_ARN.fullmatch(federated):
            return None
        providers.add(federated)
        host = federated.split("oidc-provider/", 1)[1]
        for test, pairs in (s.get("Condition") or {}).items():
            for key, value in (pairs or {}).items():
                values = as_list(value)
                if key == f"{host}:sub" and test in ("StringEquals", "StringLike"):
                    subjects += [v for v in values if v not in subjects]
                elif key == f"{host}:aud":
                    audiences.update(values)
    if len(providers) != 1 or not subjects:
        return None
    return providers.pop(), subjects, (audiences.pop() if len(audiences) == 1 else None)


def _workload_name(role: str, taken: set[str]) -> str:
    base = re.sub(r"[^a-z0-9-]+", "-", role.lower()).strip("-") or "workload"
    base = base if base[0].isalpha() else f"w-{base}"
    name, n = base[:40], 2
    while name in taken:
        name, n = f"{base[:37]}-{n}", n + 1
    taken.add(name)
    return name


def from_terraform(state: Mapping[str, Any], cluster: str, region: str) -> tuple[dict[str, Any], list[str]]:
    """The stack config adopting every IRSA role of the state, and the report of what was not mapped."""
    found = list(resources(state))
    by_type: dict[str, list[dict[str, Any]]] = {}
    for r in found:
        by_type.setdefault(str(r.get("type")), []).append(r)
    policies = {  # customer policies of the state, with the module that owns each
        str(v.get("arn")): (_module_of(str(r.get("address", ""))), v)
        for r in by_type.get("aws_iam_policy", [])
        if isinstance(v := r.get("values"), Mapping)
    }
    report: list[str] = []
    workloads: list[dict[str, Any]] = []
    provider: str | None = None
    paths: set[str] = set()
    accounts: set[str] = set()
    taken: set[str] = set()
    for r in by_type.get("aws_iam_role", []):
        values, address = r.get("values") or {}, r.get("address", "aws_iam_role")
        name, arn = values.get("name"), values.get("arn")
        trust = _document(values.get("assume_role_policy"))
        identity = _web_identity(trust) if trust is not None else None
        if not isinstance(name, str) or not isinstance(arn, str) or not ROLE_ARN.fullmatch(arn) or identity is None:
            report.append(f"{address}: not an IRSA role (web identity through one OIDC provider): left alone")
            continue
        federated, subjects, audience = identity
        if provider is not None and federated != provider:
            report.append(f"{address}: trusts another OIDC provider ({federated}) than the first role: left alone")
            continue
        first = SUBJECT.fullmatch(subjects[0])
        if first is None:
            report.append(f"{address}: its first subject {subjects[0]!r} is not one ServiceAccount: left alone")
            continue
        provider = federated
        paths.add(values.get("path") or "/")
        accounts.add(arn.split(":")[4])
        workload: dict[str, Any] = {
            "name": _workload_name(name, taken),
            "namespace": first.group(1),
            "serviceAccount": first.group(3),
            "adoptRole": {"name": name, "trust": trust},  # its trust now: the plan says what adoption changes
            **ALREADY_RUNNING,
        }
        if subjects[1:]:
            workload["extraSubjects"] = subjects[1:]
        if audience != "sts.amazonaws.com":
            report.append(f"{address}: its trust does not pin aud to sts.amazonaws.com: irsa's will (after adoption)")
        managed, statements = [], []
        for attachment in by_type.get("aws_iam_role_policy_attachment", []):
            a = attachment.get("values") or {}
            if a.get("role") != name or not isinstance(a.get("policy_arn"), str):
                continue
            owner, policy = policies.get(a["policy_arn"], ("", None))
            own = policy is not None and owner == _module_of(str(address))
            document = _document(policy.get("policy")) if own and policy is not None else None
            if document is not None:  # the role's own module made it (it goes with the role): into statements
                statements += statements_of(document)
            else:
                managed.append(a["policy_arn"])
        inlines = []
        for inline in by_type.get("aws_iam_role_policy", []):
            i = inline.get("values") or {}
            if i.get("role") == name and (document := _document(i.get("policy"))) is not None:
                statements += statements_of(document)
                inlines.append((str(i.get("name")), document))
        if len(inlines) == 1:  # irsa's inline policy is that one, imported: its statements are among these
            workload["adoptRole"]["inlinePolicy"] = {"name": inlines[0][0], "document": inlines[0][1]}
        elif inlines:
            names = ", ".join(n for n, _ in inlines)
            report.append(f"{address}: inline policies {names}: their statements are irsa's inline policy now; the "
                          "policies themselves stay on the role, unmanaged")  # fmt: skip
        _with_presets(workload, managed)
        grants, statements = s3_grants(statements)
        if grants:
            workload["s3"] = grants
        if statements:
            workload["statements"] = statements
        workloads.append(workload)
    if provider is None:
        raise InvalidInput([Problem("--terraform", "holds no IRSA role",
                                    "state with aws_iam_role resources trusting an IAM OIDC provider")])  # fmt: skip
    return _stack(region, cluster, provider, workloads, paths, accounts, report)


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
                                                                                  "Condition"}]  # fmt: skip
    grants: list[dict[str, str]] = []
    used: list[dict[str, Any]] = []
    for s in plain:
        actions, resources = set(as_list(s.get("Action"))), as_list(s.get("Resource"))
        candidates = [lv for lv in ("read", "write", "read-write", "sync") if set(object_actions(lv)) == actions]
        m = re.fullmatch(r"arn:aws:s3:::([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])/([^*?]*)\*", resources[0]) \
            if candidates and len(resources) == 1 and not s.get("Condition") else None  # fmt: skip
        if m is None:
            continue
        bucket, prefix = m.group(1), m.group(2)
        listing: dict[str, Any] = {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": f"arn:aws:s3:::{bucket}"}
        if prefix:
            listing["Condition"] = {"StringLike": {"s3:prefix": [f"{prefix}*"]}}
        companion = next((x for x in plain if _listing_equal(x, listing)), None)
        # write lists nothing; the others list exactly the prefix (write's actions with a listing are sync)
        level = next((lv for lv in candidates if (lv == "write") == (companion is None)), None)
        if level is None:
            continue
        grants.append({"bucket": bucket, **({"prefix": prefix} if prefix else {}), "access": level})
        used += [s, *([companion] if companion is not None else [])]
    return grants, [s for s in statements if not any(s is u for u in used)]


def _listing_equal(found: dict[str, Any], listing: dict[str, Any]) -> bool:
    """The same ListBucket statement written another way (a one-item list for a string)."""
    def norm(x: Any) -> Any:
        if isinstance(x, dict):
            return {k: norm(v) for k, v in x.items() if k != "Sid"}
        return as_list(x) if isinstance(x, (str, list)) else x

    return bool(norm(found) == norm(listing))


def _module_of(address: str) -> str:
    """`module.a.module.b` of `module.a.module.b.aws_iam_role.this[0]` ("" at the root)."""
    return ".".join(address.split(".")[:-2])




def from_eksctl(
    listing: Any, cluster: str, region: str, provider_arn: str
) -> tuple[dict[str, Any], list[str]]:
    """The stack config adopting every role of `eksctl get iamserviceaccount -o json` (eksctl's
    ClusterIAMServiceAccount: metadata, status.roleARN, attachPolicyARNs, attachPolicy, attachRoleARN,
    wellKnownPolicies), trusted through `provider_arn` as eksctl's trust does (aud and sub pinned)."""
    if not isinstance(listing, list) or not all(isinstance(i, Mapping) for i in listing):
        raise InvalidInput([Problem("--eksctl", "is not `eksctl get iamserviceaccount -o json` output",
                                    "a JSON list of iamserviceaccounts")])  # fmt: skip
    if not PROVIDER_ARN.fullmatch(provider_arn):
        raise InvalidInput([Problem("--oidc-provider-arn", f"{provider_arn!r} is not an IAM OIDC provider ARN",
                                    "the cluster's: aws iam list-open-id-connect-providers")])  # fmt: skip
    report: list[str] = []
    workloads: list[dict[str, Any]] = []
    paths: set[str] = set()
    accounts: set[str] = set()
    taken: set[str] = set()
    for i, item in enumerate(listing):
        meta = item.get("metadata") or {}
        where = f"[{i}] {meta.get('namespace')}/{meta.get('name')}"
        arn = item.get("attachRoleARN") or (item.get("status") or {}).get("roleARN")
        if not isinstance(arn, str) or not ROLE_ARN.fullmatch(arn):
            report.append(f"{where}: no role ARN (status.roleARN or attachRoleARN): left alone")
            continue
        if not isinstance(meta.get("namespace"), str) or not isinstance(meta.get("name"), str):
            report.append(f"{where}: no metadata.namespace and metadata.name: left alone")
            continue
        name = arn.rsplit("/", 1)[1]
        paths.add(arn.split(":role", 1)[1][: -len(name)] or "/")
        accounts.add(arn.split(":")[4])
        workload: dict[str, Any] = {
            "name": _workload_name(meta["name"], taken),  # eksctl's role names are generated: the SA's reads better
            "namespace": meta["namespace"],
            "serviceAccount": meta["name"],
            "adoptRole": name,
            **ALREADY_RUNNING,
        }
        _with_presets(workload, list(item.get("attachPolicyARNs") or []))
        document = _document(item.get("attachPolicy"))
        if document is not None:
            grants, rest = s3_grants(statements_of(document))
            workload.update({"s3": grants} if grants else {}, **({"statements": rest} if rest else {}))
        for policy, on in sorted((item.get("wellKnownPolicies") or {}).items()):
            if on:
                preset = EKSCTL_WELL_KNOWN.get(policy)
                hint = f"; irsa's preset for it is {preset!r}" if preset else ""
                report.append(f"{where}: wellKnownPolicies.{policy} is eksctl's own document: left on the role{hint}")
        workloads.append(workload)
    if not workloads:
        raise InvalidInput([Problem("--eksctl", "holds no iamserviceaccount with a role", "eksctl's output")])
    return _stack(region, cluster, provider_arn, workloads, paths, accounts, report)


def _stack(
    region: str, cluster: str, provider: str, workloads: list[dict[str, Any]], paths: set[str], accounts: set[str],
    report: list[str],
) -> tuple[dict[str, Any], list[str]]:
    """The adopting stack's config: the cluster reusing the provider, the roles' one account and path."""
    config: dict[str, Any] = {
        "aws:region": region,
        "irsa:accountId": accounts.pop() if len(accounts) == 1 else None,
        "irsa:cluster": {"kind": "eks", "name": cluster, "oidcProviderArn": provider,
                         "issuerUrl": "https://" + provider.split("oidc-provider/", 1)[1]},  # fmt: skip
        "irsa:workloads": workloads,
    }
    if len(paths) == 1 and (path := paths.pop()) != "/":
        config["irsa:defaults"] = {"rolePath": path}
    elif len(paths) > 1:
        report.append(f"the roles live under several paths ({', '.join(sorted(paths))}): one stack has one rolePath")
    return {k: v for k, v in config.items() if v is not None}, report


# What a refused value takes out of a workload (the role keeps it, unmanaged), rather than failing the adoption.
DROPPABLE = ("statements", "managedPolicyArns", "extraSubjects", "s3")


def checked(config: dict[str, Any], stack: str) -> tuple[dict[str, Any], list[str]]:
    """The config as the stack file's rules accept it: a grant they refuse is dropped from its workload and
    reported (the role keeps it, unmanaged, until someone moves it); anything else refused is an error."""
    from components.core.config.parse import parse_settings

    report: list[str] = []
    for _ in range(2):
        try:
            parse_settings(config, stack)
            return config, report
        except InvalidInput as error:
            remaining = []
            for problem in error.problems:
                m = re.match(r"irsa:workloads\[(\d+)\]\.(\w+)", problem.path)
                if m is not None and m.group(2) in DROPPABLE:
                    config["irsa:workloads"][int(m.group(1))].pop(m.group(2), None)
                    report.append(f"not adopted, left on the role unmanaged: {problem}")
                else:
                    remaining.append(problem)
            if remaining:
                raise InvalidInput(remaining) from None
    parse_settings(config, stack)
    return config, report
