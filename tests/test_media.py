"""Hostile values through the escaping layer: the PR comment read by GitHub's own parser (cmark-gfm) and the
terminal output read by a terminal model keep every resource and grant visible, and nothing a value holds
becomes markup, a comment, a closed fence or `<details>`, a mention, or a terminal control."""

from __future__ import annotations

import html
import re
from typing import Any

import cmarkgfm
import pytest
from cmarkgfm.cmark import Options
from conftest import EKS_CONFIG, config
from hypothesis import given, settings
from hypothesis import strategies as st

from components.cli import diff_render
from components.cli.diff import compare
from components.cli.plan import run_plan
from components.core import media
from components.core.settings import parse_settings

PIECES = [
    "`", "``", "```", "<!--", "-->", "</details>", "<details>", "<b>", "|", "@someone", "\n", "\r", "\x1b[2K",
    "\x1b]8;;http://x\x07", "\u202e", "\u200b", "&amp;", "*", "_", "[", "](http://x)", "a", "b", " ", "#", "\\",
]  # fmt: skip
hostile = st.lists(st.sampled_from(PIECES), min_size=1, max_size=8).map("".join)


def github(markdown: str) -> str:
    """HTML as GitHub's parser makes it, raw HTML kept (GitHub then filters tags; comments stay comments)."""
    return str(cmarkgfm.github_flavored_markdown_to_html(markdown, options=Options.CMARK_OPT_UNSAFE))


def visible(markup: str) -> str:
    """The text a reader sees: tags dropped (comments with everything in them), entities decoded."""
    without_comments = re.sub(r"<!--.*?-->", "", markup, flags=re.DOTALL)
    return html.unescape(re.sub(r"<[^>]+>", "", without_comments))


def shown(value: str) -> str:
    """How a value reads once escaped: line breaks and controls as escapes."""
    return media.code(value)[1:-1].strip("`").strip(" ") if value else ""


def _diff(names: list[str], grants: list[str]) -> Any:
    base: dict[str, Any] = {"project": "irsa", "stack": "s", "resources": [], "outputs": {}, "summary": []}
    resources: list[dict[str, Any]] = [
        {"urn": f"urn:pulumi:s::irsa::aws:iam/role:Role::{name}", "type": "aws:iam/role:Role", "name": name,
         "parent": None, "dependsOn": [], "protect": False, "inputs": {"description": name}}
        for name in names
    ]  # fmt: skip
    summary = [{"workload": "w", "serviceAccount": "ns/sa", "clusters": ["eks c"], "role": "r", "mechanism": "irsa",
                "maxSessionDuration": 3600, "grants": grants}]  # fmt: skip
    head = {**base, "resources": resources, "summary": summary}
    return compare(base, head, "s", "main")


@settings(max_examples=150, deadline=None)
@given(names=st.lists(hostile, min_size=1, max_size=3, unique=True), grants=st.lists(hostile, min_size=1, max_size=3))
def test_github_shows_every_value_and_no_value_becomes_markup(names: list[str], grants: list[str]) -> None:
    markdown = diff_render.to_markdown(_diff(names, grants))
    page = github(markdown)
    text = visible(page)
    for value in names + grants:
        assert shown(value) in text, (value, markdown)
    # the structure is ours alone: one <details> per added resource (its document), no comments, no mentions
    assert page.count("<details>") == len(names) and page.count("</details>") == len(names)
    assert "<!--" not in page
    assert "<b>" not in page and 'class="user-mention"' not in page


@settings(max_examples=150, deadline=None)
@given(names=st.lists(hostile, min_size=1, max_size=3, unique=True), grants=st.lists(hostile, min_size=1, max_size=3))
def test_a_terminal_shows_every_value_and_acts_on_nothing(names: list[str], grants: list[str]) -> None:
    out = media.for_terminal(diff_render.to_text(_diff(names, grants)))
    controls = [ch for ch in out if (ord(ch) < 0x20 and ch not in "\n\t") or 0x7F <= ord(ch) < 0xA0]
    assert not controls and "\u202e" not in out and "\u200b" not in out
    for value in names + grants:
        assert media.for_terminal(value) in out


def test_a_prefix_that_opens_a_comment_hides_no_grant() -> None:
    """The hostile pass's example: `<!--` in one S3 prefix and `-->` in a later one, through the whole pipeline."""
    workloads = [
        {**EKS_CONFIG["irsa:workloads"][0], "s3": [
            {"bucket": "first-bucket", "prefix": "a`<!--/", "access": "read"},
            {"bucket": "hidden-bucket", "prefix": "secret/", "access": "read-write"},
            {"bucket": "last-bucket", "prefix": "b-->/", "access": "read"},
        ]},
    ]  # fmt: skip
    plan = run_plan(parse_settings(config(EKS_CONFIG, **{"irsa:workloads": workloads}), "dev")).to_dict()
    empty = {"project": "irsa", "stack": "dev", "resources": [], "outputs": {}, "summary": []}
    page = github(diff_render.to_markdown(compare(empty, plan, "dev", "main")))
    assert "<!--" not in page
    assert "s3 read-write hidden-bucket/secret/*" in visible(page)


@pytest.mark.parametrize("value", ["\x1b[1A\x1b[2Kforged", "ok\rforged", "\u202egnp.exe"])
def test_terminal_controls_are_written_out(value: str) -> None:
    out = media.for_terminal(f"grant {value}\nnext")
    assert out.split("\n")[1] == "next" and "\x1b" not in out and "\r" not in out and "\u202e" not in out


def test_every_code_point_is_escaped_by_its_unicode_category() -> None:
    """The code points (Python's Unicode database decides what is hidden, not a list of ours): shown as it is
    unless hidden; a hidden one written out, so no control survives in one string of them all."""
    import unicodedata

    hidden = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
    # Planes 0-2 and the tag block (format characters) whole; the rest, unassigned or private, sampled.
    every = [chr(c) for c in [*range(0x30000), *range(0xE0000, 0xE1000), *range(0x30000, 0x110000, 257)]]
    for ch in every:
        shown_raw = unicodedata.category(ch) not in hidden
        assert (media.for_terminal(ch) == ch) == (shown_raw or ch in "\n\t"), hex(ord(ch))
        assert (media._one_line(ch) == ch) == (shown_raw and ch != "\n"), hex(ord(ch))
    both = "".join(every)
    out = media.for_terminal(both)
    assert all(unicodedata.category(ch) not in hidden or ch in "\n\t" for ch in out)
    assert out.count("\n") == 1 and "\x1b" not in out and "\u202e" not in out


def test_plan_writes_a_statements_terminal_controls_out(tmp_path: Any) -> None:
    """ESC and CR in a raw statement (YAML's "\\e" and "\\r") reach `plan` text escaped, never acted on."""
    from conftest import run_cli

    stack = tmp_path / "Pulumi.esc.yaml"
    stack.write_text(
        "config:\n  aws:region: ap-northeast-2\n  irsa:cluster: {kind: eks, name: dev-cluster}\n"
        "  irsa:workloads:\n    - name: app\n      namespace: apps\n      serviceAccount: app\n"
        "      statements:\n        - Sid: Logs\n          Effect: Allow\n          Action: [logs:PutLogEvents]\n"
        '          Resource: "arn:aws:logs:ap-northeast-2:123456789012:log-group:x\\e[2K\\rs3 read-write *"\n'
    )
    code, out, _ = run_cli("plan", "--stack", "esc", "--config", str(stack))
    assert code == 0
    assert "\x1b" not in out and "\r" not in out
    assert not any(line.lstrip().startswith("s3 read-write *") for line in out.splitlines())  # no forged line
    assert "[2K" in out  # the value is shown, escaped
