"""Who a web-identity trust lets in, as sets (pure): per OIDC provider and audience, the `sub` values it allows.

`allowed(trust)` reads a trust policy by IAM's condition logic — AND across operators and keys within a
statement, OR across one key's values and across statements, negated operators, `...IfExists` and the
`ForAnyValue:`/`ForAllValues:` qualifiers (the `sub` and `aud` of a web-identity request are always present and
single-valued, so on them each of these is its base operator), `StringEquals` literal and `StringLike` a glob,
both case-sensitive, key names not — and returns the set exactly, or raises Inexact saying what it cannot
express as (provider, audience, subjects). Two trusts with equal `allowed` let in the same requests.
`decide` evaluates one request with the core's evaluator (core/iam_eval.py) for the probes that check it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from components.core.aws import PROVIDER_ARN
from components.core.display import quote
from components.core.iam_eval import condition_holds
from components.core.trust import like_regex, string_like
from components.core.wildcards import action_matches

ACTION = "sts:AssumeRoleWithWebIdentity"
STRING_TESTS = {"StringEquals": (False, False), "StringLike": (True, False), "StringNotEquals": (False, True),
                "StringNotLike": (True, True)}  # fmt: skip  # operator: (a glob?, negated?)
QUALIFIERS = ("ForAnyValue", "ForAllValues")


class Inexact(Exception):  # noqa: N818 - a reason, like Unreadable
    """The trust says something (provider, audience, subjects) cannot: `reason` says what."""

    def __init__(self, reason: str, irsa: bool = True):
        super().__init__(reason)
        self.reason = reason
        self.irsa = irsa  # False: no statement is web identity at all (not an IRSA role)


@dataclass(frozen=True)
class Strings:
    """A set of strings: these literals, and whatever matches one of these StringLike patterns."""

    literals: frozenset[str] = frozenset()
    patterns: frozenset[str] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.literals or self.patterns)


def canonical(literals: Iterable[str], patterns: Iterable[str]) -> Strings:
    """One way to write a set: a pattern without `*` or `?` is a literal, a literal a pattern matches is dropped."""
    globs = {p for p in patterns if "*" in p or "?" in p}
    plain = {*literals, *(p for p in patterns if p not in globs)}
    if globs:  # one alternation of every pattern: linear in the literals, not literals x patterns
        any_glob = re.compile("|".join(f"(?:{like_regex(g)})" for g in sorted(globs)), re.DOTALL)
        plain = {x for x in plain if any_glob.fullmatch(x) is None}
    return Strings(frozenset(plain), frozenset(globs))


# provider ARN -> audience -> subjects
Allowed = dict[str, dict[str, Strings]]


@dataclass
class _Tests:
    """The tests of one key within one statement."""

    equal: list[set[str]] = field(default_factory=list)
    like: list[set[str]] = field(default_factory=list)
    not_equal: set[str] = field(default_factory=set)
    not_like: set[str] = field(default_factory=set)
    never: bool = False  # a Null test that fails: the statement matches nothing


def _shown(value: Any) -> str:
    """A value from the trust as a reason shows it: quoted, escaped, at most 120 characters (core/display.py)."""
    return quote(value, 120)


def _values(raw: Any, where: str) -> set[str]:
    values = raw if isinstance(raw, list) else [raw]
    if not all(isinstance(v, (str, bool, int, float)) for v in values):
        raise Inexact(f"{where}: its values are not strings")
    found = {str(v).lower() if isinstance(v, bool) else str(v) for v in values}
    if any("${" in v for v in found):
        raise Inexact(f"{where}: a policy variable (${{...}}), whose value is known only per request")
    return found


def _solve(tests: _Tests, what: str) -> Strings:
    """The values of one key that pass all of its tests."""
    if tests.never:
        return Strings()
    if tests.equal:
        found = set.intersection(*tests.equal)
        kept = {v for v in found if all(any(string_like(p, v) for p in ps) for ps in tests.like)
                and v not in tests.not_equal and not any(string_like(p, v) for p in tests.not_like)}  # fmt: skip
        return Strings(frozenset(kept))
    if not tests.like:
        excluded = " except some" if tests.not_equal or tests.not_like else ""
        raise Inexact(f"it allows any {what}{excluded} (no StringEquals or StringLike pins it)")
    patterns = tests.like[0]
    if any(ps != patterns for ps in tests.like[1:]):
        raise Inexact(f"two StringLike tests of {what} must both hold (an intersection of patterns)")
    for value in sorted(tests.not_equal):
        if any(string_like(p, value) for p in patterns):
            raise Inexact(f"it excludes {what} {_shown(value)} from a pattern (StringNotEquals beside StringLike)")
    for excluded in sorted(tests.not_like):
        if any(overlap(p, excluded) for p in patterns):
            raise Inexact(f"it excludes {what}s matching {_shown(excluded)} from a pattern (StringNotLike)")
    return canonical((), patterns)


def overlap(a: str, b: str) -> bool:
    """Whether some string matches both StringLike patterns (`*` any run, `?` one character)."""
    seen: set[tuple[int, int]] = set()
    todo = [(0, 0)]
    while todo:
        i, j = todo.pop()
        if (i, j) in seen:
            continue
        seen.add((i, j))
        if i == len(a) and j == len(b):
            return True
        if i < len(a) and a[i] == "*":
            todo.append((i + 1, j))  # a's star matches no more
        if j < len(b) and b[j] == "*":
            todo.append((i, j + 1))
        if i < len(a) and j < len(b):  # one character both accept
            x, y = a[i], b[j]
            if x in "*?" or y in "*?" or x == y:
                todo.append((i if x == "*" else i + 1, j if y == "*" else j + 1))
    return False


def _statement(s: Any, n: int) -> tuple[list[str], Strings, Strings] | None:
    """(providers, audiences, subjects) an Allow statement lets in; None for an Allow that names no OIDC provider
    (handled by the caller). Raises Inexact for what it cannot say exactly."""
    where = f"Statement[{n}]"
    if not isinstance(s, Mapping):
        raise Inexact(f"{where} is not a statement")
    if set(s) - {"Sid", "Effect", "Principal", "Action", "Condition"}:
        extra = ", ".join(_shown(k) for k in sorted(map(str, set(s) - {"Sid", "Effect", "Principal", "Action",
                                                                          "Condition"})))  # fmt: skip
        raise Inexact(f"{where} has {extra}")
    principal = s.get("Principal")
    federated = principal.get("Federated") if isinstance(principal, Mapping) else None
    named = federated if isinstance(federated, list) else [federated]
    providers = [p for p in named if isinstance(p, str) and PROVIDER_ARN.fullmatch(p)]
    if not isinstance(principal, Mapping) or set(principal) != {"Federated"} or not named or providers != named:
        return None
    actions = s.get("Action")
    actions = actions if isinstance(actions, list) else [actions]
    if not all(isinstance(a, str) for a in actions) or {a.lower() for a in actions} != {ACTION.lower()}:
        raise Inexact(f"{where} allows actions other than exactly {ACTION}")
    condition = s.get("Condition") or {}
    if not isinstance(condition, Mapping) or not all(isinstance(t, Mapping) for t in condition.values()):
        raise Inexact(f"{where}: its Condition is not a map of operators to maps of keys")
    hosts = {p.split("oidc-provider/", 1)[1].lower() for p in providers}
    if len(hosts) != 1:
        raise Inexact(f"{where} trusts {len(hosts)} OIDC providers in one statement")
    host = hosts.pop()
    keys = {f"{host}:sub": _Tests(), f"{host}:aud": _Tests()}
    for operator, tests in condition.items():
        qualifier, _, op = str(operator).rpartition(":")
        base = op.removesuffix("IfExists")
        if qualifier not in ("", *QUALIFIERS) or (base not in STRING_TESTS and base != "Null"):
            raise Inexact(f"{where}: operator {_shown(operator)} is not one irsa writes (StringEquals, StringLike)")
        for key, raw in tests.items():
            found = keys.get(str(key).lower())
            if found is None:
                raise Inexact(f"{where}: a condition on {_shown(key)}, which irsa's trust cannot carry")
            values = _values(raw, f"{where}.Condition.{_shown(operator)}.{_shown(key)}")
            if base == "Null":  # the key is present in every web-identity request
                found.never |= not condition_holds("Null", key, sorted(values), {key: "present"})
                continue
            like, negated = STRING_TESTS[base]
            if negated:
                (found.not_like if like else found.not_equal).update(values)
            else:
                (found.like if like else found.equal).append(values)
    return providers, _solve(keys[f"{host}:aud"], "audience"), _solve(keys[f"{host}:sub"], "subject")


def allowed(trust: Any) -> Allowed:
    """Per OIDC provider and audience, the subjects this trust lets assume the role with web identity; Inexact
    for anything else it says (another principal, a Deny, a test irsa cannot write)."""
    if not isinstance(trust, Mapping):
        raise Inexact("the trust is not a policy document", irsa=False)
    statements = trust.get("Statement")
    statements = statements if isinstance(statements, list) else [statements]
    found: dict[str, dict[str, tuple[set[str], set[str]]]] = {}
    others: list[str] = []
    for n, s in enumerate(statements):
        effect = s.get("Effect") if isinstance(s, Mapping) else None
        if effect not in ("Allow", "Deny"):
            raise Inexact(f"Statement[{n}]: Effect {_shown(effect)} is neither Allow nor Deny")
        if effect == "Deny":
            raise Inexact(f"Statement[{n}] is a Deny, which irsa's trust does not carry")
        one = _statement(s, n)
        if one is None:
            others.append(f"Statement[{n}]")
            continue
        providers, audiences, subjects = one
        if audiences.patterns:
            raise Inexact(f"Statement[{n}] allows audiences by pattern")
        for provider in providers:
            for audience in audiences.literals:
                literals, patterns = found.setdefault(provider, {}).setdefault(audience, (set(), set()))
                literals |= subjects.literals
                patterns |= subjects.patterns
    if others:
        if not found:
            raise Inexact("no statement is web identity through an IAM OIDC provider", irsa=False)
        raise Inexact(f"{', '.join(others)} trusts another kind of principal, which irsa's trust does not carry")
    sets = {p: {a: canonical(*both) for a, both in by.items()} for p, by in found.items()}
    return {p: {a: s for a, s in by.items() if s} for p, by in sets.items() if any(by.values())}


def decide(trust: Mapping[str, Any], provider: str, context: Mapping[str, str]) -> bool:
    """Whether `provider`'s web-identity request with this context may assume the role (see `decider`)."""
    return decider(trust, provider)(context)


def decider(trust: Mapping[str, Any], provider: str) -> Callable[[Mapping[str, str]], bool]:
    """Decides `provider`'s web-identity requests against this trust: Deny wins, then Allow (the core's condition
    evaluator; key names matched case-insensitively). The statements are read once, for many requests."""
    tests: list[tuple[str, list[tuple[str, str, list[str]]]]] = []  # (effect, [(operator, key, values)])
    statements = trust.get("Statement")
    for s in statements if isinstance(statements, list) else [statements]:
        if not isinstance(s, Mapping):
            continue
        principal = s.get("Principal")
        named = principal.get("Federated") if isinstance(principal, Mapping) else None
        if provider not in (named if isinstance(named, list) else [named]):
            continue
        actions = s.get("Action")
        if not any(isinstance(a, str) and action_matches(a, ACTION) for a in (actions if isinstance(actions, list)
                                                                             else [actions])):  # fmt: skip
            continue
        condition = s.get("Condition") or {}
        tests.append((str(s.get("Effect")), [(op, key.lower(), sorted(_values(raw, key)))
                                             for op, keyed in condition.items() for key, raw in keyed.items()]))

    def allowed_to(context: Mapping[str, str]) -> bool:
        lowered = {k.lower(): v for k, v in context.items()}
        allow = False
        for effect, checks in tests:
            holds = all(condition_holds(op, key, values, lowered) for op, key, values in checks)
            if holds and effect == "Deny":
                return False
            allow = allow or (holds and effect == "Allow")
        return allow

    return allowed_to
