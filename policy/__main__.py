"""Entry of the `irsa-security` policy pack: only builds the PolicyPack (which starts serving)."""

from pulumi_policy import PolicyPack
from rules import POLICIES

PolicyPack(name="irsa-security", policies=POLICIES)
