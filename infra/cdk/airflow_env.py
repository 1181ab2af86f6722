"""Write the env file that points docker-compose Airflow at a deployment.

    uv run python infra/cdk/airflow_env.py [--stack F1LakeAccess] [--region eu-west-1] \
        > infra/compose/aws.env
    docker compose --env-file infra/compose/aws.env up

Reads the access stack's outputs (CloudFormation DescribeStacks, with your AWS credentials).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import boto3
import click
from botocore.exceptions import BotoCoreError, ClientError

sys.path.insert(0, str(Path(__file__).resolve().parent))

from f1lake_infra.outputs import ACCESS_STACK_SUFFIX, OutputsError, env_file


def stack_outputs(cloudformation: Any, stack_name: str) -> dict[str, str]:
    stacks = cloudformation.describe_stacks(StackName=stack_name)["Stacks"]
    return {o["OutputKey"]: o["OutputValue"] for o in stacks[0].get("Outputs", [])}


@click.command()
@click.option(
    "--stack",
    "stack_name",
    default=f"F1Lake{ACCESS_STACK_SUFFIX}",
    show_default=True,
    help="The access stack (<stackPrefix>Access).",
)
@click.option("--region", default=None, help="The deployment's region (default: your profile's).")
def main(stack_name: str, region: str | None) -> None:
    try:
        cloudformation = boto3.client("cloudformation", region_name=region)
        click.echo(env_file(stack_outputs(cloudformation, stack_name)), nl=False)
    except (ClientError, BotoCoreError, OutputsError) as exc:
        raise click.ClickException(
            f"cannot read the outputs of stack {stack_name}: {exc}"
        ) from None


if __name__ == "__main__":
    main()
