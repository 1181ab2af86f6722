"""boto3 clients and awswrangler configuration that honour the endpoint override.

On AWS nothing is overridden; locally ``F1LAKE_AWS_ENDPOINT_URL`` points every service at the
moto server. In Airflow, the session comes from the ``aws_default`` connection instead.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import boto3
import botocore.loaders
import botocore.session
from botocore.exceptions import ClientError

from f1lake.settings import Settings


@cache
def _loader() -> botocore.loaders.Loader:
    """One botocore data loader per process: it caches the parsed service models, which a
    fresh session would otherwise parse again (~0.1 s of JSON per client)."""
    return botocore.loaders.create_loader()


def session(settings: Settings) -> boto3.Session:
    core = botocore.session.Session()
    core.register_component("data_loader", _loader())
    return boto3.Session(botocore_session=core, region_name=settings.aws_region)


def client(service: str, settings: Settings, boto3_session: boto3.Session | None = None) -> Any:
    s = boto3_session or session(settings)
    return s.client(
        service, endpoint_url=settings.aws_endpoint_url, region_name=settings.aws_region
    )


def is_missing(exc: ClientError) -> bool:
    """Whether S3 answered that the object does not exist: a GET names the error (``NoSuchKey``),
    a HEAD has no body, so only its status says so (``404``; moto says ``NotFound``)."""
    return exc.response.get("Error", {}).get("Code", "") in ("404", "NoSuchKey", "NotFound")


def configure_wrangler(settings: Settings) -> None:
    """Point awswrangler's S3, Glue and STS calls at the endpoint override (if any)."""
    import awswrangler as wr

    endpoint = settings.aws_endpoint_url
    wr.config.s3_endpoint_url = endpoint
    wr.config.glue_endpoint_url = endpoint
    wr.config.sts_endpoint_url = endpoint
