"""boto3 clients and awswrangler configuration that honour the endpoint override.

On AWS nothing is overridden; locally ``F1LAKE_AWS_ENDPOINT_URL`` points every service at the
moto server. Credentials come from boto3's default chain (the environment, a profile, the
Lambda's or instance's role), or, inside :func:`using_credentials`, from the credentials an
Airflow task handed down: its ``aws_default`` connection's, refreshable, never exported.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any, ParamSpec, TypeVar

import boto3
import botocore.loaders
import botocore.session
from botocore.credentials import CredentialProvider, CredentialResolver, Credentials
from botocore.exceptions import ClientError

from f1lake.settings import Settings

_P = ParamSpec("_P")
_R = TypeVar("_R")

_given_credentials: contextvars.ContextVar[Credentials | None] = contextvars.ContextVar(
    "f1lake_aws_credentials", default=None
)


class _Given(CredentialProvider):
    """The handed-down credentials as botocore's only provider: a refreshable object stays
    that object, so every client refreshes it before it expires (a long rate-limit wait)."""

    METHOD = "f1lake-handed-down"

    def __init__(self, credentials: Credentials) -> None:
        super().__init__()
        self._credentials = credentials

    def load(self) -> Credentials:
        return self._credentials


@contextmanager
def using_credentials(credentials: Credentials) -> Iterator[None]:
    """Sessions made inside the block (in this thread, and in threads started through
    :func:`in_context`) sign with ``credentials``; nothing is written to ``os.environ``, so
    two tasks in one process (``dag.test()``) never see each other's."""
    token = _given_credentials.set(credentials)
    try:
        yield
    finally:
        _given_credentials.reset(token)


def in_context(fn: Callable[_P, _R]) -> Callable[_P, _R]:
    """``fn`` to run in another thread with this thread's handed-down credentials."""
    context = contextvars.copy_context()

    def run(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        return context.copy().run(fn, *args, **kwargs)

    return run


@cache
def _loader() -> botocore.loaders.Loader:
    """One botocore data loader per process: it caches the parsed service models, which a
    fresh session would otherwise parse again (~0.1 s of JSON per client)."""
    return botocore.loaders.create_loader()


def session(settings: Settings) -> boto3.Session:
    core = botocore.session.Session()
    core.register_component("data_loader", _loader())
    given = _given_credentials.get()
    if given is not None:
        core.register_component("credential_provider", CredentialResolver([_Given(given)]))
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
