"""Every number a construct or a rule enforces, in one pure-Python module (no ``aws_cdk``).

Two kinds, each cited by its source:

- *security thresholds* (R-numbers): a construct refuses or warns about a value on the wrong side at
  synth time, and the rule of the same R-number reports it in any template. Both import it from here, so
  they never disagree.
- *service limits* (the AWS API references): the constructs check them before CloudFormation does, so a
  mistake is our error at synth time, naming the construct, instead of a failed deployment.

Ranges are ``(lowest, highest)``, both allowed.
"""

from __future__ import annotations

# --- Security thresholds ------------------------------------------------------------------------
MIN_PENDING_WINDOW_DAYS = 30
"""R15: a key scheduled for deletion waits the longest window KMS allows (KMS3); also the default."""

MAX_ROLES_ANYWHERE_SESSION_SECONDS = 3600
"""R1, R19: Roles Anywhere sessions last at most one hour unless acknowledged (RA1); also the default."""

MIN_TLS_VERSION = 1.2
"""R3: buckets refuse requests below TLS 1.2 (TLS1); ``ImageBuilderLogBucket`` sets it."""

BROAD_MANAGED_POLICIES = {
    "AdministratorAccess": "every action on every resource",
    "PowerUserAccess": "every action except IAM, Organizations and Account management, on every resource",
    "ReadOnlyAccess": "read access to every object of every bucket and every SSM parameter",
    "AmazonS3FullAccess": "read and write access to every object of every bucket (s3:*)",
    "AmazonS3ReadOnlyAccess": "read access to every object of every bucket (s3:Get*)",
    "AmazonInspectorFullAccess": (
        "control of every Amazon Inspector assessment of the account (inspector:* on every resource) and "
        "of the roles passed to it"
    ),
    "SecretsManagerReadWrite": "read and write access to every secret (secretsmanager:* on every resource)",
    "AmazonEC2RoleforSSM": (
        "read and write access to every object of every bucket (deprecated: AmazonSSMManagedInstanceCore "
        "replaces it)"
    ),
}
"""R1: AWS managed policies that reach data of others (every bucket, secret, key or action), by name, with
what they reach (https://docs.aws.amazon.com/aws-managed-policy/latest/reference/<name>.html). A build
instance role (whose credentials third-party component code holds) refuses them, and a Roles Anywhere role
carrying one needs its sessions scoped (rules IB9, RA4)."""

# --- Service limits -----------------------------------------------------------------------------
KMS_PENDING_WINDOW_DAYS = (7, 30)
"""``PendingWindowInDays`` of ``AWS::KMS::Key`` (KMS API reference, ScheduleKeyDeletion)."""

KMS_ROTATION_PERIOD_DAYS = (90, 2560)
"""``RotationPeriodInDays`` of ``AWS::KMS::Key`` (KMS API reference, EnableKeyRotation)."""

IAM_ROLE_SESSION_SECONDS = (3600, 43200)
"""``MaxSessionDuration`` of ``AWS::IAM::Role`` (IAM API reference, CreateRole)."""

ROLES_ANYWHERE_SESSION_SECONDS = (900, 43200)
"""``DurationSeconds`` of ``AWS::RolesAnywhere::Profile``."""

ROLES_ANYWHERE_EXPIRY_NOTIFICATION_DAYS = (1, 360)
"""``Threshold`` of a Roles Anywhere ``NotificationSetting``."""

ROLES_ANYWHERE_EXPIRY_NOTIFICATION_DEFAULT_DAYS = 45
"""The service's own default notification threshold."""

IMAGE_TESTS_TIMEOUT_MINUTES = (60, 1440)
"""``ImageTestsConfiguration.TimeoutMinutes`` (Image Builder API reference)."""

IMAGE_TESTS_TIMEOUT_DEFAULT_MINUTES = 720
"""Image Builder's default test time."""

LIFECYCLE_COUNT = (1, 1000)
"""A ``COUNT`` filter value of a lifecycle policy (API reference, LifecyclePolicyDetailFilter)."""

LIFECYCLE_LAST_LAUNCHED_DAYS = (1, 365)
"""``ExclusionRules.Amis.LastLaunched.Value`` in ``DAYS`` (API reference, LifecyclePolicyDetailExclusion
RulesAmisLastLaunched: 1-365 units); 0 would exclude nothing, so AMIs in use could be deleted (R1)."""


def within(value: float, bounds: tuple[float, float]) -> bool:
    """Whether ``value`` lies in the inclusive range ``bounds``."""
    return bounds[0] <= value <= bounds[1]
