"""Seed moto as a China Telecom Cloud ZOS stand-in (an S3 API) for tests/it/cn_ctyun.rs.

Buckets, all in us-east-1 (the signing region ZOS clients use):
  zos-good     aws:kms with a named key, versioning on, access logging on, every public
               access block flag set (so its ACL and policy status are not asked)
  zos-logs     AES256, versioning suspended, ACL log-delivery-write (not public),
               no public access block, no policy
  zos-public   no default encryption, ACL public-read, no public access block
  zos-policy   no default encryption, a policy letting anyone read objects, a block that
               blocks public ACLs only (so its policy is still read)
  zos-private  no default encryption, a policy naming one account only (not public)
Then a read-only auditor (s3:Get*, s3:List*) whose key goes to --creds-out as
CLOUDCAP_MOTO_ACCESS_KEY_ID / CLOUDCAP_MOTO_SECRET_ACCESS_KEY.
"""

import argparse
import json
import os

import boto3

REGION = "us-east-1"
DUMMY = {"aws_access_key_id": "seedkey", "aws_secret_access_key": "seedsecret"}


def client(endpoint, service):
    return boto3.client(service, region_name=REGION, endpoint_url=endpoint, **DUMMY)


def policy(principal):
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": principal,
                    "Action": "s3:GetObject",
                    "Resource": "arn:aws:s3:::zos-policy/*",
                }
            ],
        }
    )


def seed(endpoint):
    s3 = client(endpoint, "s3")
    for name in ["zos-good", "zos-logs", "zos-public", "zos-policy", "zos-private"]:
        s3.create_bucket(Bucket=name)
    s3.put_bucket_encryption(
        Bucket="zos-good",
        ServerSideEncryptionConfiguration={
            "Rules": [
                {
                    "ApplyServerSideEncryptionByDefault": {
                        "SSEAlgorithm": "aws:kms",
                        "KMSMasterKeyID": "zos-cmk-0001",
                    }
                }
            ]
        },
    )
    s3.put_bucket_versioning(Bucket="zos-good", VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_acl(Bucket="zos-logs", ACL="log-delivery-write")
    s3.put_bucket_logging(
        Bucket="zos-good",
        BucketLoggingStatus={"LoggingEnabled": {"TargetBucket": "zos-logs", "TargetPrefix": "good/"}},
    )
    s3.put_public_access_block(
        Bucket="zos-good",
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )
    s3.put_bucket_encryption(
        Bucket="zos-logs",
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
        },
    )
    s3.put_bucket_versioning(Bucket="zos-logs", VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_versioning(Bucket="zos-logs", VersioningConfiguration={"Status": "Suspended"})
    s3.put_bucket_acl(Bucket="zos-public", ACL="public-read")
    s3.put_bucket_policy(Bucket="zos-policy", Policy=policy("*"))
    s3.put_public_access_block(
        Bucket="zos-policy",
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": False,
            "RestrictPublicBuckets": False,
        },
    )
    s3.put_bucket_policy(
        Bucket="zos-private", Policy=policy({"AWS": "arn:aws:iam::111122223333:root"})
    )


AUDITOR_POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["s3:Get*", "s3:List*"], "Resource": "*"}],
}


def create_auditor(endpoint, creds_out):
    iam = client(endpoint, "iam")
    iam.create_user(UserName="zos-auditor")
    created = iam.create_policy(
        PolicyName="zos-read-only", PolicyDocument=json.dumps(AUDITOR_POLICY)
    )
    iam.attach_user_policy(UserName="zos-auditor", PolicyArn=created["Policy"]["Arn"])
    key = iam.create_access_key(UserName="zos-auditor")["AccessKey"]
    fd = os.open(creds_out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(f"CLOUDCAP_MOTO_ACCESS_KEY_ID={key['AccessKeyId']}\n")
        out.write(f"CLOUDCAP_MOTO_SECRET_ACCESS_KEY={key['SecretAccessKey']}\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--creds-out", required=True)
    args = parser.parse_args()
    seed(args.endpoint)
    create_auditor(args.endpoint, args.creds_out)


if __name__ == "__main__":
    main()
