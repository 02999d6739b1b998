"""`adopt` is exact or it leaves a role alone: the trust irsa writes lets in exactly the (issuer, audience,
subject) requests the role's trust let in — judged by cloud-copilot's IAM simulator (tests/iam_simulate), not
by us — and a role it cannot say exactly is reported and left out.

The trust documents are written from IAM's own documentation of the operators, not from our code:
- "IAM JSON policy elements: Condition operators" (docs.aws.amazon.com/IAM/latest/UserGuide/
  reference_policies_elements_condition_operators.html): StringEquals exact and case-sensitive, StringLike with
  `*` and `?`, the negated forms, `...IfExists` (true when the key is absent, otherwise the base test), Null;
  a key absent from the request fails a positive test and satisfies a negated one.
- "Creating a condition with multiple context keys or values" (reference_policies_condition-logic-multiple-
  context-keys-or-values.html): operators and keys within one statement AND, one key's values OR.
- "Set operators for multivalued context keys" (reference_policies_condition-single-vs-multi-valued-context-
  keys.html): ForAnyValue / ForAllValues over the request's values (one for `sub` and `aud`).
- "IAM JSON policy elements: Condition" (reference_policies_elements_condition.html): key names are not
  case-sensitive; values are, for the case-sensitive operators.
Statements OR (an Allow from any of them suffices) and an explicit Deny wins ("Policy evaluation logic").
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import by_type, plan_of
from hypothesis import Phase, given, settings
from hypothesis import strategies as st
from simulator import Request, decide

from components.cli import go_yaml
from components.cli.main import main
from components.core import adopt, adopt_trust, trust_set
from components.core.model import InvalidInput

ACCOUNT = "123456789012"
HOST = "oidc.eks.eu-west-1.amazonaws.com/id/5C54DDF35E819312844C7333374CC09D"
PROVIDER = f"arn:aws:iam::{ACCOUNT}:oidc-provider/{HOST}"
OTHER_PROVIDER = f"arn:aws:iam::{ACCOUNT}:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/0THER"
SUB, AUD = f"{HOST}:sub", f"{HOST}:aud"
STS = "sts.amazonaws.com"


def sa(namespace: str, name: str) -> str:
    return f"system:serviceaccount:{namespace}:{name}"


def statement(condition: Any, effect: str = "Allow", **extra: Any) -> dict[str, Any]:
    return {"Effect": effect, "Principal": {"Federated": PROVIDER}, "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": condition, **extra}  # fmt: skip


def trust(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


API, WEB, ADMIN = sa("pay", "api"), sa("pay", "web"), sa("pay", "admin")
# name: (trust, the subjects irsa's trust gets, in order, or the reason it is left alone)
CASES: dict[str, tuple[dict[str, Any], list[str] | str]] = {
    "equals, aud pinned": (trust(statement({"StringEquals": {SUB: API, AUD: STS}})), [API]),
    "several values OR": (trust(statement({"StringEquals": {SUB: [API, WEB], AUD: STS}})), [API, WEB]),
    "equals AND like in one statement": (
        trust(statement({"StringEquals": {SUB: API, AUD: STS}, "StringLike": {SUB: sa("pay", "*")}})), [API]),
    "equals AND not-equals": (
        trust(statement({"StringEquals": {SUB: [API, ADMIN], AUD: STS}, "StringNotEquals": {SUB: ADMIN}})), [API]),
    "like beside not-equals excluding inside it": (
        trust(statement({"StringLike": {SUB: sa("pay", "*")}, "StringEquals": {AUD: STS},
                         "StringNotEquals": {SUB: ADMIN}})), "excludes subject"),  # fmt: skip
    "like beside not-like overlapping": (
        trust(statement({"StringEquals": {SUB: API, AUD: STS}}),
              statement({"StringLike": {SUB: sa("team-*", "app")}, "StringEquals": {AUD: STS},
                         "StringNotLike": {SUB: sa("team-a*", "*")}})), "excludes subjects matching"),  # fmt: skip
    "like beside not-like disjoint": (
        trust(statement({"StringEquals": {SUB: API, AUD: STS}}),
              statement({"StringLike": {SUB: sa("team-*", "app")}, "StringEquals": {AUD: STS},
                         "StringNotLike": {SUB: sa("kube-*", "*")}})), [API, sa("team-*", "app")]),  # fmt: skip
    "statements OR": (
        trust(statement({"StringEquals": {SUB: API, AUD: STS}}), statement({"StringEquals": {SUB: WEB, AUD: STS}})),
        [API, WEB]),
    "a literal star under StringEquals": (
        trust(statement({"StringEquals": {SUB: [API, sa("pay", "*")], AUD: STS}})), "a literal '*'"),
    "only aud pinned": (trust(statement({"StringEquals": {AUD: STS}})), "allows any subject"),
    "only sub pinned": (trust(statement({"StringEquals": {SUB: API}})), "allows any audience"),
    "ForAnyValue on a single-valued key": (
        trust(statement({"ForAnyValue:StringEquals": {SUB: API}, "StringEquals": {AUD: STS}})), [API]),
    "ForAllValues:StringLike": (
        trust(statement({"StringEquals": {SUB: [API, WEB], AUD: STS}, "ForAllValues:StringLike": {SUB: "*:api"}})),
        [API]),
    "IfExists on a present key": (trust(statement({"StringEqualsIfExists": {SUB: WEB, AUD: STS}})), [WEB]),
    "StringNotEqualsIfExists": (
        trust(statement({"StringEquals": {SUB: [API, WEB], AUD: STS}, "StringNotEqualsIfExists": {SUB: WEB}})),
        [API]),
    "Null false on sub": (trust(statement({"StringEquals": {SUB: API, AUD: STS}, "Null": {SUB: "false"}})), [API]),
    "key names in another case": (
        trust(statement({"StringEquals": {SUB.upper(): API, AUD.upper(): STS}})), [API]),
    "values compare case-sensitively": (  # the upper-case one is no ServiceAccount: kept, the rules refuse it
        trust(statement({"StringEquals": {SUB: [API, API.upper()], AUD: STS}})), "is not a ServiceAccount subject"),
    "ignore-case operator": (
        trust(statement({"StringEqualsIgnoreCase": {SUB: API}, "StringEquals": {AUD: STS}})), "is not one irsa"),
    "two audiences": (trust(statement({"StringEquals": {SUB: API, AUD: [STS, "other"]}})), "2 audiences"),
    "another audience": (trust(statement({"StringEquals": {SUB: API, AUD: "api-pay"}})), [API]),
    "a Deny": (
        trust(statement({"StringEquals": {SUB: [API, WEB], AUD: STS}}),
              statement({"StringEquals": {SUB: WEB}}, effect="Deny")), "is a Deny"),
    "a condition on another key": (
        trust(statement({"StringEquals": {SUB: API, AUD: STS}, "IpAddress": {"aws:SourceIp": "10.0.0.0/8"}})),
        "is not one irsa"),
    "conditions that exclude everything": (
        trust(statement({"StringEquals": {SUB: API, AUD: STS}, "StringNotEquals": {SUB: API}})), "lets no"),
    "a policy variable": (
        trust(statement({"StringLike": {SUB: "system:serviceaccount:${aws:username}:*"}, "StringEquals": {AUD: STS}})),
        "policy variable"),
    "another action too": (
        trust(statement({"StringEquals": {SUB: API, AUD: STS}},
                        Action=["sts:AssumeRoleWithWebIdentity", "sts:TagSession"])), "actions other than"),
    "a condition written as a list": (trust(statement([{"StringEquals": {SUB: API}}])), "not a map of operators"),
    "two providers": (
        trust(statement({"StringEquals": {SUB: API, AUD: STS}}),
              {**statement({"StringEquals": {f"{OTHER_PROVIDER.split('/', 1)[1]}:sub": API,
                                             f"{OTHER_PROVIDER.split('/', 1)[1]}:aud": STS}}),
               "Principal": {"Federated": OTHER_PROVIDER}}), "2 OIDC providers"),  # fmt: skip
    "a second principal": (
        trust(statement({"StringEquals": {SUB: API, AUD: STS}}),
              {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sts:AssumeRole"}),
        "another kind of principal"),
}


def probes(document: dict[str, Any], audience: str) -> list[tuple[str, str, str]]:
    """(provider, sub, aud) that matter: each value the trust names, wildcard neighbours, another namespace,
    another audience, another provider."""
    named = [v for v in adopt_trust.strings(document) if v.startswith("system:")]
    named += [API, WEB, ADMIN, sa("team-a1", "app"), sa("team-b", "app")]
    subs: list[str] = []
    for v in named:
        subs += [v, v.replace("*", "x").replace("?", "q"), v.replace("*", "").replace("?", "Q"), v + "x",
                 v.replace(":pay:", ":other:"), v.swapcase()]  # fmt: skip
    return [(p, s, a) for p in (PROVIDER, OTHER_PROVIDER) for s in dict.fromkeys(subs)
            for a in dict.fromkeys((audience, STS, "other"))]  # fmt: skip


def simulated(documents: list[dict[str, Any]], requests: list[tuple[str, str, str]]) -> list[list[bool]]:
    role = f"arn:aws:iam::{ACCOUNT}:role/r"
    asked = [Request(p, "sts:AssumeRoleWithWebIdentity", role, ACCOUNT,
                     {f"{p.split('oidc-provider/', 1)[1]}:sub": s, f"{p.split('oidc-provider/', 1)[1]}:aud": a})
             for p, s, a in requests]  # fmt: skip
    return [[d == "Allowed" for d in row] for row in decide([(doc, asked) for doc in documents])]


def _state(documents: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return {"values": {"root_module": {"resources": [
        {"address": f"aws_iam_role.r{i}", "mode": "managed", "type": "aws_iam_role",
         "values": {"name": f"r{i}", "arn": f"arn:aws:iam::{ACCOUNT}:role/r{i}", "path": "/",
                    "assume_role_policy": json.dumps(doc)}}
        for i, doc in enumerate(documents.values())
    ]}}}  # fmt: skip


def _adopt(documents: dict[str, dict[str, Any]], tmp_path: Path,
           capsys: pytest.CaptureFixture[str]) -> tuple[dict[str, Any] | None, str]:  # fmt: skip
    """The stack config `adopt --terraform` prints for a state holding these trusts (None: it refused), and its
    report."""
    path = tmp_path / "state.json"
    path.write_text(json.dumps(_state(documents)))
    code = main(["adopt", "--terraform", str(path), "--cluster", "c", "--region", "eu-west-1"])
    out, err = capsys.readouterr()
    return (go_yaml.load(out)["config"] if code == 0 else None), err


def test_each_operator_form_is_adopted_exactly_or_left_alone(tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    """Per case, a state holding that role and one plain role, through the CLI: an adopted trust decides every
    probe as the old one did (the simulator; core/trust_set.decide agrees with it), and the plan's row says
    "unchanged"; a role left alone is reported with its reason, and the plain role is adopted all the same."""
    plain = trust(statement({"StringEquals": {SUB: sa("other", "plain"), AUD: STS}}))
    pairs = []
    for name, (document, expected) in CASES.items():
        config, err = _adopt({"case": document, "plain": plain}, tmp_path, capsys)
        assert config is not None, (name, err)
        adopted = {w["adoptRole"]["name"]: w for w in config["irsa:workloads"]}
        if isinstance(expected, str):
            assert "r0" not in adopted and "r1" in adopted, name
            [line] = [ln for ln in err.splitlines() if "r0" in ln]
            assert "left alone" in line and expected in line, (name, line)
            continue
        assert "r1" in adopted or "another audience" in name, (name, err)
        w = adopted["r0"]
        assert [sa(w["namespace"], w["serviceAccount"]), *w.get("extraSubjects", [])] == expected, name
        plan = plan_of(config, "adopted")
        assert {row["adopts"]: row for row in plan["summary"]}["r0"]["adoptChanges"] == ["unchanged"], name
        [role] = [r for r in by_type(plan, "aws:iam/role:Role") if r["inputs"]["name"] == "r0"]
        audience = config["irsa:cluster"].get("audience", STS)
        pairs.append((name, document, json.loads(role["inputs"]["assumeRolePolicy"]), audience))
    asked = sorted({r for _, document, _, audience in pairs for r in probes(document, audience)})
    decisions = simulated([d for _, old, new, _ in pairs for d in (old, new)], asked)
    for (name, old, _, _), before, after in zip(pairs, decisions[::2], decisions[1::2], strict=True):
        differ = [r for r, b, a in zip(asked, before, after, strict=True) if b != a]
        assert not differ, f"{name}: the simulator decides {differ[:3]} otherwise after adoption"
        ours = [trust_set.decide(old, p, {f"{p.split('oidc-provider/', 1)[1]}:sub": s,
                                          f"{p.split('oidc-provider/', 1)[1]}:aud": a}) for p, s, a in asked]
        assert ours == before, f"{name}: core/trust_set.decide disagrees with the simulator"
        assert any(before), name  # the probes include who the trust lets in
    assert len(pairs) == sum(not isinstance(e, str) for _, e in CASES.values())


OPERATORS = ["StringEquals", "StringLike", "StringNotEquals", "StringNotLike", "ForAnyValue:StringEquals",
             "ForAllValues:StringLike", "StringEqualsIfExists", "StringNotLikeIfExists"]  # fmt: skip
SUBJECTS = [API, WEB, ADMIN, sa("pay", "*"), sa("pay", "?pi"), sa("team-*", "app"), "*:api"]
sub_tests = st.dictionaries(st.sampled_from(OPERATORS),
                            st.lists(st.sampled_from(SUBJECTS), min_size=1, max_size=3), max_size=3)
aud_tests = st.sampled_from([{"StringEquals": STS}, {"StringEquals": [STS]}, {"ForAnyValue:StringEquals": STS},
                             {"StringEquals": STS, "StringNotEquals": "other"}, {"StringEqualsIfExists": STS},
                             {"StringLike": "sts.*"}, {"StringEquals": [STS, "other"]}, {"StringNotEquals": "other"},
                             {}])  # fmt: skip


def _condition(subs: dict[str, list[str]], auds: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, dict[str, Any]] = {op: {SUB: values} for op, values in subs.items()}
    for op, values in auds.items():
        found.setdefault(op, {})[AUD] = values
    return found


conditions = st.builds(_condition, sub_tests, aud_tests)
trusts = st.lists(conditions, min_size=1, max_size=3).map(lambda cs: trust(*(statement(c) for c in cs)))


@settings(max_examples=20, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate])  # no shrinking:
# the message names the trust, and shrinking 30 trusts through the simulator takes minutes
@given(st.lists(trusts, min_size=30, max_size=30))
def test_generated_trusts_are_adopted_with_equal_decisions_or_refused(documents: list[dict[str, Any]]) -> None:
    """Trusts built from the operators above: whatever adopt takes, the simulator decides every probe of it the
    same before and after (irsa's trust for it as the planner renders it); the rest are refused."""
    pairs = []
    for document in documents:
        report: list[str] = []
        try:  # adopt's own path: the source read, the trust judged, the stack file's rules applied
            config, _ = adopt.from_terraform(_state({"a": document}), "c", "eu-west-1", report)
            config = adopt.checked(config, "adopted", report)
        except InvalidInput:
            assert report and "left alone" in report[-1]  # refused, and said why
            continue
        [role] = by_type(plan_of(config, "adopted"), "aws:iam/role:Role")
        pairs.append((document, json.loads(role["inputs"]["assumeRolePolicy"])))
    if not pairs:
        return
    arn = f"arn:aws:iam::{ACCOUNT}:role/r"
    asked = [[Request(p, "sts:AssumeRoleWithWebIdentity", arn, ACCOUNT, {f"{p.split('oidc-provider/', 1)[1]}:sub": s,
                                                                          f"{p.split('oidc-provider/', 1)[1]}:aud": a})
              for p, s, a in probes(old, STS)] for old, _ in pairs]  # fmt: skip
    decisions = decide([(doc, requests) for (old, new), requests in zip(pairs, asked, strict=True)
                        for doc in (old, new)])  # fmt: skip
    for (old, _), requests, before, after in zip(pairs, asked, decisions[::2], decisions[1::2], strict=True):
        differ = [r.context for r, b, a in zip(requests, before, after, strict=True) if b != a]
        assert not differ, f"{json.dumps(old)}: decided otherwise after adoption for {differ[:3]}"


def test_some_generated_trusts_are_adopted() -> None:
    """The generator above reaches both outcomes (else its test would hold vacuously)."""
    taken = adopt_trust.exact_trust(trust(statement({"StringEquals": {SUB: [API], AUD: [STS]}})))
    assert taken == (PROVIDER, STS, [API])
    with pytest.raises(trust_set.Inexact):
        adopt_trust.exact_trust(trust(statement({"StringLike": {SUB: [sa("pay", "*")]}, "StringEquals": {AUD: STS}})))


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.text(max_size=12), st.one_of(st.text(max_size=20), st.lists(st.text(max_size=12))),
                       max_size=6))  # fmt: skip
def test_what_adopt_writes_reads_back_as_it_meant(values: dict[str, Any]) -> None:
    """Any strings, through the writer adopt uses: PyYAML (YAML 1.1) and the Pulumi CLI's rules (YAML 1.2) read
    back the same strings."""
    text = go_yaml.dump({"config": values})
    assert go_yaml.load(text) == {"config": values}
    assert yaml.safe_load(text) == {"config": values}


def test_an_account_id_in_a_condition_stays_a_string(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`012345678901` unquoted is a number to YAML 1.2; adopt quotes it, and the guard keeps matching."""
    document = trust(statement({"StringEquals": {SUB: API, AUD: STS}}))
    state = _state({"a": document})
    role = state["values"]["root_module"]["resources"][0]
    role["values"]["arn"] = "arn:aws:iam::012345678901:role/r0"
    guard = {"Effect": "Deny", "Action": "s3:*", "Resource": "*",
             "Condition": {"StringNotEquals": {"aws:ResourceAccount": "012345678901"}}}  # fmt: skip
    state["values"]["root_module"]["resources"].append(
        {"address": "aws_iam_role_policy.p", "mode": "managed", "type": "aws_iam_role_policy",
         "values": {"role": "r0", "name": "p", "policy": json.dumps({"Version": "2012-10-17", "Statement": [guard]})}}
    )  # fmt: skip
    path = tmp_path / "state.json"
    path.write_text(json.dumps(state))
    assert main(["adopt", "--terraform", str(path), "--cluster", "c", "--region", "eu-west-1"]) == 0
    out = capsys.readouterr().out
    assert 'irsa:accountId: "012345678901"' in out
    config = go_yaml.load(out)["config"]
    assert config["irsa:accountId"] == "012345678901"
    assert config["irsa:workloads"][0]["statements"] == [guard]


def test_unexpected_shapes_skip_one_role_and_never_stop_the_others(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = trust(statement({"StringEquals": {SUB: API, AUD: STS}}))
    state = _state({"good": good, "star": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"}]}})  # fmt: skip
    resources = state["values"]["root_module"]["resources"]
    resources += [{"address": "aws_iam_role.list", "type": "aws_iam_role", "values": ["not", "a", "map"]},
                  {"address": "aws_iam_role.cond", "type": "aws_iam_role",
                   "values": {"name": "c", "arn": f"arn:aws:iam::{ACCOUNT}:role/c",
                              "assume_role_policy": json.dumps(trust(statement([1, 2])))}},
                  {"address": "aws_iam_role_policy.odd", "type": "aws_iam_role_policy", "values": "odd"}]  # fmt: skip
    path = tmp_path / "state.json"
    path.write_text(json.dumps(state))
    assert main(["adopt", "--terraform", str(path), "--cluster", "c", "--region", "eu-west-1"]) == 0
    out, err = capsys.readouterr()
    assert [w["adoptRole"]["name"] for w in go_yaml.load(out)["config"]["irsa:workloads"]] == ["r0"]
    assert "aws_iam_role.r1: left alone, not an IRSA role" in err
    assert "aws_iam_role.list: left alone: its values is list, not a map" in err
    assert "aws_iam_role.cond: left alone, its trust: Statement[0]: its Condition is not a map" in err
    assert "Traceback" not in err


def test_eksctl_items_of_another_shape_are_skipped_alone(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    listing = [{"metadata": "a string"}, "not a map", {"metadata": {"namespace": "pay", "name": "api"},
                                                       "status": {"roleARN": f"arn:aws:iam::{ACCOUNT}:role/api"}}]
    path = tmp_path / "sa.json"
    path.write_text(json.dumps(listing))
    assert main(["adopt", "--eksctl", str(path), "--oidc-provider-arn", PROVIDER, "--cluster", "c",
                 "--region", "eu-west-1"]) == 0  # fmt: skip
    out, err = capsys.readouterr()
    assert [w["adoptRole"] for w in go_yaml.load(out)["config"]["irsa:workloads"]] == ["api"]
    assert "adopt: [0]: left alone: metadata is str, not a map" in err
    assert "adopt: [1]: left alone: the item is str, not a map" in err


def test_report_lines_cannot_be_forged(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An address with a newline and a terminal escape prints as one quoted line; a long one is cut."""
    forged = 'aws_iam_role.x\nadopt: aws_iam_role.y: adopted exactly\x1b[2J'
    state = _state({"a": trust(statement({"StringEquals": {AUD: STS}}))})
    resources = state["values"]["root_module"]["resources"]
    resources[0]["address"] = forged
    resources.append({**resources[0], "address": "aws_iam_role." + "z" * 5000})
    resources.append({"address": "aws_iam_role.ok", "type": "aws_iam_role",
                      "values": {"name": "ok", "arn": f"arn:aws:iam::{ACCOUNT}:role/ok",
                                 "assume_role_policy": json.dumps(trust(statement({"StringEquals": {SUB: API,
                                                                                                    AUD: STS}})))}})
    path = tmp_path / "state.json"
    path.write_text(json.dumps(state))
    assert main(["adopt", "--terraform", str(path), "--cluster", "c", "--region", "eu-west-1"]) == 0
    err = capsys.readouterr().err
    lines = err.splitlines()
    assert len(lines) == 2, lines  # one finding per line
    assert lines[0].startswith('adopt: "aws_iam_role.x\\nadopt: aws_iam_role.y: adopted exactly\\x1b[2J": left alone')
    assert "\x1b" not in err and max(map(len, lines)) < 400
    assert "(5013 characters)" in lines[1]


def test_a_deeply_nested_source_is_one_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "state.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    assert main(["adopt", "--terraform", str(path), "--cluster", "c", "--region", "eu-west-1"]) == 2
    err = capsys.readouterr().err
    assert "--terraform: nests 100000 levels deep" in err and "Traceback" not in err


def test_a_role_whose_extra_subjects_the_rules_refuse_is_left_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Dropping a subject would narrow the trust: the role is left out instead, and the others adopted."""
    risky = trust(statement({"StringEquals": {SUB: API, AUD: STS}}),
                  statement({"StringLike": {SUB: sa("k*", "*")}, "StringEquals": {AUD: STS}}))  # fmt: skip
    fine = trust(statement({"StringEquals": {SUB: WEB, AUD: STS}}))
    path = tmp_path / "state.json"
    path.write_text(json.dumps(_state({"risky": risky, "fine": fine})))
    assert main(["adopt", "--terraform", str(path), "--cluster", "c", "--region", "eu-west-1"]) == 0
    out, err = capsys.readouterr()
    assert [w["adoptRole"]["name"] for w in go_yaml.load(out)["config"]["irsa:workloads"]] == ["r1"]
    assert "adopt: role r0: left alone, irsa cannot manage it exactly: irsa:workloads[0].extraSubjects[0]" in err


def test_a_stack_file_plan_could_not_read_is_not_written(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                         monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    from components.cli import untrusted

    monkeypatch.setattr(untrusted, "STACK_FILE_MAX_BYTES", 1500)  # the source may be 16 times that
    documents = {f"r{i}": trust(statement({"StringEquals": {SUB: sa("pay", f"app-{i}"), AUD: STS}}))
                 for i in range(6)}  # fmt: skip
    config, err = _adopt(documents, tmp_path, capsys)
    assert config is None and "adopt's output: would be" in err and "over the 1500 a stack file may be" in err
    assert "Traceback" not in err


def test_a_reason_quotes_and_cuts_what_it_takes_from_the_trust(tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    excluded = "system:serviceaccount:pay:" + "x" * 5000 + "\n\x1b[2J"
    risky = trust(statement({"StringLike": {SUB: sa("pay", "*")}, "StringEquals": {AUD: STS},
                             "StringNotEquals": {SUB: excluded}}))  # fmt: skip
    fine = trust(statement({"StringEquals": {SUB: WEB, AUD: STS}}))
    _, err = _adopt({"risky": risky, "fine": fine}, tmp_path, capsys)
    [line] = [ln for ln in err.splitlines() if "r0" in ln]
    assert "excludes subject" in line and f"({len(excluded)} characters)" in line and len(line) < 400
    assert "\x1b" not in err and len(err.splitlines()) == 1
