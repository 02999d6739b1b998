"""`diff`'s run: start the base revision's plan in its own process first, then plan the working tree in this
one while it runs (two cores, two plans), then compare. Imports stay light until the base has started."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from components.cli import plan_cache, working_tree
from components.cli.git_tree import PLANNED, git_root, materialise, resolve, reuse_bytecode, same_code
from components.cli.untrusted import TooBig, Unreadable, parse_json, read_bytes, read_tail
from components.core.display import one_line
from components.core.names import STACK_NAME, STACK_NAME_RULE
from components.core.problems import InvalidInput, Problem

if TYPE_CHECKING:
    from components.cli.diff import PlanDiff

PLAN_TIMEOUT = 300.0  # one side's plan; an old revision's code may hang
AS_PRINTED = "a plan as --format json prints it"
MAX_PLAN_BYTES = 256 * 1024 * 1024  # what a base revision may print as its plan (a large stack's is a few MiB)
MAX_ERROR_BYTES = 64 * 1024  # of its error output, the end is read
REAP_SECONDS = 5.0  # for the base's reaper to end what the base started, after a timeout


class PlanFailed(InvalidInput):
    """A side of the diff did not plan."""

    @classmethod
    def because(cls, label: str, wrong: str, allowed: str) -> PlanFailed:
        return cls([Problem(f"{label}plan", wrong, allowed)])


# The base's interpreter starts before its tree exists: it imports the environment's Pulumi SDK (the one the
# revision's code imports too) while this process unpacks the tree, then runs `python -m components` there.
# Nothing of this package is imported before the tree is on sys.path: the revision plans with its own code.
BOOTSTRAP = """\
import sys
del sys.path[0]  # the working directory: nothing is imported from it
import json, os, runpy
import pulumi.runtime
job = json.loads(sys.stdin.readline() or "null")
if job is None:
    sys.exit(0)
os.chdir(job["tree"])
sys.path.insert(0, job["tree"])
sys.argv = ["components", *job["args"]]
runpy.run_module("components", run_name="__main__", alter_sys=True)
"""


# What runs BOOTSTRAP: a child subreaper (Linux prctl), so whatever the base starts, `setsid` or not, is
# re-parented to it when its parent ends; once the base ends, or on SIGTERM, it kills every child it has until
# none is left, and exits with the base's status.
REAPER = """\
import sys
del sys.path[0]  # the working directory: nothing is imported from it
import contextlib, ctypes, os, signal
try:
    ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
except (OSError, AttributeError):
    pass
base = 0
def end(*_):
    if base:
        with contextlib.suppress(ProcessLookupError):
            os.kill(base, signal.SIGKILL)
signal.signal(signal.SIGTERM, end)  # before the fork: a stop that comes early still ends the base
base = os.fork()
if base == 0:
    os.execv(sys.executable, [sys.executable, "-c", sys.argv[1]])
def children():
    found = []
    for entry in filter(str.isdigit, os.listdir("/proc") if os.path.isdir("/proc") else ()):
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                fields = handle.read().rsplit(b")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == os.getpid():
            found.append(int(entry))
    return found
status = 1
while True:
    try:
        pid, code = os.waitpid(base, 0)
        status = os.waitstatus_to_exitcode(code)
        break
    except ChildProcessError:
        break
    except InterruptedError:
        continue
signal.signal(signal.SIGTERM, signal.SIG_IGN)
while True:
    left = children()
    if not left:
        break
    for pid in left:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    while True:
        try:
            if os.waitpid(-1, os.WNOHANG) == (0, 0):
                break
        except ChildProcessError:
            break
sys.exit(status if status >= 0 else 128 - status)
"""


@dataclass
class BaseProcess:
    """The base revision's plan, running: its process and where its output goes (files: it never waits on us)."""

    process: subprocess.Popen[bytes]
    out: Path
    err: Path


def spawn(work: Path) -> BaseProcess:
    """An interpreter that warms up now and plans a tree once `launch` names it."""
    out, err = work / "base.out", work / "base.err"
    env = {**os.environ, "IRSA_PLAN_CACHE": "0"}  # its code is not this code: it keeps nothing under our keys
    with out.open("wb") as stdout, err.open("wb") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-c", REAPER, BOOTSTRAP], cwd=work, stdin=subprocess.PIPE, stdout=stdout, stderr=stderr,
            env=env, start_new_session=True,  # its own process group, and its reaper: whatever it starts ends with it
        )  # fmt: skip
    return BaseProcess(process, out, err)


def launch(base: BaseProcess, tree: Path, stack: str, config: Path | None) -> BaseProcess | None:
    """Have a spawned interpreter plan `tree` with its own code; None (and it ends) when the stack is absent."""
    stack_file = config if config is not None else tree / "stacks" / f"Pulumi.{stack}.yaml"
    job = None
    if stack_file.exists():
        # `--flag=value`: a value starting with '-' is never read as another flag.
        args = ["plan", f"--stack={stack}", "--format=json", *([f"--config={config}"] if config is not None else [])]
        job = {"tree": str(tree), "args": args + _stack_outputs()}
    assert base.process.stdin is not None
    try:
        base.process.stdin.write(json.dumps(job).encode() + b"\n")
        base.process.stdin.close()
    except OSError:  # it died while warming up: finish_plan reports what it printed
        pass
    if job is None:
        base.process.wait()
        return None
    return base


def _stack_outputs() -> list[str]:
    """The platform outputs given to this diff, for a plan in another process (its own directory: absolute)."""
    from components.cli.stackfile import STACK_OUTPUTS

    return [f"--stack-outputs={ref}={path.resolve()}" for ref, path in sorted(STACK_OUTPUTS.items())]


def plan_at(
    tree: Path, stack: str, config: Path | None, label: str = "", timeout: float = PLAN_TIMEOUT
) -> dict[str, Any]:
    """Plan JSON from a source tree, run with that tree's own code; an empty plan if the stack is absent there."""
    with tempfile.TemporaryDirectory(prefix="irsa-plan-") as work:
        return finish_plan(launch(spawn(Path(work)), tree, stack, config), stack, label, timeout)


def stop(base: BaseProcess | None) -> None:
    """End the base's process and every process it started: its reaper's descendants, then its process group."""
    if base is None:
        return
    if base.process.poll() is None:
        base.process.terminate()  # the reaper kills the base and everything re-parented to it
        with contextlib.suppress(subprocess.TimeoutExpired):
            base.process.wait(REAP_SECONDS)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(base.process.pid, signal.SIGKILL)
    if base.process.poll() is None:
        base.process.kill()
    base.process.wait()


def finish_plan(base: BaseProcess | None, stack: str, label: str = "", timeout: float = PLAN_TIMEOUT) -> dict[str, Any]:
    """The plan a started process printed, or PlanFailed saying why there is none."""
    if base is None:
        return {"project": "irsa", "stack": stack, "resources": [], "outputs": {}}
    try:
        base.process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        stop(base)
        raise PlanFailed.because(
            label, f"did not finish within {timeout:g} s", "raise --timeout, or fix that revision"
        ) from None
    finally:
        stop(base)  # nothing it started outlives it
    try:
        data = read_bytes(base.out, f"{label}plan", "plan", MAX_PLAN_BYTES)
    except TooBig as error:
        too_much = f"printed {error.size} bytes, more than a plan ({MAX_PLAN_BYTES})"
        raise PlanFailed.because(label, too_much, AS_PRINTED) from None
    except InvalidInput as error:
        raise PlanFailed.because(label, error.problems[0].wrong, AS_PRINTED) from None
    stderr = read_tail(base.err, f"{label}plan", "its error output", MAX_ERROR_BYTES).decode("utf-8", "replace")
    code = base.process.returncode
    if code != 0:
        lines = [one_line(line) for line in stderr.strip().splitlines()] or [f"plan exited {code}"]
        if code != 2:
            lines = lines[-3:]  # a crash of an old revision's code: its last lines say why
        allowed = "a revision whose plan of this stack succeeds"
        raise PlanFailed([Problem.from_line(f"{label}{line}", f"{label}plan", allowed) for line in lines[:50]])
    try:
        plan = parse_json(data)
    except Unreadable as error:
        wrong = f"printed {len(data)} bytes that are not {error.allowed}"
        wrong = f"printed JSON that {error.wrong}" if error.wrong.startswith("nests") else wrong
        raise PlanFailed.because(label, wrong, AS_PRINTED) from None
    if not _is_plan(plan):
        raise PlanFailed.because(label, "printed JSON without a list of resources", AS_PRINTED)
    return dict(plan)


def _is_plan(plan: Any) -> bool:
    """Whether JSON has the plan's shape, as far as compare() relies on it."""
    if not isinstance(plan, dict) or not isinstance(plan.get("resources"), list):
        return False
    return all(
        isinstance(r, dict)
        and all(isinstance(r.get(k), str) for k in ("urn", "type", "name"))
        and isinstance(r.get("inputs"), dict)
        for r in plan["resources"]
    )


def run(stack: str, ref: str, config: str | None, cwd: Path, timeout: float = PLAN_TIMEOUT) -> PlanDiff:
    """Plan `ref` and the working tree at once (the base in another process, with its own code), then compare.
    A base plan is kept per commit; the working tree's plan that `plan` just made is reused."""
    if config is None and not STACK_NAME.fullmatch(stack):  # it names files in two trees
        raise InvalidInput([Problem("--stack", f"{stack!r} is not a stack name", STACK_NAME_RULE)])
    root = git_root(cwd)
    commit = resolve(root, ref)
    config_path = Path(config).resolve() if config else None
    inside = config_path is not None and config_path.is_relative_to(root)
    base_entry = plan_cache.base_key(
        commit, stack, str(config_path.relative_to(root)) if config_path and inside else (config and str(config_path))
    )
    base = plan_cache.load(base_entry)
    here = working_tree.runs_here(root)
    label = f"at {ref}: "
    with tempfile.TemporaryDirectory(prefix="irsa-diff-") as tmp:
        started: BaseProcess | None = None
        same_as_here = None
        if base is None:
            # The base's code is this code: it needs only its stack file, and after the working tree its plan
            # costs only its registrations. Otherwise its own code plans it, in its own process, meanwhile.
            same = here and same_code(root, commit)
            started = None if same else spawn(Path(tmp))
            try:
                base_tree = Path(tmp) / "base"
                base_tree.mkdir()
                top = config_path.relative_to(root).parts[0] if config_path is not None and inside else None
                materialise(root, commit, base_tree, (top,) if top else (), ("stacks",) if same else PLANNED)
                base_config = None
                if config_path is not None:
                    base_config = base_tree / config_path.relative_to(root) if inside else config_path
                if started is None:
                    same_as_here = base_config or base_tree / "stacks" / f"Pulumi.{stack}.yaml"
                else:
                    reuse_bytecode(root, base_tree)
                    started = launch(started, base_tree, stack, base_config)
            except BaseException:
                stop(started)
                raise
        from components.cli.diff import compare

        try:
            if here:
                head = working_tree.head_plan(stack, str(config_path) if config_path else None)
            else:
                head = plan_at(root, stack, config_path, timeout=timeout)
        except BaseException:
            stop(started)
            raise
        if base is None and same_as_here is not None:
            shown = f"stacks/Pulumi.{stack}.yaml" if base_config is None else str(base_config)
            try:
                base = working_tree.plan_of_file(stack, same_as_here, shown)
            except InvalidInput as error:
                raise PlanFailed([Problem(f"{label}{p.path}", p.wrong, p.allowed) for p in error.problems]) from None
            plan_cache.store(base_entry, json.dumps(base))
        elif base is None:
            base = finish_plan(started, stack, label=label, timeout=timeout)
            plan_cache.store(base_entry, json.dumps(base))
    return compare(base, head, stack, ref)
