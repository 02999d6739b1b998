"""What a reviewer reads first: one row per workload, every grant in one line (pure)."""

from __future__ import annotations

import json
from typing import Any

from components.core import presets, trust_set
from components.core.documents import as_list, statements_of
from components.core.grant_kinds import registry
from components.core.model import Settings, Workload
from components.core.stack_plan import role_name_of, stack_plans
from components.core.workload_plan import WorkloadPlan


def _key(kms_key: str | None) -> str:
    return f" (key {kms_key})" if kms_key else ""


def grant_lines(settings: Settings, w: Workload) -> list[str]:
    """Every permission the workload's role gets, one line each, in the words of the config."""
    lines = [f"s3 {g.access} {g.bucket}/{g.prefix}*{_key(g.kms_key)}" for g in w.s3]
    lines += registry.summary_lines(w.grants)
    lines += [f"managed {arn}" for arn in w.managed_policy_arns]
    lines += [f"statement {_statement_line(text)}" for text in w.statements]
    for name in w.presets:
        preset = presets.PRESETS[name]
        scope = [*w.hosted_zone_ids, *w.secret_arns, *w.parameter_arns] if preset.needs else []
        if preset.statements is not None:
            lines.append(f"preset {name}" + (f" on {', '.join(scope)}" if scope else ""))
        lines += [f"managed {arn.split(':policy/', 1)[1]}" for arn in preset.managed_arns(settings.partition)]
    lines += [f"assume {arn}" for arn in w.assume_roles]
    return lines


def workload_rows(settings: Settings) -> list[dict[str, Any]]:
    """One row per workload: where it runs, who it is, which role, how, with what, for how long."""
    rows = []
    # The adopted roles' rows compare their recorded documents with the planned ones: the plans, made once.
    adopting = any(w.adopt_role for w in settings.workloads)
    plans = {p.spec.workload.name: p for p in stack_plans(settings)} if adopting else {}
    sharing = settings.sharing
    for w in settings.workloads:
        clusters = settings.clusters_of(w)
        mechanisms = {k.name: settings.mechanism_of(w, k) for k in clusters}
        row: dict[str, Any] = {
            "workload": w.name,
            "clusters": [f"{k.kind} {k.name}" for k in clusters],
            "serviceAccount": f"{w.namespace}/{w.service_account}",
            "role": role_name_of(settings, w),
            "mechanism": mechanisms[clusters[0].name]
            if len(set(mechanisms.values())) == 1
            else ", ".join(f"{m} in {k}" for k, m in mechanisms.items()),
            "grants": grant_lines(settings, w),
            "maxSessionDuration": w.max_session_duration,
        }
        if w.shared_role is not None:  # its grants below are its session policy: role ∩ policy is exactly them
            row["sharedWith"] = [n for n in sharing[w.shared_role] if n != w.name]
        # Guardrails only when set, so stacks without them read (and diff) as before.
        if w.permissions_boundary:
            row["boundary"] = w.permissions_boundary
        if settings.defaults.role_path != "/":
            row["path"] = settings.defaults.role_path
        if w.adopt_role:  # the first up imports it as it is; the trust and grants above apply once adoptRole goes
            row["adopts"] = w.adopt_role
            row["adoptChanges"] = adoption_changes(settings, plans[w.name])
            if w.adopt_inline_document is not None:
                row["adoptPolicyChanges"] = policy_changes(settings, plans[w.name])
        rows.append(row)
    return rows


def row_text(row: dict[str, Any]) -> list[str]:
    """A summary row as text: a header line, then one indented line per grant."""
    extras = "".join(f", {key} {row[key]}" for key in ("boundary", "path") if row.get(key))
    head = (
        f"{row['workload']}: {row['serviceAccount']} on {', '.join(row['clusters'])} → role {row['role']} "
        f"({row['mechanism']}, sessions ≤ {row['maxSessionDuration']} s{extras})"
    )
    lines = [head]
    if "sharedWith" in row:
        others = ", ".join(row["sharedWith"]) or "no other workload yet"
        lines.append(f"    shared role (with {others}): its session policy limits it to exactly these grants")
    lines += [f"    {grant}" for grant in row["grants"] or ["(no permissions)"]]
    if row.get("adopts"):
        lines.append(
            f"    adopts existing role {row['adopts']}: the first `pulumi up` imports it unchanged; then replace"
            f" adoptRole with roleName: {row['adopts']} and the next applies the trust and permissions above to it"
        )
        lines += [f"      trust then: {change}" for change in row.get("adoptChanges") or []]
        lines += [f"      inline policy then: {change}" for change in row.get("adoptPolicyChanges") or []]
    return lines


def trust_terms(document: dict[str, Any]) -> set[str]:
    """A trust policy as the set of what it allows, term by term: who, which action, under which condition."""
    terms: set[str] = set()
    for s in statements_of(document):
        if s.get("Effect") != "Allow":
            continue
        for kind, who in sorted((s.get("Principal") or {}).items()):
            terms |= {f"{kind} {p}" for p in as_list(who)}
        terms |= {f"action {a}" for a in as_list(s.get("Action"))}
        for test, pairs in sorted((s.get("Condition") or {}).items()):
            for key, values in sorted((pairs or {}).items()):
                terms.add(f"{test} {key} = {', '.join(sorted(map(str, as_list(values))))}")
    return terms


def adoption_changes(settings: Settings, plan: WorkloadPlan) -> list[str]:
    """What the adoption's second `up` changes in the adopted role's trust: `+ term` added, `- term` removed;
    why it cannot say, when the live trust or a value of the planned one is unknown offline."""
    w = plan.spec.workload
    if w.adopt_trust is None:
        return ["(its trust as it is now was not recorded: compare `aws iam get-role` with the trust below)"]
    clusters = {c.name: c for c in settings.clusters}
    bound = []
    for placement in plan.spec.where:
        cluster = clusters[placement.cluster_name]
        provider = cluster.oidc_provider_arn or settings.adopted_provider_arn(cluster)
        if placement.web_identity and (provider is None or cluster.issuer_url is None):
            return ["(the planned trust names an OIDC provider known only at deploy)"]
        bound.append((placement, provider or "", cluster.issuer_url or "", ""))
    old, new = json.loads(w.adopt_trust), plan.trust_in(bound)
    try:  # written otherwise, but letting in exactly the same requests: unchanged
        if trust_set.allowed(old) == trust_set.allowed(new):
            return ["unchanged"]
    except trust_set.Inexact:
        pass
    live, planned = trust_terms(old), trust_terms(new)
    return [f"- {t}" for t in sorted(live - planned)] + [f"+ {t}" for t in sorted(planned - live)] or ["unchanged"]


def policy_terms(document: dict[str, Any] | None) -> set[str]:
    """A permissions policy as the set of what it allows: effect, action and resource (and its condition)."""
    terms: set[str] = set()
    for s in statements_of(document):
        actions, resources = s.get("Action") or s.get("NotAction"), s.get("Resource") or s.get("NotResource")
        cond = f" if {json.dumps(s['Condition'], sort_keys=True)}" if s.get("Condition") else ""
        terms |= {f"{s.get('Effect')} {a} on {r}{cond}" for a in as_list(actions) for r in as_list(resources)}
    return terms


def policy_changes(settings: Settings, plan: WorkloadPlan) -> list[str]:
    """What the adoption's second `up` changes in the adopted inline policy (`-` no longer allowed, `+` newly)."""
    if settings.account_id is None:
        return ["(grants given by name resolve in an account known only at deploy)"]
    live = policy_terms(json.loads(plan.spec.workload.adopt_inline_document or "{}"))
    planned = policy_terms(plan.inline_policy_for(settings.account_id))
    return [f"- {t}" for t in sorted(live - planned)] + [f"+ {t}" for t in sorted(planned - live)] or ["unchanged"]


def row_changes(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[str]:
    """What changed in one workload's row, one line per field or grant; empty when nothing did."""
    if before is None and after is None:
        return []
    if before is None:
        return ["added"]
    if after is None:
        return ["removed"]
    changes = []
    for key in ("clusters", "serviceAccount", "role", "mechanism", "maxSessionDuration", "boundary", "path", "adopts",
                "adoptChanges", "adoptPolicyChanges"):  # fmt: skip
        if before.get(key) != after.get(key):
            changes.append(f"{key}: {_plain(before.get(key))} → {_plain(after.get(key))}")
    old, new = before.get("grants", []), after.get("grants", [])
    changes += [f"- {g}" for g in old if g not in new]
    changes += [f"+ {g}" for g in new if g not in old]
    return changes


def _statement_line(text: str) -> str:
    statement = json.loads(text)
    actions = statement.get("Action")
    actions = ", ".join(actions) if isinstance(actions, list) else actions
    resources = statement.get("Resource")
    resources = ", ".join(resources) if isinstance(resources, list) else resources
    sid = f"{statement['Sid']}: " if statement.get("Sid") else ""
    return f"{sid}{statement.get('Effect')} {actions} on {resources}" + (
        " (conditioned)" if statement.get("Condition") else ""
    )


def _plain(value: Any) -> str:
    return ", ".join(map(str, value)) if isinstance(value, list) else str(value)
