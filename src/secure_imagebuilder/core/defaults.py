"""Secure defaults and service limits of every construct, each cited by the recommendation it implements.

Code, tests and docs read these names so that they always agree on the numbers.
The R-numbers refer to docs/recommendations.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import aws_cdk as cdk

from secure_imagebuilder.core import thresholds

if TYPE_CHECKING:
    from aws_cdk import aws_logs as logs

# --- KMS keys (R5, R15) -------------------------------------------------------------------------
KEY_ROTATION_ENABLED = True
"""R5: customer managed keys rotate their key material every year by default."""

KEY_REMOVAL_POLICY = cdk.RemovalPolicy.RETAIN
"""R15: deleting the key makes every workflow and component encrypted with it unusable."""

KEY_PENDING_WINDOW_DAYS = thresholds.MIN_PENDING_WINDOW_DAYS
"""R15: if someone schedules deletion anyway, the longest window KMS allows to cancel it."""

# --- The encryption context Image Builder uses (R12) -------------------------------------------
ENCRYPTION_CONTEXT_KEY = "kms:EncryptionContext:aws:imagebuilder:arn"
"""R12: the condition key that carries the ARN of the Image Builder resource being encrypted."""

IMAGEBUILDER_SERVICE = "imagebuilder.amazonaws.com"

# --- Image Builder document limits (CloudFormation resource specification) -----------------------
MAX_INLINE_DOCUMENT_CHARS = 16_000
"""``Data`` of AWS::ImageBuilder::Component and AWS::ImageBuilder::Workflow: at most 16,000 characters."""

NAME_PATTERN = r"^[-_A-Za-z0-9][-_A-Za-z0-9 ]{1,126}[-_A-Za-z0-9]\Z"
"""Image Builder resource names: 3-128 characters, letters, digits, ``-``, ``_`` and inner spaces."""

SEMANTIC_VERSION_PATTERN = r"^(0|[1-9][0-9]{0,8})\.(0|[1-9][0-9]{0,8})\.(0|[1-9][0-9]{0,8})\Z"
"""Image Builder semantic versions: ``major.minor.patch``, no leading zeros, no wildcard, no build."""

RECIPE_VERSION_PATTERN = r"^(0|[1-9][0-9]{0,8})\.(0|[1-9][0-9]{0,8})\.(0|[1-9][0-9]{0,8}|x)\Z"
"""Recipe versions may end in ``x``: Image Builder then picks the next free patch on every create
(auto-versioning, November 2025), so a recipe replaced by a changed component deploys without a new
hand-written version."""

AUTO_RECIPE_VERSION = "1.0.x"
"""The blueprint's recipe version: each change of a component makes a new 1.0.<n> recipe."""


# --- The version lock (immutable Image Builder versions) ---------------------------------------
VERSIONS_FILE_CONTEXT_KEY = "secure-imagebuilder:versions-file"
"""Context key naming the JSON file that remembers the content of each published version."""
RECORD_VERSIONS_CONTEXT_KEY = "secure-imagebuilder:record-versions"
"""Only ``cdk synth -c secure-imagebuilder:record-versions=true`` writes the lock; a plain synth reads it."""

# --- Build instances (R1, R5, R18) -------------------------------------------------------------
IMDS_HTTP_TOKENS = "required"
"""R5: IMDSv2 only; a request without a session token gets no instance credentials."""

IMDS_HOP_LIMIT = 1
"""R1: instance credentials never leave the build instance."""

IMDS_HOP_LIMIT_CONTAINERS = 2
"""R1: one more hop, so that a container build on the instance can still reach IMDSv2."""

TERMINATE_INSTANCE_ON_FAILURE = True
"""R1: a failed build leaves no running instance (with its credentials) behind."""

EGRESS_PORT = 443
"""R3, R18: build instances talk to AWS and package repositories over HTTPS only."""

SSM_MANAGED_POLICY = "AmazonSSMManagedInstanceCore"
"""R1: the AWS-maintained minimum the SSM agent needs; Image Builder drives builds through it."""

# --- Recipes (R5) ------------------------------------------------------------------------------
ROOT_DEVICE_NAME = "/dev/xvda"
"""The root device of Amazon Linux; Ubuntu and Windows use ``/dev/sda1``."""

ROOT_VOLUME_SIZE_GIB = 30
VOLUME_TYPE = "gp3"
"""R5: every EBS mapping is encrypted with the customer key; gp3 is the current general purpose type."""

DOCKERFILE_TEMPLATE = (
    "FROM {{{ imagebuilder:parentImage }}}\n"
    "{{{ imagebuilder:environments }}}\n"
    "{{{ imagebuilder:components }}}\n"
)
"""The minimal Dockerfile Image Builder documents for container recipes."""

# --- Logs (R5, R17) ----------------------------------------------------------------------------
LOG_PREFIX = "imagebuilder/"
"""R17: where build logs go in the log bucket."""

LOG_REMOVAL_POLICY = cdk.RemovalPolicy.RETAIN
"""R17: build logs outlive the stack."""

NONCURRENT_VERSION_EXPIRATION_DAYS = 365
"""R17: older versions of a log object are kept one year, then expire."""

ABORT_INCOMPLETE_UPLOADS_AFTER_DAYS = 7

LOG_RETENTION: logs.RetentionDays
"""R17: CloudWatch log groups keep build logs one year (``logs.RetentionDays.ONE_YEAR``).

Read on first use (PEP 562 ``__getattr__`` below): importing ``aws_logs`` costs every app ~0.06 s, and an
app of components alone never needs it.
"""

# --- Pipelines (R5, R8) ------------------------------------------------------------------------
IMAGE_SCANNING_ENABLED = True
"""R5: Amazon Inspector scans every image the pipeline builds."""

IMAGE_TESTS_ENABLED = True
ENHANCED_IMAGE_METADATA_ENABLED = True
SCHEDULE_START_CONDITION = "EXPRESSION_MATCH_AND_DEPENDENCY_UPDATES_AVAILABLE"
"""Scheduled builds run only when a component or the parent image has a newer version."""

AMI_NAME_SUFFIX = "-{{ imagebuilder:buildDate }}"
"""AMI names must be unique; Image Builder fills in the build date."""

# --- Distribution (R5) -------------------------------------------------------------------------
ACCOUNT_ID_PATTERN = r"^\d{12}\Z"
"""AWS account ids: exactly 12 digits."""

SSM_PARAMETER_DATA_TYPE = "aws:ec2:image"
"""The data type of the SSM parameters a distribution writes: SSM checks the value is an AMI id (AWS's
recommendation, Image Builder API reference, SsmParameterConfiguration)."""

# --- Audit (R4) --------------------------------------------------------------------------------
TRAIL_MULTI_REGION = True
TRAIL_FILE_VALIDATION = True
TRAIL_INCLUDE_GLOBAL_EVENTS = True
"""R4: one multi-Region trail, with digest files to prove the logs were not changed."""

# --- Inter-network privacy (R18) ---------------------------------------------------------------
INTERFACE_ENDPOINT_SERVICES = ("imagebuilder", "ssm", "ssmmessages", "ec2messages", "kms", "logs")
CONTAINER_ENDPOINT_SERVICES = ("ecr.api", "ecr.dkr")
"""R18: the AWS APIs a build reaches, as VPC interface endpoints (plus the S3 gateway endpoint)."""


def __getattr__(name: str) -> Any:
    """The defaults whose CDK type lives in a module that only some apps import."""
    if name == "LOG_RETENTION":
        from aws_cdk import aws_logs

        return aws_logs.RetentionDays.ONE_YEAR
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
