"""Whether irsa's trust can say exactly what a role's trust says (pure), for `adopt`: the (provider, audience,
subjects) whose trust, as irsa writes it, lets in the same web-identity requests — by the sets of
core/trust_set.py, checked again request by request with the core's evaluator — and how report lines show
values taken from a source.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from components.core import trust_set
from components.core.display import quote
from components.core.documents import trust_policy

SUBJECT = re.compile(r"system:serviceaccount:([a-z0-9]([-a-z0-9]*[a-z0-9])?):([a-z0-9]([-.a-z0-9]*[a-z0-9])?)")
BARE = re.compile(r"[A-Za-z0-9_.:/@+=,\[\]-]{1,120}")  # printed as it is: no space, quote or control character


def shown(value: Any) -> str:
    """A value from the source as a report line shows it: as it is when plainly one word of at most 120
    characters, else quoted and escaped (a newline, a terminal escape, a look-alike) and cut at 120."""
    return value if isinstance(value, str) and BARE.fullmatch(value) else quote(value, 120)


def exact_trust(trust: Any) -> tuple[str, str, list[str]]:
    """(provider ARN, audience, subjects) for which irsa's trust allows exactly what `trust` allows — the same
    (provider, audience, subject) requests, decided by IAM's condition logic (core/trust_set.py); Inexact saying
    why there are none. The subjects keep the order the trust first names them in; the first is a ServiceAccount."""
    found = trust_set.allowed(trust)
    if not found:
        raise trust_set.Inexact("it lets no web-identity request in (its conditions exclude every subject)")
    if len(found) != 1:
        raise trust_set.Inexact(f"it trusts {len(found)} OIDC providers; an adopting stack has one cluster")
    provider, by_audience = next(iter(found.items()))
    if len(by_audience) != 1:
        audiences = ", ".join(map(shown, sorted(by_audience)))
        raise trust_set.Inexact(f"it trusts {len(by_audience)} audiences ({audiences}); irsa pins one")
    audience, subjects = next(iter(by_audience.items()))
    literal_globs = sorted(x for x in subjects.literals if "*" in x or "?" in x)
    if literal_globs:
        raise trust_set.Inexact(f"StringEquals names {shown(literal_globs[0])}, a literal '*' or '?' that irsa's "
                                "trust would write as a pattern")  # fmt: skip
    order = {v: i for i, v in reversed(list(enumerate(strings(trust))))}
    ordered = sorted([*subjects.literals, *subjects.patterns], key=lambda v: (order.get(v, len(order)), v))
    main = next((v for v in ordered if SUBJECT.fullmatch(v)), None)
    if main is None:
        raise trust_set.Inexact("no subject it allows is one ServiceAccount (irsa's workload names one)")
    chosen = [main, *(v for v in ordered if v != main)]
    rendered = trust_policy(provider, provider.split("oidc-provider/", 1)[1], chosen, audience)
    if trust_set.allowed(rendered) != found or not _probes_agree(trust, rendered, provider, audience, chosen):
        raise trust_set.Inexact("irsa's trust for it would decide some request otherwise")
    return provider, audience, chosen


def strings(value: Any) -> Iterator[str]:
    """Every string in a JSON value, in document order (iteratively: no recursion limit)."""
    todo = [value]
    while todo:
        item = todo.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, Mapping):
            todo.extend(reversed([*item.keys(), *item.values()]))
        elif isinstance(item, list):
            todo.extend(reversed(item))


PROBE_BUDGET = 100_000  # statements x requests per role: the probes are a spot check of the set comparison
# above, which decides; a trust of thousands of statements gets fewer probes, so adopt stays linear in its size


def _probes_agree(old: Any, new: dict[str, Any], provider: str, audience: str, subjects: list[str]) -> bool:
    """The core's evaluator decides the same for both documents on each subject, its neighbours, the values the
    old one names (excluded ones too), another namespace, another audience and another provider — as many of
    these requests as PROBE_BUDGET allows, the first subjects first."""
    host = provider.split("oidc-provider/", 1)[1]
    statements = old.get("Statement") if isinstance(old, Mapping) else None
    size = len(statements) if isinstance(statements, list) else 1
    most = max(24, PROBE_BUDGET // (size + 1))  # requests: at least those of the first subject
    subs: dict[str, None] = {}
    for v in (*subjects, *(v for v in strings(old) if v.startswith("system:"))):
        head, _, account = v.rpartition(":")
        for probe in (v, v.replace("*", "").replace("?", "q"), v.replace("*", "zz-z").replace("?", "q"), v + "x",
                      v[:-1], f"{head.rpartition(':')[0]}:another-ns:{account}"):  # fmt: skip
            subs[probe] = None
        if len(subs) * 6 >= most:  # x 3 audiences x 2 providers
            break
    audiences = [audience, audience + "x", "another.example.com"]
    for other in (provider, provider + "x"):
        before, after = trust_set.decider(old, other), trust_set.decider(new, other)
        for aud in audiences:
            for sub in subs:
                context = {f"{host}:sub": sub, f"{host}:aud": aud}
                if before(context) != after(context):
                    return False
    return True
