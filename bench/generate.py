"""Generate a stack file with N workloads (sampleJob false above 10), for the benchmark: inline up to INLINE_MOST,
else in workload files beside it (irsa:workloadFiles) of at most PER_FILE each (the engine's config wall and the
1 MiB cap per file)."""

from __future__ import annotations

import sys
from pathlib import Path

import yaml


def stack(n: int) -> dict:
    return {
        "config": {
            "aws:region": "ap-northeast-2",
            "irsa:cluster": {"kind": "eks", "name": "bench-cluster"},
            "irsa:workloads": [
                {
                    "name": f"w{i:04d}",
                    "namespace": f"ns{i % 20:02d}",
                    "serviceAccount": f"sa{i:04d}",
                    "sampleJob": n <= 10,
                    "s3": [{"bucket": f"bench-bucket-{i % 50:02d}", "prefix": f"w{i:04d}/", "access": "read-write"}],
                }
                for i in range(n)
            ],
        }
    }


FLOOR_MOST = 1000  # past it, the fleet shape: roles one per workload would pass IAM's roles quota


def fleet(n: int) -> dict:
    """A platform past one role per workload: two EKS clusters on Pod Identity, every tenth workload on its own role,
    the others twenty to a shared role (IAM's roles quota raised to its most, 5,000)."""
    workloads = []
    for i in range(n):
        workload = {
            "name": f"w{i:05d}",
            "namespace": f"ns{i % 50:02d}",
            "serviceAccount": f"sa{i:05d}",
            "sampleJob": False,
            "clusters": [f"fleet-{i % 2}"],
            "s3": [{"bucket": f"fleet-bucket-{i % 50:02d}", "prefix": f"w{i:05d}/", "access": "read-write"}],
        }
        if i % 10:
            workload["sharedRole"] = f"pool{i // 200:03d}-{i % 2}"  # each pool's workloads in one cluster
        workloads.append(workload)
    return {
        "config": {
            "aws:region": "ap-northeast-2",
            "irsa:accountId": "123456789012",
            "irsa:accountQuotas": {"roles": 5000},
            "irsa:clusters": [{"kind": "eks", "name": f"fleet-{k}", "mechanism": "pod-identity"} for k in range(2)],
            "irsa:workloads": workloads,
        }
    }


INLINE_MOST = 500
PER_FILE = 2000


def write(n: int, directory: Path) -> Path:
    """The stack file (and past INLINE_MOST its workload files, in bench<n>/ beside it); its path."""
    path = directory / f"Pulumi.bench{n}.yaml"
    document = stack(n) if n <= FLOOR_MOST else fleet(n)
    if n > INLINE_MOST:
        config = document["config"]
        workloads = config.pop("irsa:workloads")
        (directory / f"bench{n}").mkdir(exist_ok=True)
        names = []
        for k in range(0, n, PER_FILE):
            name = f"bench{n}/part-{k // PER_FILE:02d}.yaml"
            (directory / name).write_text(yaml.safe_dump({"workloads": workloads[k : k + PER_FILE]}, sort_keys=False))
            names.append(name)
        config["irsa:workloadFiles"] = names
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return path


if __name__ == "__main__":
    print(write(int(sys.argv[1]), Path(sys.argv[2])))
