"""The DataProtectionChecks pack: a table of rules, and the cdk-nag v3 plugin that runs them.

Each row names the rule id (``DataProtection-<AREA><n>``), its level, the recommendations it
implements (R-numbers of shared/reference/README.md), the violation (``info``), how to fix it
(``explanation``), the resource types it reads and its pure check function (``rules/<area>/<rule>.py``).
"""

from __future__ import annotations

import aws_cdk as cdk
from cdk_nag import NagMessageLevel, NagPack
from constructs import IConstruct

from secure_imagebuilder.nag import _engine
from secure_imagebuilder.nag._model import STACK_TYPE, Rule
from secure_imagebuilder.nag.rules.aud.trail_present import trail_present
from secure_imagebuilder.nag.rules.fips.fips_endpoints import fips_endpoints
from secure_imagebuilder.nag.rules.iam.identity_encryption_context import identity_encryption_context
from secure_imagebuilder.nag.rules.iam.imagebuilder_trust_scoped import imagebuilder_trust_scoped
from secure_imagebuilder.nag.rules.iam.no_wildcard_actions import no_wildcard_actions
from secure_imagebuilder.nag.rules.ib.distribution_kms_key import distribution_kms_key
from secure_imagebuilder.nag.rules.ib.document_kms_key import document_kms_key
from secure_imagebuilder.nag.rules.ib.ebs_mapping_encrypted import ebs_mapping_encrypted
from secure_imagebuilder.nag.rules.ib.encrypted_topic import encrypted_topic
from secure_imagebuilder.nag.rules.ib.imdsv2_required import imdsv2_required
from secure_imagebuilder.nag.rules.ib.logs_to_s3 import logs_to_s3
from secure_imagebuilder.nag.rules.ib.workflow_execution_role import workflow_execution_role
from secure_imagebuilder.nag.rules.kms.key_policy_encryption_context import key_policy_encryption_context
from secure_imagebuilder.nag.rules.kms.key_retained import key_retained
from secure_imagebuilder.nag.rules.kms.no_public_principal import no_public_principal
from secure_imagebuilder.nag.rules.kms.pending_window import pending_window
from secure_imagebuilder.nag.rules.kms.rotation_enabled import rotation_enabled
from secure_imagebuilder.nag.rules.ra.rolesanywhere_trust_scoped import rolesanywhere_trust_scoped
from secure_imagebuilder.nag.rules.ra.session_duration import session_duration
from secure_imagebuilder.nag.rules.ra.trust_anchor_notifications import trust_anchor_notifications
from secure_imagebuilder.nag.rules.sd.no_sensitive_data import no_sensitive_data
from secure_imagebuilder.nag.rules.sec.no_secrets import no_secrets
from secure_imagebuilder.nag.rules.tls.bucket_requires_tls import bucket_requires_tls
from secure_imagebuilder.nag.rules.tls.topic_requires_tls import topic_requires_tls
from secure_imagebuilder.nag.rules.url.no_document_auth_header import no_document_auth_header
from secure_imagebuilder.nag.rules.url.no_url_credentials import no_url_credentials

PACK_NAME = "DataProtection"
FIPS_CONTEXT_KEY = "secure-imagebuilder:fips"

ERROR, WARNING = NagMessageLevel.ERROR, NagMessageLevel.WARN
IB = "AWS::ImageBuilder::"
IDENTITY_POLICIES = (
    "AWS::IAM::Policy",
    "AWS::IAM::ManagedPolicy",
    "AWS::IAM::Role",
    "AWS::IAM::User",
    "AWS::IAM::Group",
)

# fmt: off
RULES: tuple[Rule, ...] = (
    # --- Image Builder ---------------------------------------------------------------------------
    Rule("IB1", ERROR, ("R5", "R10", "R11"),
         "The Image Builder component, workflow or container recipe is not encrypted with a customer managed "
         "KMS key.",
         "R10/R11: set KmsKeyId to a customer managed key (EncryptedComponent, EncryptedWorkflow and "
         "EncryptedContainerRecipe take `key=`); "
         "a missing KmsKeyId or an alias/aws/... AWS managed key cannot be audited or revoked by you.",
         (f"{IB}Component", f"{IB}Workflow", f"{IB}ContainerRecipe"), document_kms_key),
    Rule("IB2", ERROR, ("R5",),
         "An EBS block device mapping of the image or container recipe is not encrypted with a customer "
         "managed key.",
         "R5: set Ebs.Encrypted: true and Ebs.KmsKeyId to a customer managed key on every mapping "
         "(EncryptedImageRecipe "
         "does it) "
         "(BlockDeviceMappings, or InstanceConfiguration.BlockDeviceMappings for container recipes).",
         (f"{IB}ImageRecipe", f"{IB}ContainerRecipe"), ebs_mapping_encrypted),
    Rule("IB3", ERROR, ("R5",),
         "An AMI distribution does not encrypt the output AMI with a customer managed key.",
         "R5: set AmiDistributionConfiguration.KmsKeyId for every region (SecureDistributionConfiguration "
         "does it); "
         "the key policy must let the target accounts use the key.",
         (f"{IB}DistributionConfiguration",), distribution_kms_key),
    Rule("IB4", ERROR, ("R1", "R5"),
         "The infrastructure configuration does not require IMDSv2 on build and test instances.",
         "R1/R5: set InstanceMetadataOptions.HttpTokens to `required` (SecureInfrastructureConfiguration "
         "does it) so "
         "instance credentials cannot be "
         "read through a server-side request forgery.",
         (f"{IB}InfrastructureConfiguration",), imdsv2_required),
    Rule("IB5", ERROR, ("R4", "R17"),
         "The infrastructure configuration does not send build logs to an S3 bucket.",
         "R17: Image Builder keeps no logs; set Logging.S3Logs.S3BucketName to a bucket you own "
         "(ImageBuilderLogBucket) so build activity stays auditable.",
         (f"{IB}InfrastructureConfiguration",), logs_to_s3),
    Rule("IB6", ERROR, ("R5",),
         "The infrastructure configuration notifies an SNS topic that is not encrypted with a customer "
         "managed key.",
         "R5: give the topic named in SnsTopicArn a KmsMasterKeyId that is a customer managed key whose "
         "policy "
         "lets Image Builder publish (ImageBuilderNotificationTopic); an alias/aws/sns key cannot be used by "
         "the service.",
         (f"{IB}InfrastructureConfiguration",), encrypted_topic),
    Rule("IB7", ERROR, ("R1", "R11"),
         "The image or image pipeline runs workflows without naming an execution role.",
         "R11: set ExecutionRole to a role that the workflow key policy trusts (WorkflowExecutionRole); "
         "without it "
         "Image Builder uses "
         "its service-linked role, which the key policy cannot scope.",
         (f"{IB}Image", f"{IB}ImagePipeline"), workflow_execution_role),
    # --- KMS -------------------------------------------------------------------------------------
    Rule("KMS1", ERROR, ("R5",),
         "The symmetric KMS key does not rotate its key material.",
         "R5: set EnableKeyRotation: true (kms.Key(enable_key_rotation=True); ImageBuilderKey does it).",
         ("AWS::KMS::Key",), rotation_enabled),
    Rule("KMS2", ERROR, ("R15",),
         "The KMS key is deleted when the stack is deleted or the key is replaced.",
         "R15: deleting the key makes everything it encrypted unreadable; set DeletionPolicy and "
         "UpdateReplacePolicy to Retain (removal_policy=RemovalPolicy.RETAIN).",
         ("AWS::KMS::Key",), key_retained),
    Rule("KMS3", ERROR, ("R15",),
         "The KMS key has a deletion pending window shorter than 30 days.",
         "R15: leave PendingWindowInDays unset or set it to 30 so an accidental deletion can be cancelled.",
         ("AWS::KMS::Key",), pending_window),
    Rule("KMS4", ERROR, ("R1", "R5"),
         "The key policy allows any principal (`*`) without a condition that limits the caller.",
         "R1: name the principals, or add a condition on aws:PrincipalAccount, aws:PrincipalOrgID, "
         "aws:SourceAccount, aws:SourceArn, kms:CallerAccount or kms:ViaService.",
         ("AWS::KMS::Key",), no_public_principal),
    Rule("KMS5", ERROR, ("R12", "R13", "R16"),
         "The key policy of an Image Builder key lets a principal decrypt or generate data keys without the "
         "Image Builder encryption context condition.",
         "R12/R13: add Condition StringLike kms:EncryptionContext:aws:imagebuilder:arn = "
         "arn:<partition>:imagebuilder:*:<account>:workflow/* (ImageBuilderKey.grant_workflow_execution does "
         "it).",
         ("AWS::KMS::Key",), key_policy_encryption_context),
    # --- IAM -------------------------------------------------------------------------------------
    Rule("IAM1", ERROR, ("R12", "R14"),
         "An identity policy lets a principal decrypt or generate data keys with an Image Builder key "
         "without the "
         "Image Builder encryption context condition.",
         "R14: scope kms:Decrypt/kms:GenerateDataKey* on the key ARN with Condition StringLike "
         "kms:EncryptionContext:aws:imagebuilder:arn (ImageBuilderKey.grant_workflow_execution, not "
         "key.grant_decrypt).",
         IDENTITY_POLICIES, identity_encryption_context),
    Rule("IAM2", ERROR, ("R1",),
         "An identity policy allows `*` or `kms:*` actions (or uses NotAction with Allow).",
         "R1: list the actions the principal needs; least privilege.",
         IDENTITY_POLICIES, no_wildcard_actions),
    Rule("IAM3", ERROR, ("R1",),
         "A role trusted by imagebuilder.amazonaws.com has no aws:SourceAccount or aws:SourceArn condition.",
         "R1: add Condition StringEquals aws:SourceAccount (and/or ArnLike aws:SourceArn) to the trust "
         "statement to prevent the confused deputy problem.",
         ("AWS::IAM::Role",), imagebuilder_trust_scoped),
    # --- Sensitive data, URLs, secrets ----------------------------------------------------------
    Rule("SD1", ERROR, ("R8",),
         "A tag or free-form field (Name, Description, ChangeDescription, ...) holds an e-mail address, an "
         "AWS "
         "account number, an access key id or a secret.",
         "R8: tags and names are visible to anyone who can list the resource and end up in bills and logs; "
         "move the value to a parameter or secret, or reference the account through the AWS::AccountId "
         "pseudo "
         "parameter.",
         None, no_sensitive_data),
    Rule("URL1", ERROR, ("R9",),
         "A URL in a property carries credentials (user:password@ or a signed query string).",
         "R9: never put credentials in a URL given to a server; fetch from S3 with the instance role, or "
         "read "
         "the credential from Secrets Manager at run time.",
         None, no_url_credentials),
    Rule("URL2", ERROR, ("R9",),
         "A component or workflow document embeds an Authorization header, `--user user:pass` or a password.",
         "R9: read the credential from Secrets Manager or SSM Parameter Store at build time (or pass an "
         "Image "
         "Builder parameter) instead of writing it into the document.",
         (f"{IB}Component", f"{IB}Workflow", f"{IB}ContainerRecipe"), no_document_auth_header),
    Rule("SEC1", ERROR, ("R19", "R1"),
         "A property holds PEM private key material or an AWS secret access key.",
         "R19: private keys stay with their owner and secrets never enter templates; reference a Secrets "
         "Manager secret (dynamic reference) or keep the key on the host that uses it.",
         None, no_secrets),
    # --- TLS, audit, FIPS ------------------------------------------------------------------------
    Rule("TLS1", ERROR, ("R3",),
         "The S3 bucket policy does not deny requests without TLS (aws:SecureTransport) or below TLS 1.2 "
         "(s3:TlsVersion).",
         "R3: set enforce_ssl=True and minimum_tls_version=1.2 on s3.Bucket, or add both Deny statements to "
         "the AWS::S3::BucketPolicy.",
         ("AWS::S3::Bucket", "AWS::S3::BucketPolicy"), bucket_requires_tls),
    Rule("TLS2", ERROR, ("R3",),
         "The SNS topic policy does not deny sns:Publish when aws:SecureTransport is false.",
         "R3: set enforce_ssl=True on sns.Topic, or add the Deny statement to the AWS::SNS::TopicPolicy.",
         ("AWS::SNS::Topic", "AWS::SNS::TopicPolicy"), topic_requires_tls),
    Rule("AUD1", WARNING, ("R4", "R16"),
         "The stack holds Image Builder resources but no CloudTrail trail.",
         "R4/R16: record API activity (GenerateDataKey/Decrypt by imagebuilder.amazonaws.com) with a trail "
         "(ImageBuilderAuditTrail); if "
         "an organization or another stack's trail covers this account, acknowledge DataProtection-AUD1 on "
         "the "
         "stack.",
         (STACK_TYPE,), trail_present),
    Rule("FIPS1", ERROR, ("R7",),
         "With the context key secure-imagebuilder:fips true, a property names an AWS endpoint that is not a "
         "FIPS "
         "endpoint.",
         "R7: use the <service>-fips.<region>.amazonaws.com endpoint (see the AWS FIPS endpoint list).",
         None, fips_endpoints),
    # --- IAM Roles Anywhere ----------------------------------------------------------------------
    Rule("RA1", ERROR, ("R1", "R19"),
         "The Roles Anywhere profile allows sessions longer than one hour.",
         "R1: leave DurationSeconds unset (3600) or at most 3600; acknowledge DataProtection-RA1 with a "
         "reason "
         "if a job needs longer sessions.",
         ("AWS::RolesAnywhere::Profile",), session_duration),
    Rule("RA2", ERROR, ("R19",),
         "The trust anchor does not enable notifications for CA or end-entity certificate expiry.",
         "R19: add NotificationSettings with Enabled: true for CA_CERTIFICATE_EXPIRY and "
         "END_ENTITY_CERTIFICATE_EXPIRY so certificates are rotated before they expire.",
         ("AWS::RolesAnywhere::TrustAnchor",), trust_anchor_notifications),
    Rule("RA3", ERROR, ("R1", "R19"),
         "A role trusted by rolesanywhere.amazonaws.com is not limited by aws:SourceArn to a trust anchor.",
         "R1/R19: add Condition ArnEquals aws:SourceArn = the trust anchor ARN "
         "(TrustAnchor.attr_trust_anchor_arn) to the trust statement (RolesAnywhereAccess does it).",
         ("AWS::IAM::Role",), rolesanywhere_trust_scoped),
)
# fmt: on


class DataProtectionChecks(NagPack):
    """Checks the EC2 Image Builder and IAM Roles Anywhere data-protection guidance on any CloudFormation.

    Register with ``Validations.of(app).add_plugins(DataProtectionChecks(app))``; test with
    ``DataProtectionChecks().validate_scope(stack)``. Findings are acknowledged with
    ``Validations.of(construct).acknowledge(id="DataProtection-IB1", reason=...)``, or per finding for
    rules that report several (``id="DataProtection-KMS2[DeletionPolicy]"``).

    During ``app.synth()`` the pack reads the synthesized templates (no jsii round trip per resource);
    ``validate_scope`` reads the construct tree with one round trip per resource. See docs/rules.md.
    """

    def __init__(self, scope: IConstruct | None = None, *, verbose: bool | None = None) -> None:
        """Create the pack; ``verbose`` adds each rule's explanation to the violation description."""
        super().__init__(scope, verbose=verbose)
        self._pack_name = PACK_NAME
        self._verbose = bool(verbose)
        self._engine = _engine.Engine(RULES, PACK_NAME, FIPS_CONTEXT_KEY, verbose=self._verbose)

    @property
    def name(self) -> str:
        """The plugin name shown in the CDK validation report."""
        return "DataProtectionChecks"

    def validate_scope(self, scope: IConstruct) -> cdk.PolicyValidationPluginReport:
        """Check every CloudFormation resource under ``scope`` (unsynthesized construct tree)."""
        return self._engine.validate_tree(scope)

    def validate(self, context: cdk.IPolicyValidationContext) -> cdk.PolicyValidationPluginReport:
        """Entry point of ``app.synth()``: check the synthesized templates of the validated stacks."""
        return self._engine.validate_assembly(context)

    def _check_resource(self, node: cdk.CfnResource) -> None:
        """Unused: ``validate``/``validate_scope`` evaluate whole stacks in Python (see docs/rules.md)."""
