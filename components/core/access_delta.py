"""Who can now do what (pure): one workload's access before and after a change, decided by the core evaluator.

`probes` builds the requests that can tell the two sides apart — each action of the services either side's
documents name (AWS's list, `aws_actions.py`, matched by their patterns) on each resource either side names and
its neighbours (another key of the bucket, another bucket or resource of the account), with and without the
context a condition asks for; web-identity callers from every subject and audience either trust names. `delta`
evaluates them on both sides and says, in the widest true sentence, what is newly allowed and no longer allowed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from components.core import iam_eval, trust_set
from components.core import resource_types as types
from components.core.aws_actions import ACTIONS, UNSCOPED
from components.core.documents import as_list
from components.core.wildcards import action_matches

PROBE_BUDGET = 50_000  # requests × statements per workload, past which a side is "not evaluated"
OTHER = "irsa-other"  # the name of a neighbour: a resource the documents do not name


@dataclass(frozen=True)
class Access:
    """One workload's access on one side of a diff, as its resources carry it."""

    trusts: tuple[Mapping[str, Any], ...] = ()  # the role's trust policy (one per role)
    permissions: tuple[Mapping[str, Any], ...] = ()  # inline and customer-managed permission documents
    managed: tuple[str, ...] = ()  # policies attached by ARN (their documents are not irsa's)
    associations: tuple[str, ...] = ()  # "cluster: namespace/serviceAccount" of Pod Identity associations
    session: tuple[Mapping[str, Any], ...] = ()  # its associations' session policies (on a shared role)
    shared_role: str | None = None  # the SharedRole it acts as

    def allows(self, request: iam_eval.Request) -> bool:
        """Whether its credentials allow the request: the role's permissions, limited by a session policy."""
        return iam_eval.evaluate_session(self.permissions, self.session, request).allowed


@dataclass
class Delta:
    """What changed in who can assume a workload's role and what it can do; empty lists: no change in access."""

    widened: list[str] = field(default_factory=list)
    narrowed: list[str] = field(default_factory=list)
    not_evaluated: list[str] = field(default_factory=list)

    @property
    def unchanged(self) -> bool:
        return not (self.widened or self.narrowed or self.not_evaluated)

    def to_dict(self) -> dict[str, Any]:
        return {"widened": self.widened, "narrowed": self.narrowed, "notEvaluated": self.not_evaluated}


def _statements(documents: tuple[Mapping[str, Any], ...]) -> list[Mapping[str, Any]]:
    return [s for d in documents for s in as_list(d.get("Statement")) if isinstance(s, Mapping)]


def concrete(pattern: str) -> str:
    """A value the pattern matches: each `*` as `x1`, each `?` as `a`."""
    return pattern.replace("*", "x1").replace("?", "a")


def _neighbours(resource: str) -> list[tuple[str, str]]:
    """(request resource, how a reviewer reads it) for a resource pattern and what is just outside it."""
    if resource == "*":
        return [("*", "every resource (`*`)")]
    found = [(concrete(resource), f"`{resource}`")]
    if resource.startswith("arn:") and ":s3:::" in resource:
        bucket, _, key = resource.split(":::", 1)[1].partition("/")
        head = resource.split(":::", 1)[0]
        if key:
            found.append((f"{head}:::{bucket}/{OTHER}/x1", f"other keys of bucket `{bucket}`"))
        found.append((f"{head}:::{OTHER}-bucket/x1", "objects of another bucket"))
        found.append((f"{head}:::{OTHER}-bucket", "another bucket"))
    elif resource.startswith("arn:") and resource.count(":") >= 5:
        parts = resource.split(":", 5)
        kind, sep, _ = parts[5].partition("/")
        other = f"{kind}{sep}{OTHER}" if sep else OTHER
        found.append((":".join([*parts[:5], other]), f"another {parts[2]} resource of account {parts[4] or '—'}"))
    return found


def _actions(statements: list[Mapping[str, Any]]) -> list[str]:
    """Every action a statement's pattern reaches in AWS's list for its service, and every literal one named."""
    patterns = {a for s in statements for a in as_list(s.get("Action")) if isinstance(a, str)}
    found = {p for p in patterns if "*" not in p and "?" not in p and ":" in p}
    for service in {p.split(":", 1)[0].lower() for p in patterns if ":" in p}:
        for name in ACTIONS.get(service, ()):
            action = f"{service}:{name}"
            if any(action_matches(p, action) for p in patterns):
                found.add(action)
    return sorted(found)


def _contexts(statements: list[Mapping[str, Any]]) -> list[tuple[dict[str, Any], str]]:
    """No context, and each condition's asked-for context (and how a reviewer reads it)."""
    found: list[tuple[dict[str, Any], str]] = [({}, "")]
    for s in statements:
        condition = s.get("Condition")
        if not isinstance(condition, Mapping) or not condition:
            continue
        context: dict[str, Any] = {}
        shown: dict[str, str] = {}
        for operator, tests in condition.items():
            for key, values in (tests or {}).items() if isinstance(tests, Mapping) else []:
                first = str(as_list(values)[0]) if as_list(values) else ""
                context[key] = [concrete(first)] if str(operator).startswith("ForAnyValue:") else concrete(first)
                shown[key] = first
        said = " and ".join(f"{k} = {v}" for k, v in sorted(shown.items()))
        if all(c != context for c, _ in found):
            found.append((context, f" when {said}"))
    return found


def _service_of(resource: str) -> str | None:
    return resource.split(":")[2] if resource.startswith("arn:") and resource.count(":") >= 5 else None


def probes(before: Access, after: Access) -> list[tuple[iam_eval.Request, str, str, str]]:
    """(request, its action, its resource and context as a reviewer reads them) that can tell the permissions
    apart."""
    statements = _statements(before.permissions) + _statements(after.permissions)
    resources: dict[str, str] = {}
    for s in statements:
        for r in as_list(s.get("Resource")):
            if isinstance(r, str):
                for request, label in _neighbours(r):
                    resources.setdefault(request, label)
    found = []
    for action in _actions(statements):
        service = action.split(":", 1)[0].lower()
        for resource, label in resources.items():
            if _service_of(resource) not in (service, None):
                continue
            if resource == "*" and service in ACTIONS and action not in UNSCOPED:
                continue  # a request names its resource: `*` is one only for actions without a resource type
            for context, when in _contexts(statements):
                found.append((iam_eval.Request(action, resource, context), action, label, when))
    return found


def _callers(before: Access, after: Access) -> list[tuple[str, str, dict[str, str], str]]:
    """(provider, principal kind, web-identity context, how a reviewer reads it) named by either trust."""
    found = []
    for s in _statements(before.trusts) + _statements(after.trusts):
        principal = s.get("Principal")
        federated = principal.get("Federated") if isinstance(principal, Mapping) else None
        for provider in [p for p in as_list(federated) if isinstance(p, str)]:
            hosts: dict[str, tuple[set[str], set[str]]] = {}  # issuer host → (subjects, audiences) it names
            for tests in (s.get("Condition") or {}).values():
                for key, values in (tests or {}).items() if isinstance(tests, Mapping) else []:
                    host, _, claim = str(key).rpartition(":")
                    if claim.lower() in ("sub", "aud") and host:
                        hosts.setdefault(host, (set(), set()))[claim.lower() == "aud"].update(map(str, as_list(values)))
            for host, (subs, auds) in hosts.items():
                shown = "" if host.startswith("<unknown") else f", issuer `{host}`"
                for sub in sorted(subs) or ["system:serviceaccount:x1:x1"]:
                    for aud in sorted(auds) or ["sts.amazonaws.com"]:
                        said = sub.removeprefix("system:serviceaccount:").replace(":", "/", 1)
                        who = f"ServiceAccounts `{said}`" if "*" in sub or "?" in sub else f"ServiceAccount `{said}`"
                        context = {f"{host}:sub": concrete(sub), f"{host}:aud": concrete(aud)}
                        found.append((provider, "web", context, f"{who} (audience `{aud}`{shown})"))
    return list({(p, k, tuple(sorted(c.items())), w): (p, k, c, w) for p, k, c, w in found}.values())


def _principals(access: Access) -> set[str]:
    """Non-web-identity principals the trust allows (roles, accounts, services), with an external ID if asked."""
    found = set()
    for s in _statements(access.trusts):
        principal = s.get("Principal")
        if s.get("Effect") != "Allow" or not isinstance(principal, Mapping):
            continue
        external = [str(v) for tests in (s.get("Condition") or {}).values() if isinstance(tests, Mapping)
                    for key, v in tests.items() if key.lower() == "sts:externalid"]  # fmt: skip
        for kind in ("AWS", "Service"):
            for p in as_list(principal.get(kind)):
                found.add(f"`{p}`" + (f" (external ID {', '.join(external)})" if external else ""))
    return found


def delta(before: Access, after: Access) -> Delta:
    """What `after` allows that `before` did not (widened) and the reverse (narrowed), widest first."""
    result = Delta()
    deciders: dict[tuple[str, bool], list[Any]] = {}  # each trust read once per provider, for all its callers
    for provider, _, context, who in _callers(before, after):
        for side, access in ((False, before), (True, after)):
            if (provider, side) not in deciders:
                deciders[(provider, side)] = [trust_set.decider(t, provider) for t in access.trusts]
        was = any(decide(context) for decide in deciders[(provider, False)])
        now = any(decide(context) for decide in deciders[(provider, True)])
        if now and not was:
            result.widened.append(f"{who} can now assume it")
        elif was and not now:
            result.narrowed.append(f"{who} can no longer assume it")
    was_p, now_p = _principals(before), _principals(after)
    result.widened += [f"{p} can now assume it" for p in sorted(now_p - was_p)]
    result.narrowed += [f"{p} can no longer assume it" for p in sorted(was_p - now_p)]
    result.widened += [f"association {a} now gets its credentials" for a in after.associations
                       if a not in before.associations]  # fmt: skip
    result.narrowed += [f"association {a} no longer gets its credentials" for a in before.associations
                        if a not in after.associations]  # fmt: skip
    asked = probes(before, after)
    cost = len(asked) * (len(_statements(before.permissions)) + len(_statements(after.permissions)))
    if cost > PROBE_BUDGET:
        result.not_evaluated.append(f"permissions: {len(asked)} requests to probe, past the budget")
    else:
        gained: dict[str, list[str]] = {}
        lost: dict[str, list[str]] = {}
        plain: dict[tuple[str, str], bool | None] = {}  # (action, resource) → what changed without a context
        for request, action, where, when in asked:
            was, now = before.allows(request), after.allows(request)
            if not when:
                plain[(action, where)] = now if now != was else None
            if now != was and (not when or plain.get((action, where)) != now):  # a context only when it matters
                (gained if now else lost).setdefault(f"{where}{when}", []).append(action)
        result.widened += [_sentence("can now", where, actions) for where, actions in _widest(gained)]
        result.narrowed += [_sentence("can no longer", where, actions) for where, actions in _widest(lost)]
    result.not_evaluated += [f"attaches `{a}`: its document is not irsa's" for a in after.managed
                             if a not in before.managed]  # fmt: skip
    result.not_evaluated += [f"detaches `{a}`: its document is not irsa's" for a in before.managed
                             if a not in after.managed]  # fmt: skip
    return result


def _widest(found: dict[str, list[str]]) -> list[tuple[str, list[str]]]:
    """Neighbours (what the documents do not name) first: they are the widest news."""
    named = re.compile(r"^`")
    return sorted(found.items(), key=lambda item: (bool(named.match(item[0])), item[0]))


def _sentence(verb: str, where: str, actions: list[str]) -> str:
    shown = sorted(set(actions))
    text = ", ".join(f"`{a}`" for a in shown[:8]) + (f" and {len(shown) - 8} more" if len(shown) > 8 else "")
    return f"{verb} {text} on {where}"


WORKLOAD_TYPE, SHARED_TYPE = "irsa:index:WorkloadIdentity", "irsa:index:SharedRole"


def _enclosing(resource: Mapping[str, Any], by_urn: Mapping[str, Mapping[str, Any]], kind: str) -> str | None:
    """The URN of the nearest component of this type a resource is under."""
    parent = resource.get("parent")
    while isinstance(parent, str):
        if parent.rsplit("::", 2)[-2].endswith(kind):
            return parent
        parent = by_urn[parent].get("parent") if parent in by_urn else None
    return None


def owner(resource: Mapping[str, Any], by_urn: Mapping[str, Mapping[str, Any]]) -> str | None:
    """The workload whose WorkloadIdentity a planned resource is under, if any."""
    found = _enclosing(resource, by_urn, WORKLOAD_TYPE)
    return found.rsplit("::", 1)[-1] if found else None


def _members(shared: Mapping[str, Any]) -> list[str]:
    """The workloads a planned SharedRole names (its inputs: they are not its children)."""
    listed = (shared.get("inputs") or {}).get("sharedBy")
    return [str(w) for w in listed] if isinstance(listed, list) else []


def owners(resource: Mapping[str, Any], by_urn: Mapping[str, Mapping[str, Any]]) -> set[str]:
    """Every workload a planned resource is part of: its WorkloadIdentity's, or, for a shared role's own resources
    (the role, its permissions), every workload on that role."""
    own = owner(resource, by_urn)
    if own is not None:
        return {own}
    shared = _enclosing(resource, by_urn, SHARED_TYPE)
    return set(_members(by_urn[shared])) if shared is not None and shared in by_urn else set()


def _document(value: Any) -> Mapping[str, Any] | None:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return None
    return value if isinstance(value, Mapping) else None


def _no_parts() -> dict[str, list[Any]]:
    return {"trusts": [], "permissions": [], "managed": [], "associations": [], "session": []}


def access_by_workload(plan: Mapping[str, Any]) -> dict[str, Access]:
    """Each workload's access as a plan's resources carry it (a plan's `to_dict()` form)."""
    by_urn = {r["urn"]: r for r in plan.get("resources") or [] if isinstance(r, Mapping) and "urn" in r}
    parts: dict[str, dict[str, list[Any]]] = {}
    on_shared = {member: urn for urn, r in by_urn.items() if r.get("type") == SHARED_TYPE for member in _members(r)}
    for r in by_urn.values():
        name = owner(r, by_urn)
        shared = _enclosing(r, by_urn, SHARED_TYPE)
        if name is None and shared is not None:
            name = shared  # the shared role's own resources, added to each of its workloads below
        if name is None:
            continue
        found = parts.setdefault(name, _no_parts())
        inputs = r.get("inputs") or {}
        kind = r.get("type")
        if kind == types.ROLE and (doc := _document(inputs.get("assumeRolePolicy"))) is not None:
            found["trusts"].append(doc)
        elif kind in types.PERMISSION_TYPES and (doc := _document(inputs.get("policy"))) is not None:
            found["permissions"].append(doc)
        elif kind == types.ATTACHMENT and isinstance(inputs.get("policyArn"), str):
            if inputs["policyArn"].startswith("arn:"):  # attached by ARN (irsa's own parts are placeholders here)
                found["managed"].append(inputs["policyArn"])
        elif kind == types.ASSOCIATION:
            found["associations"].append(
                f"`{inputs.get('clusterName')}: {inputs.get('namespace')}/{inputs.get('serviceAccount')}`"
            )
            if (doc := _document(inputs.get("policy"))) is not None:
                found["session"].append(doc)
    for member, shared in on_shared.items():
        role = parts.get(shared, {})
        mine = parts.setdefault(member, _no_parts())
        for key in ("trusts", "permissions", "managed"):
            mine[key] += role.get(key, [])
    return {
        name: Access(tuple(p["trusts"]), tuple(p["permissions"]), tuple(sorted(p["managed"])),
                     tuple(sorted(p["associations"])), tuple(p["session"]),
                     on_shared[name].rsplit("::", 1)[-1] if name in on_shared else None)  # fmt: skip
        for name, p in parts.items()
        if name not in set(on_shared.values())
    }
