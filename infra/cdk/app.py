"""CDK entry point: ``cdk synth`` / ``cdk deploy`` from infra/cdk (see README.md)."""

from __future__ import annotations

import aws_cdk as cdk
from f1lake_infra.config import CONTEXT_KEYS, config_from_context
from f1lake_infra.stack import F1LakeStack


def main() -> None:
    app = cdk.App()
    context = {key: app.node.try_get_context(key) for key in CONTEXT_KEYS}
    F1LakeStack(
        app,
        app.node.try_get_context("stackName") or "F1Lake",
        config=config_from_context(context),
        description="f1lake: Formula 1 results lake (S3, SQS, Lambda, Glue, Athena)",
        # Region/account from the CLI profile (cdk deploy --profile ...), resolved at deploy.
    )
    app.synth()


if __name__ == "__main__":
    main()
