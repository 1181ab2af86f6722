"""CDK entry point: ``cdk synth`` / ``cdk deploy --all`` from infra/cdk (see README.md)."""

from __future__ import annotations

import sys

import aws_cdk as cdk
from f1lake_infra.config import (
    CONTEXT_KEYS,
    ConfigError,
    DeployConfig,
    config_from_context,
    require_airflow_principal,
)


def deploy_config(app: cdk.App) -> DeployConfig:
    """The parameters from the app's context, every one checked; a mistake exits 2 at once."""
    context = {key: app.node.try_get_context(key) for key in CONTEXT_KEYS}
    try:
        config = config_from_context(context)
        require_airflow_principal(config)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)
    return config


def main() -> None:
    app = cdk.App()
    # Region/account come from the CLI profile (cdk deploy --profile ...), resolved at deploy.
    config = deploy_config(app)
    # Loaded after the check: the stacks' modules take seconds to import (jsii), and building
    # them bundles the Lambda.
    from f1lake_infra.nag import apply_nag
    from f1lake_infra.stacks import build_stacks

    stacks = build_stacks(app, config)
    apply_nag(app, stacks)
    app.synth()


if __name__ == "__main__":
    main()
