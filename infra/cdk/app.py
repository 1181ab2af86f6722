"""CDK entry point: ``cdk synth`` / ``cdk deploy --all`` from infra/cdk (see README.md)."""

from __future__ import annotations

import sys

import aws_cdk as cdk
from f1lake_infra.config import CONTEXT_KEYS, ConfigError, config_from_context
from f1lake_infra.nag import apply_nag
from f1lake_infra.stacks import build_stacks


def main() -> None:
    app = cdk.App()
    context = {key: app.node.try_get_context(key) for key in CONTEXT_KEYS}
    # Region/account come from the CLI profile (cdk deploy --profile ...), resolved at deploy.
    try:
        stacks = build_stacks(app, config_from_context(context))
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)
    apply_nag(app, stacks)
    app.synth()


if __name__ == "__main__":
    main()
