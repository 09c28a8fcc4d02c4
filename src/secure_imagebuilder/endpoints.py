"""``ImageBuilderVpcEndpoints``: VPC endpoints so that builds never leave the VPC (R18)."""

from __future__ import annotations

from collections.abc import Sequence

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from constructs import Construct

from secure_imagebuilder.core import checks, defaults, suppressions
from secure_imagebuilder.core.validation import ValidationProblems


class ImageBuilderVpcEndpoints(Construct):
    """Interface endpoints for the APIs a build calls, and the S3 gateway endpoint (R18).

    Creates one ``AWS::EC2::VPCEndpoint`` (private DNS on) per service of
    ``imagebuilder, ssm, ssmmessages, ec2messages, kms, logs`` (plus ``ecr.api`` and ``ecr.dkr`` with
    ``container=True``), a gateway endpoint for S3 whose policy lets requests reach only this account's
    buckets (and downloads from any bucket, for AWS-owned repositories), and one
    ``AWS::EC2::SecurityGroup`` that admits HTTPS from the VPC's CIDR only (R3). With them a build in an
    isolated subnet reaches AWS without a NAT gateway or the internet.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        vpc: ec2.IVpc,
        subnet_selection: ec2.SubnetSelection | None = None,
        container: bool = False,
        clients: Sequence[ec2.IConnectable] | None = None,
    ) -> None:
        """Create the endpoints.

        :param vpc: the VPC of the build instances.
        :param subnet_selection: where the interface endpoints go. Default: - one private subnet per AZ.
        :param container: add the ECR endpoints container builds need. Default: - ``False``.
        :param clients: who may connect (e.g. the build instances' security group). Default: - the VPC's
            CIDR.
        """
        problems = ValidationProblems(scope, id)
        checks.require_kinds(
            problems,
            vpc=(vpc, "vpc"),
            subnet_selection=(subnet_selection, "subnets"),
            container=(container, "bool"),
            clients=(clients, "connectables"),
        )
        problems.raise_if_any()
        super().__init__(scope, id)
        self.security_group = ec2.SecurityGroup(
            self,
            "SecurityGroup",
            vpc=vpc,
            allow_all_outbound=False,
            description="VPC interface endpoints for Image Builder: HTTPS from the VPC only",
        )
        https = ec2.Port.tcp(defaults.EGRESS_PORT)
        if clients:
            for client in clients:
                self.security_group.connections.allow_from(client, https, "HTTPS from clients (R3, R18)")
        else:
            self.security_group.add_ingress_rule(
                ec2.Peer.ipv4(vpc.vpc_cidr_block), https, "HTTPS from the VPC (R3, R18)"
            )
            suppressions.acknowledge(
                self.security_group,
                "AwsSolutions-EC23",
                "Ingress is HTTPS from the VPC's own CIDR block, an intrinsic the rule cannot "
                "resolve; nothing outside the VPC can reach the endpoints.",
            )
        services = list(defaults.INTERFACE_ENDPOINT_SERVICES)
        if container:
            services += defaults.CONTAINER_ENDPOINT_SERVICES
        self.interface_endpoints: dict[str, ec2.InterfaceVpcEndpoint] = {}
        for service in services:
            endpoint_id = "".join(part.capitalize() for part in service.replace(".", " ").split())
            self.interface_endpoints[service] = ec2.InterfaceVpcEndpoint(
                self,
                endpoint_id,
                vpc=vpc,
                service=ec2.InterfaceVpcEndpointAwsService(service, port=defaults.EGRESS_PORT),
                private_dns_enabled=True,
                subnets=subnet_selection,
                security_groups=[self.security_group],
                open=False,
            )
        self.s3_endpoint = ec2.GatewayVpcEndpoint(
            self,
            "S3",
            vpc=vpc,
            service=ec2.GatewayVpcEndpointAwsService.S3,
            subnets=[subnet_selection] if subnet_selection is not None else None,
        )
        self._restrict_s3_endpoint()

    def _restrict_s3_endpoint(self) -> None:
        # Without a policy the gateway endpoint allows every S3 request, so a private build could copy data
        # to any bucket in any account. Writes and every other request: only to buckets of this account
        # (aws:ResourceAccount). Reads: any object, because builds download from AWS-owned buckets whose
        # names vary by Region (Image Builder artifacts, the SSM agent, Amazon Linux package repositories)
        # ("Control access to VPC endpoints using endpoint policies", Amazon VPC PrivateLink guide).
        account = cdk.Stack.of(self).account
        self.s3_endpoint.add_to_policy(
            iam.PolicyStatement(
                sid="AllowRequestsToThisAccountsBuckets",
                principals=[iam.AnyPrincipal()],
                actions=["s3:*"],
                resources=["*"],
                conditions={"StringEquals": {"aws:ResourceAccount": account}},
            )
        )
        self.s3_endpoint.add_to_policy(
            iam.PolicyStatement(
                sid="AllowDownloadsFromAnyBucket",
                principals=[iam.AnyPrincipal()],
                actions=["s3:GetObject"],
                resources=["arn:" + cdk.Aws.PARTITION + ":s3:::*/*"],
            )
        )
