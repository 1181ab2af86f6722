"""The AWS SDK for pandas managed layer the processor runs on: one release, its Python, what it
ships, and its ARN in every region it is published in.

Facts about AWS's layer, taken from the layer's published list (the awswrangler docs' "AWS
Lambda Managed Layers" page, the release 3.16.1 table, Python 3.12 x86_64). Layer version
numbers and, in opt-in regions, the publishing account differ per region, hence a map.

Why 3.16.1 and not 3.17.0: the 3.17.0 layers for Python 3.12+ (``AWSSDKPandas-Python312:29``)
segfault on any datetime64 construction (aws-sdk-pandas issue 3393: their pandas was built
against another numpy ABI; fixed in the build scripts after the release, layers not yet
republished), and the processor casts dates. To move: pick a release whose layers are
published, replace ``RELEASE``, ``LAYER_PINS`` and ``LAYER_ARNS`` together; the rehearsal test
(tests/infra/test_lambda_rehearsal.py) then runs the handler at the new pins.
"""

from __future__ import annotations

RELEASE = "3.16.1"
"""The aws-sdk-pandas release of the layer versions below."""
PYTHON_VERSION = "3.12"
"""The layer's (and so the Lambda runtime's) Python minor version."""
LAYER_NAME = "AWSSDKPandas-Python312"

LAYER_PINS = {
    "awswrangler": RELEASE,
    "pandas": "3.0.2",
    "numpy": "2.4.4",
    "pyarrow": "22.0.0",
}
"""What the layer ships of the libraries the processor uses. pyarrow is the layer's own build
(``ARROW_VERSION`` of the release's build script); pandas and numpy are what the release's
build resolved from PyPI when the layers were built, on its release day (2026-05-07).
boto3/botocore/s3transfer/urllib3 are removed from the layer: the Lambda runtime provides them.
"""

_DEFAULT_ACCOUNT = "336392948345"
_STANDARD_REGIONS = {
    "af-south-1": 26,
    "ap-northeast-1": 27,
    "ap-northeast-2": 27,
    "ap-northeast-3": 27,
    "ap-south-1": 27,
    "ap-southeast-1": 27,
    "ap-southeast-2": 27,
    "ca-central-1": 27,
    "eu-central-1": 27,
    "eu-north-1": 27,
    "eu-west-1": 27,
    "eu-west-2": 27,
    "eu-west-3": 27,
    "sa-east-1": 27,
    "us-east-1": 27,
    "us-east-2": 27,
    "us-west-1": 27,
    "us-west-2": 27,
}
_OPT_IN_REGIONS = {
    # region: (publishing account, layer version)
    "ap-east-1": ("839552336658", 25),
    "ap-south-2": ("246107603503", 25),
    "ap-southeast-3": ("258944054355", 25),
    "ap-southeast-4": ("945386623051", 25),
    "ca-west-1": ("941713567376", 2),
    "eu-central-2": ("956415814219", 25),
    "eu-south-1": ("774444163449", 25),
    "eu-south-2": ("982086096842", 25),
    "il-central-1": ("263840725265", 25),
    "me-central-1": ("593833071574", 25),
}
_CHINA_REGIONS = {
    "cn-north-1": ("406640652441", 9),
    "cn-northwest-1": ("406640652441", 9),
}


def _arn(partition: str, region: str, account: str, version: int) -> str:
    return f"arn:{partition}:lambda:{region}:{account}:layer:{LAYER_NAME}:{version}"


LAYER_ARNS: dict[str, str] = {
    **{r: _arn("aws", r, _DEFAULT_ACCOUNT, v) for r, v in _STANDARD_REGIONS.items()},
    **{r: _arn("aws", r, a, v) for r, (a, v) in _OPT_IN_REGIONS.items()},
    **{r: _arn("aws-cn", r, a, v) for r, (a, v) in _CHINA_REGIONS.items()},
}
"""Region -> the layer version ARN of ``RELEASE`` for Python 3.12 x86_64, every region the
layer is published in. Elsewhere (a newer region) pass ``sdkPandasLayerArn``."""
