"""Command line: `plan`, `diff`, `doctor`; exit 0 ok, 1 negative answer, 2 invalid input."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from components.core.display import quote
from components.core.media import for_terminal
from components.core.problems import InvalidInput, Problem
from components.version import VERSION

EXIT_OK, EXIT_NEGATIVE, EXIT_INVALID = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    """argparse that reports bad flags as one contract-shaped line and exit 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        print(f"{self.prog}: {message} (see --help)", file=sys.stderr)
        raise SystemExit(EXIT_INVALID)


STACK_OUTPUTS_HELP = (
    "an application stack's platform outputs: STACK is its irsa:platform.stack, FILE what `pulumi stack output "
    "--json` printed for it (default: the platform's stack file beside the application's)"
)


def stack_outputs(given: Sequence[str]) -> None:
    """Record `--stack-outputs STACK=FILE` for the stack-file reader; InvalidInput for a malformed one."""
    from pathlib import Path

    from components.cli.stackfile import STACK_OUTPUTS
    from components.core.platform import STACK_REF, STACK_REF_RULE

    STACK_OUTPUTS.clear()
    for item in given:
        reference, _, file = item.partition("=")
        if not STACK_REF.fullmatch(reference) or not file:
            raise InvalidInput([Problem("--stack-outputs", f"{quote(item)} is not STACK=FILE",
                                        f"STACK as {STACK_REF_RULE}, FILE a JSON file")])  # fmt: skip
        STACK_OUTPUTS[reference] = Path(file)


def parser() -> argparse.ArgumentParser:
    top = _Parser(prog="python -m components", description="irsa: offline plan of the Pulumi program.")
    top.add_argument("--version", action="version", version=f"irsa {VERSION}")
    verbs = top.add_subparsers(dest="verb", required=True, parser_class=_Parser)
    plan_verb = verbs.add_parser("plan", help="print every resource the program would register, offline")
    plan_verb.add_argument("--stack", required=True, help="stack name: reads stacks/Pulumi.<stack>.yaml")
    plan_verb.add_argument("--config", help="read this stack file instead of stacks/Pulumi.<stack>.yaml")
    plan_verb.add_argument(
        "--stack-outputs", action="append", default=[], metavar="STACK=FILE", help=STACK_OUTPUTS_HELP
    )
    plan_verb.add_argument(
        "--format",
        choices=("text", "json", "yaml"),
        default="text",
        help="text: a preview-like tree with every document (default); json/yaml: the plan as data",
    )

    diff_verb = verbs.add_parser("diff", help="plan at a git revision vs the working tree: IAM JSON and manifest diffs")
    diff_verb.add_argument("--stack", required=True, help="stack name: reads stacks/Pulumi.<stack>.yaml on both sides")
    diff_verb.add_argument("--base", required=True, help="git revision to compare with, e.g. origin/main")
    diff_verb.add_argument("--config", help="stack file to use instead (its base version when it is inside the repo)")
    diff_verb.add_argument(
        "--stack-outputs", action="append", default=[], metavar="STACK=FILE", help=STACK_OUTPUTS_HELP
    )
    diff_verb.add_argument("--exit-code", action="store_true", help="exit 1 when anything changed, 0 when nothing did")
    diff_verb.add_argument(
        "--format",
        choices=("text", "markdown", "json"),
        default="text",
        help="text (default), markdown (a pull-request comment) or json",
    )
    diff_verb.add_argument(
        "--timeout",
        type=float,
        default=300.0,
        metavar="SECONDS",
        help="give up on a side whose plan takes longer (default 300): the base runs its revision's code",
    )

    adopt_verb = verbs.add_parser("adopt", help="a stack file adopting the IRSA roles a Terraform state holds")
    source = adopt_verb.add_mutually_exclusive_group(required=True)
    source.add_argument("--terraform", metavar="FILE", help="`terraform show -json` output")
    source.add_argument("--eksctl", metavar="FILE", help="`eksctl get iamserviceaccount --cluster C -o json` output")
    adopt_verb.add_argument("--oidc-provider-arn", help="with --eksctl: the cluster's IAM OIDC provider ARN")
    adopt_verb.add_argument("--cluster", required=True, help="the EKS cluster's name (the state of the roles lacks it)")
    adopt_verb.add_argument("--region", required=True, help="the AWS region of the cluster")
    adopt_verb.add_argument("--stack", default="adopted", help="the stack's name (adopted roles keep theirs)")

    doctor_verb = verbs.add_parser("doctor", help="would STS accept this ServiceAccount token for this workload?")
    doctor_verb.add_argument("--stack", required=True, help="stack name: reads stacks/Pulumi.<stack>.yaml")
    doctor_verb.add_argument("--config", help="read this stack file instead of stacks/Pulumi.<stack>.yaml")
    doctor_verb.add_argument("--workload", required=True, help="workload name in irsa:workloads")
    doctor_verb.add_argument(
        "--stack-outputs", action="append", default=[], metavar="STACK=FILE", help=STACK_OUTPUTS_HELP
    )
    doctor_verb.add_argument(
        "--cluster",
        metavar="NAME",
        help="with several clusters: the one that issued the token (default: the workload's only cluster, or the "
        "one whose issuerUrl is the token's iss)",
    )
    doctor_verb.add_argument(
        "--token", required=True, help="file with the token (kubectl create token, or a pod's file)"
    )
    doctor_verb.add_argument(
        "--format", choices=("text", "json"), default="text", help="text (default) or json: the report as data"
    )
    doctor_verb.add_argument(
        "--issuer",
        metavar="URL",
        help="the cluster's issuer URL, when the stack looks it up at deploy time: the token's iss is compared "
        "with it, and --issuer-check fetches only from it (never from the token's own iss)",
    )
    doctor_verb.add_argument(
        "--issuer-check",
        action="store_true",
        help="also fetch the issuer's discovery document and JWKS over HTTPS and verify the token",
    )
    doctor_verb.add_argument(
        "--connect-to",
        metavar="ADDRESS:PORT",
        help="with --issuer-check: connect here instead of resolving the issuer host "
        "(a port-forward or a test issuer); TLS still verifies the issuer host name",
    )
    doctor_verb.add_argument("--ca-file", help="with --issuer-check: also trust these CA certificates (PEM)")
    doctor_verb.add_argument(
        "--timeout",
        type=float,
        default=20.0,
        metavar="SECONDS",
        help="with --issuer-check: one deadline for every connection and read (default 20)",
    )
    return top


def plan_command(stack: str, config: str | None, fmt: str) -> int:
    from components.cli import render
    from components.cli.working_tree import planned

    settings, result = planned(stack, config)
    for warning in settings.warnings:
        print(for_terminal(f"warning: {warning}"), file=sys.stderr)
    sys.stdout.write(for_terminal(render.FORMATS[fmt](result)))
    sys.stdout.flush()
    return EXIT_OK


def diff_command(args: argparse.Namespace) -> int:
    from pathlib import Path

    from components.cli.diff_run import run

    _check_timeout(args.timeout, 3600)
    result = run(args.stack, args.base, args.config, Path.cwd(), timeout=args.timeout)
    from components.cli import diff_render

    sys.stdout.write(for_terminal(diff_render.FORMATS[args.format](result)))
    return EXIT_NEGATIVE if args.exit_code and not result.empty else EXIT_OK


def adopt_command(args: argparse.Namespace) -> int:
    """Print a stack file adopting the state's IRSA roles (stdout) and what could not be mapped (stderr)."""
    from pathlib import Path

    from components.cli import go_yaml
    from components.cli.stackfile import parse_yaml
    from components.cli.untrusted import STACK_FILE_MAX_BYTES, read_json
    from components.core import adopt

    flag, given = ("--terraform", args.terraform) if args.terraform else ("--eksctl", args.eksctl)
    document = read_json(Path(given), flag, "adopt source", 16 * STACK_FILE_MAX_BYTES, "the tool's JSON output")
    report: list[str] = []
    try:
        if args.terraform:
            config, _ = adopt.from_terraform(document, args.cluster, args.region, report)
        elif args.oidc_provider_arn is None:
            allowed = "the cluster's IAM OIDC provider ARN (eksctl's output does not carry it)"
            raise InvalidInput([Problem("--oidc-provider-arn", "is required with --eksctl", allowed)])
        else:
            config, _ = adopt.from_eksctl(document, args.cluster, args.region, args.oidc_provider_arn, report)
        config = adopt.checked(config, args.stack, report)
    finally:
        for line in report:
            print(for_terminal(f"adopt: {line}"), file=sys.stderr)
    text = for_terminal(go_yaml.dump({"config": config}))
    size = len(text.encode())
    if size > STACK_FILE_MAX_BYTES:  # plan would refuse to read it
        raise InvalidInput([Problem("adopt's output", f"would be {size} bytes, over the "
                                    f"{STACK_FILE_MAX_BYTES} a stack file may be",
                                    "fewer roles per stack: adopt from a state holding a part of them")])  # fmt: skip
    if parse_yaml(text, "adopt's output") != {"config": config}:  # what plan and the Pulumi CLI will read
        raise InvalidInput([Problem("adopt's output", "reads back as something else than adopt meant",
                                    "a bug in irsa: report it with the source file")])  # fmt: skip
    sys.stdout.write(text)
    return EXIT_OK


def doctor_command(args: argparse.Namespace) -> int:
    import json

    from components.cli import doctor, doctor_scope, issuer_check
    from components.cli.stackfile import load_settings
    from components.core.config.cluster import check_issuer

    settings = load_settings(args.stack, args.config)
    workload = doctor_scope.find_workload(settings, args.workload)
    # The token is read first only when its iss must pick among the workload's clusters.
    token = None
    if args.cluster is None and len(settings.clusters_of(workload)) > 1:
        token = doctor.read_token(args.token)
    iss = token.claims.get("iss") if token is not None else None
    cluster = doctor_scope.pick_cluster(settings, workload, iss, args.cluster)
    doctor_scope.require_web_identity(settings, workload, cluster)
    doctor_scope.require_platform_values(settings, cluster)
    configured = cluster.issuer_url
    if args.issuer is not None:
        problems = check_issuer("--issuer", args.issuer, cluster.kind, custom=True)
        if problems:
            raise InvalidInput(problems)
        if configured is not None and args.issuer != configured:
            differs = f"differs from irsa:cluster.issuerUrl {quote(configured)}"
            raise InvalidInput([Problem("--issuer", differs, "leave it out, or pass that URL")])
    issuer = configured or args.issuer
    if args.issuer_check and issuer is None:
        raise InvalidInput(
            [
                Problem(
                    "--issuer-check",
                    "the stack's issuer is looked up at deploy time, and doctor never fetches from the token's "
                    "own unverified iss",
                    "pass --issuer URL, or set irsa:cluster.issuerUrl",
                )
            ]
        )
    _check_timeout(args.timeout, 300)
    connect_to = _address(args.connect_to)
    ca_pem = None
    if args.ca_file is not None:
        from components.cli.untrusted import read_text

        ca_pem = read_text(args.ca_file, "--ca-file", "PEM file of CA certificates", 1024 * 1024)
    token = token or doctor.read_token(args.token)
    report = doctor.diagnose(settings, workload, token, issuer=args.issuer, cluster=cluster)
    if args.issuer_check and issuer is not None:
        try:
            report.checks += issuer_check.issuer_checks(
                issuer, token.text, token.header, connect_to, ca_pem, args.timeout, pinned=cluster.thumbprints
            )
        except issuer_check.CouldNotCheck as error:
            report.could_not_check = f"the issuer did not answer: {error}"
    as_json = json.dumps(report.to_dict(), indent=2) + "\n"  # JSON escapes every control itself
    sys.stdout.write(as_json if args.format == "json" else for_terminal(report.to_text()))
    if report.rejected:
        return EXIT_NEGATIVE
    return EXIT_INVALID if report.could_not_check is not None else EXIT_OK


def _check_timeout(seconds: float, most: float) -> None:
    if not 0 < seconds <= most:
        raise InvalidInput([Problem("--timeout", f"{seconds:g} is out of range", f"1 to {most:g} seconds")])


def _address(value: str | None) -> tuple[str, int] | None:
    """ADDRESS:PORT → (address, port); InvalidInput on anything else."""
    if value is None:
        return None
    host, _, port = value.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise InvalidInput(
            [Problem("--connect-to", f"{quote(value)} is not ADDRESS:PORT", "for example 127.0.0.1:8443")]
        )
    return host.strip("[]"), int(port)


def main(argv: Sequence[str]) -> int:
    args = parser().parse_args(list(argv))
    try:
        if args.verb in ("plan", "diff", "doctor"):
            stack_outputs(args.stack_outputs)
        if args.verb == "plan":
            return plan_command(args.stack, args.config, args.format)
        if args.verb == "doctor":
            return doctor_command(args)
        if args.verb == "diff":
            return diff_command(args)
        if args.verb == "adopt":
            return adopt_command(args)
    except InvalidInput as error:
        for problem in error.problems:
            print(for_terminal(str(problem)), file=sys.stderr)
        return EXIT_INVALID
    return EXIT_INVALID
