"""Per workload, what its documents say it may do and who may assume it, and each change to them as one line."""

from __future__ import annotations

import contextlib
import json
from typing import Any

from components.core import access_delta
from components.core import resource_types as types


def changed_paths(before: Any, after: Any, path: str = "") -> dict[str, dict[str, Any]]:
    """Every leaf that differs, as `path: {before, after}` (a missing value is null)."""
    if isinstance(before, dict) and isinstance(after, dict):
        found: dict[str, dict[str, Any]] = {}
        for key in sorted(before.keys() | after.keys()):
            found.update(changed_paths(before.get(key), after.get(key), f"{path}.{key}" if path else key))
        return found
    if isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        found = {}
        for i, (a, b) in enumerate(zip(before, after, strict=True)):
            found.update(changed_paths(a, b, f"{path}[{i}]"))
        return found
    return {} if before == after else {path: {"before": before, "after": after}}


PRIVILEGE_INPUTS = {  # what a workload's role may do, and who may assume it, as the documents say it
    **types.IAM_DOCUMENTS,
    types.ATTACHMENT: ("managed policy", "policyArn"),
    types.ASSOCIATION: ("association", "targetRoleArn"),
}
MAX_PRIVILEGE_LINES = 12


def privileges(plan: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Per workload: each of its roles' trust and permission documents (parsed), attachments and chained
    targets, keyed by what they are and the resource's name."""
    kinds = {r["urn"]: r for r in plan["resources"] if isinstance(r, dict) and "urn" in r}
    found: dict[str, dict[str, Any]] = {}
    for r in kinds.values():
        what = PRIVILEGE_INPUTS.get(r.get("type", ""))
        if what is None:
            continue
        inputs = r.get("inputs") or {}
        value = _json_or_value(inputs.get(what[1])) if r["type"] in types.IAM_DOCUMENTS else inputs.get(what[1])
        for owner in access_delta.owners(r, kinds):  # a shared role's documents: every workload on it
            found.setdefault(owner, {})[f"{what[0]} ({r['name']})"] = value
            if r["type"] == types.ASSOCIATION and "policy" in inputs:  # on a shared role: its session policy
                found[owner][f"session policy ({r['name']})"] = _json_or_value(inputs["policy"])
    return found


def _json_or_value(value: Any) -> Any:
    """A JSON document's value, else the value as it is."""
    with contextlib.suppress(ValueError, TypeError):
        return json.loads(value)
    return value


def _statements(document: Any) -> dict[str, Any]:
    """A document's statements by Sid (else by position), so one added statement reads as one line."""
    listed = document.get("Statement") if isinstance(document, dict) else None
    listed = listed if isinstance(listed, list) else [listed] if isinstance(listed, dict) else []
    return {
        str(st.get("Sid")) if isinstance(st, dict) and st.get("Sid") else f"Statement[{i}]": st
        for i, st in enumerate(listed)
    }


def privilege_lines(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """Every change in who may assume a workload's role or what it may do, read from the documents: statements
    added or removed, and each changed leaf of a statement (a principal, an action, a condition value)."""
    lines = []
    for label in sorted(before.keys() | after.keys()):
        old, new = before.get(label), after.get(label)
        if isinstance(old, dict) or isinstance(new, dict):
            was, now = _statements(old), _statements(new)
            for sid in [*now, *(s for s in was if s not in now)]:
                if sid not in was:
                    lines.append(f"+ {label} {sid}: {json.dumps(now[sid], sort_keys=True)}")
                elif sid not in now:
                    lines.append(f"- {label} {sid}: {json.dumps(was[sid], sort_keys=True)}")
                else:
                    for path, values in changed_paths(was[sid], now[sid]).items():
                        lines.append(f"~ {label} {sid}.{path}: {json.dumps(values['before'])} → "
                                     f"{json.dumps(values['after'])}")  # fmt: skip
        elif old != new:
            lines.append(f"~ {label}: {json.dumps(old)} → {json.dumps(new)}")
    if len(lines) > MAX_PRIVILEGE_LINES:
        lines = [*lines[:MAX_PRIVILEGE_LINES], f"... and {len(lines) - MAX_PRIVILEGE_LINES} more document changes"]
    return lines
