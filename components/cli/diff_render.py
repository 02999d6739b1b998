"""How a plan diff reads: text for a terminal, markdown for a pull-request comment, JSON for tools."""

from __future__ import annotations

import json
from typing import Any

from components.cli import render
from components.cli.diff import PlanDiff, resource_text
from components.core import media, summary


def _scripts(d: PlanDiff) -> str | None:
    """The verification script of the first added script ConfigMap (printed once, not per Job)."""
    for r in d.added:
        if render.is_script_config_map(r):
            return next(iter((r["inputs"].get("data") or {}).values()), None)
    return None


def _workload_text(d: PlanDiff) -> list[str]:
    lines = []
    for w in d.workloads:
        mark = "+" if w.before is None else "-" if w.after is None else "~" if w.changes else " "
        row = w.after or w.before
        assert row is not None
        head, *grants = summary.row_text(row)
        lines.append(f"{mark} {head}")
        lines += [f"  {g}" for g in grants]
        lines += [f"      {change}" for change in w.changes if change not in ("added", "removed")]
    return lines


MAX_ACCESS_LINES = 10  # per workload in a PR comment (the JSON has them all)


def _access_lines(d: PlanDiff, limit: int | None = None) -> list[tuple[str, str, str]]:
    """(workload, mark, sentence) for each changed workload: widenings first, then narrowings, then what
    could not be evaluated; "no change in access" when its documents changed nothing a request can tell."""
    found = []
    for name, delta in d.access.items():
        lines = [("⚠", s) for s in delta.widened] + [("-", s) for s in delta.narrowed]
        lines += [("?", f"not evaluated: {s}") for s in delta.not_evaluated]
        if limit is not None and len(lines) > limit:
            lines = [*lines[:limit], ("…", f"and {len(lines) - limit} more (the JSON output has them all)")]
        found += [(name, mark, text) for mark, text in lines] or [(name, " ", "no change in access")]
    return found


def to_text(d: PlanDiff) -> str:
    if d.empty:
        return f"irsa diff {d.stack}: no changes against {d.base}\n"
    lines = [f"irsa diff {d.stack} against {d.base}: {d.counts}", ""]
    if d.moved:
        lines += ["Avoidable replacements:", *(f"! {line}" for line in d.moved), ""]
    if d.unmodeled:
        lines += ["Not modeled by the plan, and changed:", *(f"! {line}" for line in d.unmodeled), ""]
    if d.workloads:
        lines += ["Workloads (~ changed, + added, - removed):", *_workload_text(d)]
        lines += [] if d.base_has_summary else [f"  (the plan at {d.base} has no summary: see the resources below)"]
        lines.append("")
    if d.access:
        lines.append("Who can now do what (⚠ wider, - narrower, ? not evaluated):")
        lines += [f"  {media.for_terminal(n)}: {mark} {media.for_terminal(text)}" for n, mark, text in _access_lines(d)]
        lines.append("")
    for r in d.added:
        adopted = d.imports.get(r["urn"])
        lines.append(f"= {r['type']} {r['name']} (import {adopted})" if adopted else f"+ {r['type']} {r['name']}")
    lines += [f"- {r['type']} {r['name']}" for r in d.removed]
    lines += [f"~ {c.type} {c.name} ({', '.join(c.diffs)})" for c in d.updated]
    for c in d.replaced:
        lines += [f"+- {c.type} {c.name} (replaced: {', '.join(c.replaces)})", f"   {c.meaning}"]
        lines += [f"   {c.gap}"] if c.gap else []
    for c in d.changed:
        for key, text in c.diffs.items():
            lines += ["", f"{'+-+' if c.replaces else '~~~'} {c.type} {c.name}: {key}", text.rstrip("\n")]
    for r in d.added:
        lines += ["", f"+++ {r['type']} {r['name']}", resource_text(r).rstrip("\n")]
    script = _scripts(d)
    if script is not None:
        lines += ["", "+++ the verification script (data of every added *-verify-script ConfigMap)", script.rstrip()]
    if d.outputs:
        lines += ["", "~~~ outputs", d.outputs.rstrip("\n")]
    return "\n".join(lines) + "\n"


def _details(summary_: str, language: str, body: str) -> list[str]:
    """A collapsed block: `summary_` is trusted HTML (values in it go through media.html_text), the body
    verbatim in a fence no line of it can close."""
    return ["<details>", f"<summary>{summary_}</summary>", "", *media.fenced(body, language), "", "</details>", ""]


def _cell(text: str) -> str:
    return media.code(text, in_table=True)


def _workload_table(d: PlanDiff) -> list[str]:
    lines = [
        "| | workload | runs as | on | role | mechanism | permissions | session | what changed |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for w in d.workloads:
        row = w.after or w.before
        assert row is not None
        mark = "➕" if w.before is None else "➖" if w.after is None else "✏️" if w.changes else ""
        grants = "<br>".join(_cell(g) for g in row["grants"]) or "none"
        changes = "<br>".join(_cell(c) for c in w.changes if c not in ("added", "removed")) or ""
        lines.append(
            f"| {mark} | {_cell(row['workload'])} | {_cell(row['serviceAccount'])} | "
            f"{_cell(', '.join(row['clusters']))} | {_cell(row['role'])} | {_cell(row['mechanism'])} | {grants} | "
            f"{_cell(str(row['maxSessionDuration']))} s | {changes} |"
        )
    return [*lines, ""]


def to_markdown(d: PlanDiff) -> str:
    """A PR comment: the workloads and what changed in each, a table of resources, then collapsible details."""
    head = f"### irsa plan diff: {media.code(d.stack)} against {media.code(d.base)}\n\n"
    if d.empty:
        return head + "No changes.\n"
    counts = (len(d.added), len(d.removed), len(d.updated), len(d.replaced))
    lines = ["**{}** to add, **{}** to remove, **{}** to change, **{}** to replace.".format(*counts), ""]
    if d.moved:
        lines += ["⚠️ Avoidable replacements:", "", *(f"- {_cell(line)}" for line in d.moved), ""]
    if d.unmodeled:
        lines += ["⚠️ Not modeled by the plan, and changed:", "", *(f"- {_cell(line)}" for line in d.unmodeled), ""]
    if d.workloads:
        lines += _workload_table(d)
        missing = f"(The plan at {media.code(d.base)} has no summary: see the resources.)"
        lines += [] if d.base_has_summary else [missing, ""]
    if d.access:
        lines += ["#### Who can now do what", ""]
        marks = {"⚠": "⚠️ ", "-": "➖ ", "?": "❔ ", "…": "", " ": ""}
        lines += [f"- {_cell(n)}: {marks[mark]}{media.code(text)}" for n, mark, text in
                  _access_lines(d, MAX_ACCESS_LINES)]  # fmt: skip
        lines.append("")
    why = " replaced because: what it means |" if d.replaced else ""  # the column only when something is
    end = " |" if d.replaced else ""
    lines += [f"| | type | name |{why}", "|---|---|---|" + ("---|" if d.replaced else "")]
    lines += [
        f"| {'📥 import ' + _cell(d.imports[r['urn']]) if r['urn'] in d.imports else '➕'} | {_cell(r['type'])} | "
        f"{_cell(r['name'])} |{end}"
        for r in d.added
    ]
    lines += [f"| ➖ | {_cell(r['type'])} | {_cell(r['name'])} |{end}" for r in d.removed]
    lines += [f"| ✏️ | {_cell(c.type)} | {_cell(c.name)} |{end}" for c in d.updated]
    lines += [
        f"| 🔁 **replace** | {_cell(c.type)} | {_cell(c.name)} | {_cell(', '.join(c.replaces))}: "
        f"{media.html_text(c.meaning)}{'<br>⚠️ <b>' + media.html_text(c.gap) + '</b>' if c.gap else ''} |"
        for c in d.replaced
    ]
    lines.append("")
    for c in d.changed:
        body = "\n".join(text.rstrip("\n") for text in c.diffs.values())
        keys = media.html_text(", ".join(c.diffs))
        mark = "🔁 replace" if c.replaces else "✏️"
        lines += _details(f"{mark} <code>{media.html_text(c.name)}</code> ({keys})", "diff", body)
    for r in d.added:
        lines += _details(f"➕ <code>{media.html_text(r['name'])}</code>", "yaml", resource_text(r))
    script = _scripts(d)
    if script is not None:
        lines += _details("➕ the verification script (in every added <code>*-verify-script</code>)", "python", script)
    for r in d.removed:
        lines += _details(f"➖ <code>{media.html_text(r['name'])}</code>", "text", r["urn"])
    if d.outputs:
        lines += _details("outputs", "diff", d.outputs)
    return head + "\n".join(lines)


def to_json(d: PlanDiff) -> str:
    """Machine-readable: unchanged sections are null, changed values are `path: {before, after}`."""

    def resource(r: dict[str, Any]) -> dict[str, Any]:
        return {"urn": r["urn"], "type": r["type"], "name": r["name"]}

    return (
        json.dumps(
            {
                "stack": d.stack,
                "base": d.base,
                "changed": not d.empty,
                "workloads": [
                    {"workload": w.workload, "before": w.before, "after": w.after, "changes": w.changes or None}
                    for w in d.workloads
                ],
                "added": [{**resource(r), **({"import": d.imports[r["urn"]]} if r["urn"] in d.imports else {})}
                          for r in d.added],  # fmt: skip
                "removed": [resource(r) for r in d.removed],
                "modified": [
                    {
                        **resource({"urn": c.urn, "type": c.type, "name": c.name}),
                        "inputs": c.paths or None,
                        "parent": c.attributes.get("parent"),
                        "dependsOn": c.attributes.get("dependsOn"),
                        "protect": c.attributes.get("protect"),
                        "renamedFrom": (c.attributes.get("urn") or {}).get("before"),
                        "provider": c.attributes.get("provider"),
                        "replace": {"inputs": c.replaces, "meaning": c.meaning, "deleteFirst": c.delete_first,
                                    "gap": c.gap or None} if c.replaces else None,
                        "diffs": c.diffs,
                    }
                    for c in d.changed
                ],
                "access_delta": {n: {**delta.to_dict(), "unchanged": delta.unchanged} for n, delta in d.access.items()}
                or None,
                "outputs": d.output_paths or None,
                "unmodeled": d.unmodeled or None,
                "moved": d.moved or None,
                "counts": {
                    "add": len(d.added),
                    "remove": len(d.removed),
                    "change": len(d.updated),
                    "replace": len(d.replaced),
                },
            },
            indent=2,
        )
        + "\n"
    )


FORMATS = {"text": to_text, "markdown": to_markdown, "json": to_json}
