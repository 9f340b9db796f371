from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings

from rekisteri.cli.base import RekisteriCommand
from rekisteri.cli.policy_gate import policy_require_consistent_with_code
from rekisteri.policy.loader import load_policy


class Command(RekisteriCommand):
    help = "Check a register description (policy TOML) without loading it."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        check = sub.add_parser("check", help="Check a policy file; exit 1 naming each problem.")
        check.add_argument("file", nargs="?", type=Path, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        path = options["file"] or Path(settings.REKISTERI_POLICY)
        loaded = load_policy(path)
        policy_require_consistent_with_code(loaded)
        policy = loaded.policy
        self.stdout.write(
            f"{path}: ok — {len(policy.purposes)} purposes, {len(policy.categories)} "
            f"categories, {len(policy.sources)} sources, content {loaded.content_hash[:12]}"
        )
