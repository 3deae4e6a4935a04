#!/usr/bin/env python3
"""Seed a moto server with a known AWS account for cloudcap's collector tests.

Region cn-north-1 (partition aws-cn) holds a mix of good and bad configuration; cn-northwest-1,
the partition's other region, holds only what moto creates by itself (default VPC and security
group). The expected per-resource results are asserted in tests/it/moto.rs, so keep the two in
step.

With --scale N it instead seeds N of each main resource type (users, buckets, KMS keys,
security groups, volumes) for benches/aws_collect.sh.

Finally it creates the read-only auditor user whose access key the collector uses and
writes that key to --creds-out (mode 0600); the key is printed nowhere else.
"""

import argparse
import json
import os
import sys

import boto3

REGION = "cn-north-1"
DUMMY = {"aws_access_key_id": "seedkey", "aws_secret_access_key": "seedsecret"}

AUDITOR_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": [
                "iam:Get*", "iam:List*", "iam:GenerateCredentialReport",
                "s3:Get*", "s3:List*",
                "kms:Describe*", "kms:Get*", "kms:List*",
                "cloudtrail:Describe*", "cloudtrail:Get*",
                "ec2:Describe*",
                "config:Describe*",
                "guardduty:Get*", "guardduty:List*",
                "backup:Get*", "backup:List*",
                "rds:Describe*",
            ],
            "Resource": "*",
        }
    ],
}


def client(endpoint, service):
    return boto3.client(service, region_name=REGION, endpoint_url=endpoint, **DUMMY)


def seed_known(endpoint):
    iam = client(endpoint, "iam")
    iam.update_account_password_policy(
        MinimumPasswordLength=6,
        RequireSymbols=False,
        RequireNumbers=False,
        RequireUppercaseCharacters=False,
        RequireLowercaseCharacters=True,
        AllowUsersToChangePassword=True,
    )
    for name in ["alice", "bob", "carol", "dave"]:
        iam.create_user(UserName=name)
    # alice: console + MFA + AdministratorAccess attached directly.
    iam.create_login_profile(UserName="alice", Password="Correct-Horse-9!")
    mfa = iam.create_virtual_mfa_device(VirtualMFADeviceName="alice-mfa")
    iam.enable_mfa_device(
        UserName="alice",
        SerialNumber=mfa["VirtualMFADevice"]["SerialNumber"],
        AuthenticationCode1="123456",
        AuthenticationCode2="654321",
    )
    iam.attach_user_policy(
        UserName="alice",
        PolicyArn="arn:aws-cn:iam::aws:policy/AdministratorAccess",
    )
    # bob: console, no MFA, one access key.
    iam.create_login_profile(UserName="bob", Password="Correct-Horse-9!")
    iam.create_access_key(UserName="bob")
    # carol: API only, two keys, one of them deactivated.
    iam.create_access_key(UserName="carol")
    old = iam.create_access_key(UserName="carol")["AccessKey"]["AccessKeyId"]
    iam.update_access_key(UserName="carol", AccessKeyId=old, Status="Inactive")
    # dave: privileged through a group holding a customer "*:*" policy.
    star = iam.create_policy(
        PolicyName="everything",
        PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
        ),
    )["Policy"]["Arn"]
    iam.create_group(GroupName="admins")
    iam.attach_group_policy(GroupName="admins", PolicyArn=star)
    iam.add_user_to_group(GroupName="admins", UserName="dave")

    s3 = client(endpoint, "s3")
    loc = {"LocationConstraint": REGION}
    for name in ["cc-logs", "cc-good", "cc-plain", "cc-public"]:
        s3.create_bucket(Bucket=name, CreateBucketConfiguration=loc)
    s3.put_bucket_acl(Bucket="cc-logs", ACL="log-delivery-write")
    kms = client(endpoint, "kms")
    rotated = kms.create_key(Description="rotated")["KeyMetadata"]["KeyId"]
    kms.enable_key_rotation(KeyId=rotated)
    unrotated = kms.create_key(Description="unrotated")["KeyMetadata"]["KeyId"]
    # Keys automatic rotation does not apply to: an asymmetric signing key, and a disabled
    # symmetric key (a customer disabling a key is what dp-9.3 asks customers to be able to do).
    kms.create_key(Description="signing", KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")
    disabled = kms.create_key(Description="disabled")["KeyMetadata"]["KeyId"]
    kms.disable_key(KeyId=disabled)
    s3.put_bucket_encryption(
        Bucket="cc-good",
        ServerSideEncryptionConfiguration={
            "Rules": [
                {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": rotated}}
            ]
        },
    )
    s3.put_bucket_versioning(Bucket="cc-good", VersioningConfiguration={"Status": "Enabled"})
    s3.put_public_access_block(
        Bucket="cc-good",
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )
    s3.put_bucket_logging(
        Bucket="cc-good",
        BucketLoggingStatus={"LoggingEnabled": {"TargetBucket": "cc-logs", "TargetPrefix": "good/"}},
    )
    s3.put_bucket_encryption(
        Bucket="cc-public",
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
        },
    )
    s3.put_bucket_acl(Bucket="cc-public", ACL="public-read")

    ct = client(endpoint, "cloudtrail")
    ct.create_trail(
        Name="good-trail",
        S3BucketName="cc-logs",
        IsMultiRegionTrail=True,
        EnableLogFileValidation=True,
        KmsKeyId=rotated,
    )
    ct.start_logging(Name="good-trail")
    ct.put_event_selectors(
        TrailName="good-trail",
        EventSelectors=[{"ReadWriteType": "All", "IncludeManagementEvents": True}],
    )
    ct.create_trail(Name="weak-trail", S3BucketName="cc-logs")

    ec2 = client(endpoint, "ec2")
    vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    ec2.create_tags(Resources=[vpc], Tags=[{"Key": "Name", "Value": "no-flow"}])
    logged = ec2.create_vpc(CidrBlock="10.30.0.0/16")["Vpc"]["VpcId"]
    ec2.create_tags(Resources=[logged], Tags=[{"Key": "Name", "Value": "logged"}])
    ec2.create_flow_logs(
        ResourceIds=[logged],
        ResourceType="VPC",
        TrafficType="ALL",
        LogDestinationType="s3",
        LogDestination="arn:aws-cn:s3:::cc-logs",
    )
    ssh = ec2.create_security_group(GroupName="open-ssh", Description="ssh", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=ssh,
        IpPermissions=[{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
    )
    rdp = ec2.create_security_group(GroupName="open-rdp", Description="rdp", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=rdp,
        IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 3389, "ToPort": 3389, "Ipv6Ranges": [{"CidrIpv6": "::/0"}]},
            {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]},
        ],
    )
    openall = ec2.create_security_group(GroupName="open-all", Description="all", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=openall,
        IpPermissions=[{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
    )
    clean = ec2.create_security_group(GroupName="clean", Description="clean", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=clean,
        IpPermissions=[{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}],
    )
    az = REGION + "a"
    enc = ec2.create_volume(AvailabilityZone=az, Size=8, Encrypted=True, KmsKeyId=unrotated)["VolumeId"]
    plain = ec2.create_volume(AvailabilityZone=az, Size=8)["VolumeId"]
    ec2.create_tags(Resources=[enc], Tags=[{"Key": "Name", "Value": "vol-enc"}])
    ec2.create_tags(Resources=[plain], Tags=[{"Key": "Name", "Value": "vol-plain"}])

    cfg = client(endpoint, "config")
    cfg.put_configuration_recorder(
        ConfigurationRecorder={
            "name": "default",
            "roleARN": "arn:aws-cn:iam::123456789012:role/config",
            "recordingGroup": {"allSupported": True, "includeGlobalResourceTypes": True},
        }
    )
    cfg.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": "cc-logs"})
    cfg.start_configuration_recorder(ConfigurationRecorderName="default")

    client(endpoint, "guardduty").create_detector(Enable=True)
    client(endpoint, "backup").create_backup_plan(
        BackupPlan={
            "BackupPlanName": "daily",
            "Rules": [
                {
                    "RuleName": "daily",
                    "TargetBackupVaultName": "Default",
                    "ScheduleExpression": "cron(0 5 ? * * *)",
                    "Lifecycle": {"DeleteAfterDays": 35},
                }
            ],
        }
    )
    client(endpoint, "rds").create_db_instance(
        DBInstanceIdentifier="orders-db",
        DBInstanceClass="db.t3.micro",
        Engine="postgres",
        MasterUsername="admin",
        MasterUserPassword="not-a-real-pass-1",
        AllocatedStorage=20,
        StorageEncrypted=False,
        BackupRetentionPeriod=7,
        PubliclyAccessible=True,
    )


def seed_scale(endpoint, n):
    iam = client(endpoint, "iam")
    s3 = client(endpoint, "s3")
    kms = client(endpoint, "kms")
    ec2 = client(endpoint, "ec2")
    vpc = ec2.create_vpc(CidrBlock="10.40.0.0/16")["Vpc"]["VpcId"]
    for i in range(n):
        user = f"user-{i:04}"
        iam.create_user(UserName=user)
        iam.create_access_key(UserName=user)
        s3.create_bucket(Bucket=f"bench-{i:04}", CreateBucketConfiguration={"LocationConstraint": REGION})
        key = kms.create_key(Description=f"bench {i}")["KeyMetadata"]["KeyId"]
        if i % 2 == 0:
            kms.enable_key_rotation(KeyId=key)
        sg = ec2.create_security_group(GroupName=f"sg-{i:04}", Description="bench", VpcId=vpc)["GroupId"]
        ec2.authorize_security_group_ingress(
            GroupId=sg,
            IpPermissions=[{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
        )
        ec2.create_volume(AvailabilityZone=REGION + "a", Size=1, Encrypted=i % 2 == 0)


def create_auditor(endpoint, creds_out):
    iam = client(endpoint, "iam")
    iam.create_user(UserName="cloudcap-auditor")
    policy = iam.create_policy(PolicyName="cloudcap-read-only", PolicyDocument=json.dumps(AUDITOR_POLICY))
    iam.attach_user_policy(UserName="cloudcap-auditor", PolicyArn=policy["Policy"]["Arn"])
    key = iam.create_access_key(UserName="cloudcap-auditor")["AccessKey"]
    fd = os.open(creds_out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(f"CLOUDCAP_MOTO_ACCESS_KEY_ID={key['AccessKeyId']}\n")
        out.write(f"CLOUDCAP_MOTO_SECRET_ACCESS_KEY={key['SecretAccessKey']}\n")


ORG_REGION = "us-east-1"
# The organization lives in its own management account (partition aws), so the default
# account the other tests collect is left exactly as seed_known made it.
ORG_MANAGEMENT = "111122223333"
ORG_ROLE = "cloudcap-audit"


def account_client(endpoint, service, account):
    """A client acting in `account` (moto's x-moto-account-id header; signature checking is
    still off while seeding)."""
    c = boto3.client(service, region_name=ORG_REGION, endpoint_url=endpoint, **DUMMY)

    def pick_account(request, **_):
        request.headers["x-moto-account-id"] = account

    c.meta.events.register("before-sign.*.*", pick_account)
    return c


def seed_organization(endpoint, creds_out):
    """An organization with three member accounts for `collect aws --organization`
    (tests/it/moto_org.rs). Members `audited-a` and `audited-b` hold the read-only role
    cloudcap-audit; `unassumable` has none. moto 5.2.5 lets AssumeRole succeed for any role
    ARN (the role need not exist) and checks no trust policy of another account's role, so
    the refusal comes where AWS also refuses: the caller's identity policy allows
    sts:AssumeRole only on the two members' audit roles, and AssumeRole into the third is
    AccessDenied."""
    orgs = account_client(endpoint, "organizations", ORG_MANAGEMENT)
    orgs.create_organization(FeatureSet="ALL")
    members = {}
    for name in ["audited-a", "audited-b", "unassumable"]:
        status = orgs.create_account(AccountName=name, Email=f"{name}@example.com")
        members[name] = status["CreateAccountStatus"]["AccountId"]
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{ORG_MANAGEMENT}:root"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    for name in ["audited-a", "audited-b"]:
        iam = account_client(endpoint, "iam", members[name])
        iam.create_role(RoleName=ORG_ROLE, AssumeRolePolicyDocument=json.dumps(trust))
        iam.put_role_policy(
            RoleName=ORG_ROLE, PolicyName="read-only", PolicyDocument=json.dumps(AUDITOR_POLICY)
        )
    # One resource whose exact record the test asserts, in member audited-a.
    account_client(endpoint, "iam", members["audited-a"]).create_user(UserName="member-a-dev")

    iam = account_client(endpoint, "iam", ORG_MANAGEMENT)
    iam.create_user(UserName="org-auditor")
    policy = json.loads(json.dumps(AUDITOR_POLICY))
    policy["Statement"].append(
        {"Effect": "Allow", "Action": ["organizations:ListAccounts"], "Resource": "*"}
    )
    policy["Statement"].append(
        {
            "Effect": "Allow",
            "Action": ["sts:AssumeRole"],
            "Resource": [
                f"arn:aws:iam::{members[n]}:role/{ORG_ROLE}" for n in ["audited-a", "audited-b"]
            ],
        }
    )
    iam.put_user_policy(
        UserName="org-auditor", PolicyName="org-audit", PolicyDocument=json.dumps(policy)
    )
    key = iam.create_access_key(UserName="org-auditor")["AccessKey"]
    with open(creds_out, "a") as out:
        out.write(f"CLOUDCAP_MOTO_ORG_ACCESS_KEY_ID={key['AccessKeyId']}\n")
        out.write(f"CLOUDCAP_MOTO_ORG_SECRET_ACCESS_KEY={key['SecretAccessKey']}\n")
        out.write(f"CLOUDCAP_MOTO_ORG_MANAGEMENT={ORG_MANAGEMENT}\n")
        out.write(f"CLOUDCAP_MOTO_ORG_AUDITED={members['audited-a']},{members['audited-b']}\n")
        out.write(f"CLOUDCAP_MOTO_ORG_UNASSUMABLE={members['unassumable']}\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--creds-out", required=True)
    parser.add_argument("--scale", type=int, default=0)
    args = parser.parse_args()
    if args.scale:
        seed_scale(args.endpoint, args.scale)
    else:
        seed_known(args.endpoint)
    create_auditor(args.endpoint, args.creds_out)
    if not args.scale:
        seed_organization(args.endpoint, args.creds_out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
