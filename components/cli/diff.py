"""Plan diff: the base revision's plan (run with the base's own code) against the working tree's."""

from __future__ import annotations

import contextlib
import difflib
import json
from dataclasses import dataclass, field
from typing import Any

from components.cli import render
from components.cli.diff_privileges import changed_paths, privilege_lines, privileges
from components.core import access_delta, replacement, summary

DOCUMENT_INPUTS = render.IAM_DOCUMENT_INPUTS


@dataclass
class Change:
    """One resource that differs: a unified diff per section, and every changed input path, old → new."""

    urn: str
    type: str
    name: str
    diffs: dict[str, str] = field(default_factory=dict)
    paths: dict[str, dict[str, Any]] = field(default_factory=dict)
    attributes: dict[str, dict[str, Any]] = field(default_factory=dict)
    replaces: list[str] = field(default_factory=list)  # what makes the provider replace it (empty: an update)
    delete_first: bool = False  # the replacement deletes the old one first (replacement.deletes_first)
    gap: str = ""  # then: what is missing in between, for whom (replacement.gap)

    @property
    def meaning(self) -> str:
        if self.replaces == ["provider"]:
            return replacement.PROVIDER_MEANING
        return replacement.meaning(self.type)


@dataclass
class WorkloadChange:
    """A workload's summary row before and after, and what changed in it, line by line."""

    workload: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    changes: list[str]


@dataclass
class PlanDiff:
    stack: str
    base: str
    added: list[dict[str, Any]] = field(default_factory=list)
    removed: list[dict[str, Any]] = field(default_factory=list)
    changed: list[Change] = field(default_factory=list)
    outputs: str = ""
    output_paths: dict[str, dict[str, Any]] = field(default_factory=dict)
    workloads: list[WorkloadChange] = field(default_factory=list)
    base_has_summary: bool = True
    unmodeled: list[str] = field(default_factory=list)  # stack-file keys this diff cannot show that changed
    moved: list[str] = field(default_factory=list)  # a removed and an added resource that are one object
    imports: dict[str, str] = field(default_factory=dict)  # added resources `up` imports (adopts): URN → ID
    access: dict[str, access_delta.Delta] = field(default_factory=dict)  # per changed workload: who can now do what

    @property
    def replaced(self) -> list[Change]:
        return [c for c in self.changed if c.replaces]

    @property
    def updated(self) -> list[Change]:
        return [c for c in self.changed if not c.replaces]

    @property
    def counts(self) -> str:
        return (f"{len(self.added)} to add, {len(self.removed)} to remove, {len(self.updated)} to change, "
                f"{len(self.replaced)} to replace")  # fmt: skip

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed or self.outputs or self.unmodeled)


BASE_LABEL, HEAD_LABEL = "base", "working-tree"


def _parsed(resource: dict[str, Any]) -> dict[str, Any]:
    """Inputs with IAM JSON documents parsed, so changes inside them have paths."""
    key = DOCUMENT_INPUTS.get(resource["type"])
    inputs = dict(resource["inputs"])
    if key and isinstance(inputs.get(key), str):
        with contextlib.suppress(ValueError):
            inputs[key] = json.loads(inputs[key])
    return inputs


def _document(resource: dict[str, Any], key: str) -> str:
    value = resource["inputs"].get(key)
    if isinstance(value, str):
        try:
            return json.dumps(json.loads(value), indent=2, sort_keys=True) + "\n"
        except ValueError:
            return value + "\n"
    return json.dumps(value, indent=2, sort_keys=True) + "\n"


def _unified(old: str, new: str, label: str) -> str:
    return "".join(
        difflib.unified_diff(
            old.splitlines(True), new.splitlines(True), f"{BASE_LABEL}/{label}", f"{HEAD_LABEL}/{label}"
        )
    )


def _rest_text(resource: dict[str, Any], inputs: dict[str, Any]) -> str:
    """The inputs other than the IAM document, as a reviewer reads them."""
    if render.is_manifest(resource):
        return render.manifest_yaml(inputs)
    return json.dumps(inputs, indent=2, sort_keys=True) + "\n"


def resource_text(resource: dict[str, Any]) -> str:
    """How a resource reads in a review: a manifest as YAML, anything else as its inputs."""
    if render.is_manifest(resource):
        inputs = resource["inputs"]
        if render.is_script_config_map(resource):
            inputs = render.without_script(inputs)
        return render.manifest_yaml(inputs)
    return render.inputs_yaml(resource["inputs"])


def _change(a: dict[str, Any], b: dict[str, Any]) -> Change:
    change = Change(b["urn"], b["type"], b["name"])
    key = DOCUMENT_INPUTS.get(b["type"])
    if key and a["inputs"].get(key) != b["inputs"].get(key):
        change.diffs[key] = _unified(_document(a, key), _document(b, key), f"{b['name']}.{key}.json")
    rest_a = {k: v for k, v in a["inputs"].items() if k != key}
    rest_b = {k: v for k, v in b["inputs"].items() if k != key}
    if rest_a != rest_b:
        manifest = render.is_manifest(b)
        label = f"{b['name']}.yaml" if manifest else f"{b['name']}.inputs.json"
        change.diffs["manifest" if manifest else "inputs"] = _unified(
            _rest_text(a, rest_a), _rest_text(b, rest_b), label
        )
    change.paths = changed_paths(_parsed(a), _parsed(b))
    kind = b["type"]
    identity = changed_paths(replacement.with_defaults(kind, a["inputs"]), replacement.with_defaults(kind, b["inputs"]))
    change.replaces = replacement.forcing(kind, identity)
    change.delete_first = bool(change.replaces) and replacement.deletes_first(kind, a["inputs"], b["inputs"])
    for attr in ("parent", "dependsOn", "protect"):
        if a.get(attr) != b.get(attr):
            change.diffs[attr] = f"-{json.dumps(a.get(attr))}\n+{json.dumps(b.get(attr))}\n"
            change.attributes[attr] = {"before": a.get(attr), "after": b.get(attr)}
    return change


def _renamed(resource: dict[str, Any], renamed: dict[str, str]) -> dict[str, Any]:
    """A base resource with its parent and dependencies under their new URNs, so a rename alone is no change."""
    return {
        **resource,
        "parent": renamed.get(resource.get("parent") or "", resource.get("parent")),
        "dependsOn": sorted(renamed.get(u, u) for u in resource.get("dependsOn") or []),
    }


def _mapping(value: Any) -> dict[str, Any]:
    """A plan's optional map (absent from older revisions' plans)."""
    return value if isinstance(value, dict) else {}


def _workload_changes(base: dict[str, Any], head: dict[str, Any]) -> list[WorkloadChange]:
    old = {row["workload"]: row for row in base.get("summary") or [] if isinstance(row, dict) and "workload" in row}
    new = {row["workload"]: row for row in head.get("summary") or [] if isinstance(row, dict) and "workload" in row}
    order = [*new, *(name for name in old if name not in new)]
    documents = (privileges(base), privileges(head))
    found = []
    for n in order:
        changes = summary.row_changes(old.get(n), new.get(n))
        if old.get(n) is not None and new.get(n) is not None:
            changes += privilege_lines(documents[0].get(n, {}), documents[1].get(n, {}))
        found.append(WorkloadChange(n, old.get(n), new.get(n), changes))
    return found


def _value(inputs: dict[str, Any], path: str) -> Any:
    found: Any = inputs
    for key in path.split("."):
        found = found.get(key) if isinstance(found, dict) else None
    return found


def _identity(resource: dict[str, Any]) -> tuple[Any, ...] | None:
    """What names the object a resource manages (a role's name, a ServiceAccount's namespace and name)."""
    found = replacement.REPLACING.get(resource["type"])
    if found is None:
        return None
    inputs = replacement.with_defaults(resource["type"], resource["inputs"])
    values = tuple(json.dumps(_value(inputs, key), sort_keys=True) for key in found.identity)
    return None if "null" in values else (resource["type"], *values)


def moved_objects(result: PlanDiff, providers: tuple[dict[str, Any], dict[str, Any]]) -> list[str]:
    """A removed and an added resource naming one object (same type, identity and cluster): without an alias
    Pulumi creates the new one first, and that create fails on the object that still exists."""
    removed = {(_identity(r), providers[0].get(r["urn"])): r for r in result.removed}
    found = []
    for r in result.added:
        was = removed.get((_identity(r), providers[1].get(r["urn"])))
        if was is None or _identity(r) is None:
            continue
        fields = ", ".join(replacement.REPLACING[r["type"]].identity)
        found.append(
            f"{r['name']} ({r['type']}) is {was['name']} under a new name (same {fields}): Pulumi would create it "
            f"before deleting {was['name']}, and the create fails on the object that exists. An alias moves it "
            f'instead: aliases=[pulumi.Alias(name="{was["name"]}")] on it, or an alias on the component above it '
            "(its children follow)"
        )
    return found


def unmodeled_changes(before: Any, after: Any, ref: str) -> list[str]:
    """Stack-file keys the plan does not model (provider config, an ESC environment) that changed: the diff
    names them, since what they do at deploy is not in the resources below."""
    after = after if isinstance(after, dict) else {}
    if not isinstance(before, dict):  # a plan by older code records none: whatever the file sets, unverified
        return [f"{key}: set in the stack file; the plan at {ref} does not record it, so a change is not shown"
                for key in sorted(after)]  # fmt: skip
    found = []
    for key in sorted(before.keys() | after.keys()):
        how = "added" if key not in before else "removed" if key not in after else "changed"
        if before.get(key) != after.get(key):
            found.append(f"{key} {how}: applied by Pulumi or a provider at deploy, not shown below")
    return found


def _note_replacements(result: PlanDiff, resources: dict[str, dict[str, Any]]) -> None:
    """Under each workload, the resources of it that will be replaced (a reviewer reads the workload first)."""
    rows = {w.workload: w for w in result.workloads}
    for c in result.replaced:
        found = sorted(access_delta.owners(resources[c.urn], resources)) if c.urn in resources else []
        if c.delete_first:  # a shared role's: every workload on it is without it meanwhile
            who = found[0] if len(found) == 1 else f"each of {', '.join(found)}" if found else c.name
            c.gap = replacement.gap(c.type, who)
        for owner in (o for o in found if o in rows):
            kind = c.type.rsplit(":", 1)[-1]
            then = f"; {c.gap}" if c.gap else ""
            rows[owner].changes.append(f"replaced: {kind} {c.name} ({', '.join(c.replaces)}): {c.meaning}{then}")


def _replace_dependents(result: PlanDiff, resources: dict[str, dict[str, Any]]) -> None:
    """What the engine replaces too when a replacement deletes first: what takes a value from it, when that value
    (unknown until the new one exists) is an input its provider replaces on. They are deleted first as well."""
    changes = {c.urn: c for c in result.changed}
    first = [c.urn for c in result.replaced if c.delete_first]
    for urn, reasons in replacement.dependents_replaced(resources, first).items():
        found = changes.get(urn)
        if found is None:
            r = resources[urn]
            found = Change(urn, r["type"], r["name"])
            result.changed.append(found)
        found.replaces = sorted({*found.replaces, *reasons})
        found.delete_first = True


def compare(base: dict[str, Any], head: dict[str, Any], stack: str, ref: str) -> PlanDiff:
    """Resource-level adds, removes and changes by URN, with unified diffs and old → new values."""
    old = {r["urn"]: r for r in base["resources"]}
    new = {r["urn"]: r for r in head["resources"]}
    # A head resource whose alias names a base resource is that resource renamed (Pulumi follows the alias).
    renamed = {
        former: urn
        for urn, formers in _mapping(head.get("aliases")).items()
        if urn in new and urn not in old
        for former in formers
        if former in old and former not in new
    }
    result = PlanDiff(stack, ref)
    result.added = [new[u] for u in sorted(new.keys() - old.keys() - set(renamed.values()))]
    result.removed = [old[u] for u in sorted(old.keys() - new.keys() - renamed.keys())]
    imported = _mapping(head.get("imports"))
    result.imports = {r["urn"]: str(imported[r["urn"]]) for r in result.added if r["urn"] in imported}
    providers = (_mapping(base.get("providers")), _mapping(head.get("providers")))
    pairs = [(u, u) for u in sorted(old.keys() & new.keys())] + sorted(renamed.items())
    for before, after in pairs:
        change = _change(_renamed(old[before], renamed), new[after])
        if before != after:
            change.diffs["urn"] = f"-{before}\n+{after}\n"
            change.attributes["urn"] = {"before": before, "after": after}
        was, now = providers[0].get(before), providers[1].get(after)
        if was != now and was is not None and now is not None:
            # Another provider instance (another cluster): Pulumi replaces it, deleting it where it was.
            change.diffs["provider"] = (
                f"# another provider (cluster): replaced, created there and deleted here\n-{was}\n+{now}\n"
            )
            change.attributes["provider"] = {"before": was, "after": now}
            change.replaces = sorted({*change.replaces, "provider"})
        if change.diffs:
            result.changed.append(change)
    _replace_dependents(result, new)
    if base.get("outputs") != head.get("outputs"):
        result.outputs = _unified(
            json.dumps(base.get("outputs"), indent=2, sort_keys=True) + "\n",
            json.dumps(head.get("outputs"), indent=2, sort_keys=True) + "\n",
            "outputs.json",
        )
        result.output_paths = changed_paths(base.get("outputs"), head.get("outputs"))
    result.unmodeled = unmodeled_changes(base.get("unmodeled"), head.get("unmodeled"), ref)
    result.moved = moved_objects(result, providers)
    result.base_has_summary = isinstance(base.get("summary"), list) or not base["resources"]
    if result.base_has_summary:
        result.workloads = _workload_changes(base, head)
        _note_replacements(result, new)
        was, now = access_delta.access_by_workload(base), access_delta.access_by_workload(head)
        touched = {w for r in result.added for w in access_delta.owners(r, new)}
        touched |= {w for r in result.removed for w in access_delta.owners(r, old)}
        touched |= {w for c in result.changed if c.urn in new for w in access_delta.owners(new[c.urn], new)}
        result.access = {w.workload: access_delta.delta(was[w.workload], now[w.workload]) for w in result.workloads
                         if (w.changes or w.workload in touched) and w.workload in was and w.workload in now}
    else:  # an older revision's plan: show the rows, but claim no change it cannot know
        result.workloads = [WorkloadChange(row["workload"], row, row, []) for row in head.get("summary") or []]
    return result
