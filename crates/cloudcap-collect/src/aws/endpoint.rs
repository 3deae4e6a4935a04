//! Partition-aware endpoint resolution for the AWS services cloudcap reads.
//!
//! Two partitions are supported: `aws` (DNS suffix `amazonaws.com`) and `aws-cn`
//! (`cn-north-1`, `cn-northwest-1`; suffix `amazonaws.com.cn`). IAM is global: in `aws-cn` it
//! is served from `iam.cn-north-1.amazonaws.com.cn` and signed for `cn-north-1`, elsewhere from
//! `iam.amazonaws.com` signed for `us-east-1`. Every other service used here is regional. With an
//! endpoint override (`AWS_ENDPOINT_URL`, e.g. moto on loopback) every service goes to that URL
//! and keeps the signing region it would have had.

/// A resolved endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// Scheme, host and port, no trailing slash.
    pub base: String,
    /// Region the request is signed for.
    pub signing_region: String,
}

/// AWS partition of a region.
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::IntoStaticStr)]
#[strum(serialize_all = "kebab-case")]
pub enum Partition {
    /// Commercial regions.
    Aws,
    /// China regions (Beijing, Ningxia).
    AwsCn,
}

impl Partition {
    /// The partition `region` belongs to.
    pub fn of(region: &str) -> Partition {
        if region.starts_with("cn-") {
            Partition::AwsCn
        } else {
            Partition::Aws
        }
    }

    /// Whether `region` belongs to this partition. Regions of the other AWS partitions
    /// (`us-gov-*`, the isolated `*-iso*` ones), which an emulator may list, are in neither.
    pub fn contains(self, region: &str) -> bool {
        let other = region.starts_with("us-gov-") || region.contains("-iso");
        match self {
            Partition::AwsCn => region.starts_with("cn-"),
            Partition::Aws => !region.starts_with("cn-") && !other,
        }
    }

    /// The ARN partition name.
    pub fn name(self) -> &'static str {
        self.into()
    }

    pub(crate) fn dns_suffix(self) -> &'static str {
        match self {
            Partition::Aws => "amazonaws.com",
            Partition::AwsCn => "amazonaws.com.cn",
        }
    }

    /// Region that signs global-service (IAM) requests.
    pub fn global_region(self) -> &'static str {
        match self {
            Partition::Aws => "us-east-1",
            Partition::AwsCn => "cn-north-1",
        }
    }
}

/// Resolves `service` in `region` (`global` means the partition's IAM home).
pub fn resolve(
    service: &str,
    region: &str,
    partition: Partition,
    endpoint_override: Option<&str>,
) -> Endpoint {
    let signing_region = if service == "iam" || region == "global" {
        partition.global_region().to_owned()
    } else {
        region.to_owned()
    };
    let base = match endpoint_override {
        Some(url) => url.trim_end_matches('/').to_owned(),
        None if service == "iam" => match partition {
            Partition::Aws => "https://iam.amazonaws.com".to_owned(),
            Partition::AwsCn => "https://iam.cn-north-1.amazonaws.com.cn".to_owned(),
        },
        None => format!(
            "https://{service}.{signing_region}.{}",
            partition.dns_suffix()
        ),
    };
    Endpoint {
        base,
        signing_region,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn china_partition() {
        let iam = resolve("iam", "global", Partition::AwsCn, None);
        assert_eq!(iam.base, "https://iam.cn-north-1.amazonaws.com.cn");
        assert_eq!(iam.signing_region, "cn-north-1");
        let kms = resolve("kms", "cn-northwest-1", Partition::AwsCn, None);
        assert_eq!(kms.base, "https://kms.cn-northwest-1.amazonaws.com.cn");
        assert_eq!(kms.signing_region, "cn-northwest-1");
        assert_eq!(Partition::of("cn-northwest-1"), Partition::AwsCn);
        assert!(Partition::AwsCn.contains("cn-northwest-1"));
        assert!(!Partition::AwsCn.contains("ap-east-1"));
        assert!(Partition::Aws.contains("ap-east-1"));
        assert!(!Partition::Aws.contains("cn-north-1"));
        assert!(!Partition::Aws.contains("us-gov-west-1"));
        assert!(!Partition::Aws.contains("us-isob-east-1"));
    }

    #[test]
    fn commercial_partition() {
        let iam = resolve("iam", "global", Partition::Aws, None);
        assert_eq!(iam.base, "https://iam.amazonaws.com");
        assert_eq!(iam.signing_region, "us-east-1");
        assert_eq!(
            resolve("s3", "eu-west-1", Partition::Aws, None).base,
            "https://s3.eu-west-1.amazonaws.com"
        );
    }

    #[test]
    fn override_keeps_signing_region() {
        let ec2 = resolve(
            "ec2",
            "cn-north-1",
            Partition::AwsCn,
            Some("http://127.0.0.1:5000/"),
        );
        assert_eq!(ec2.base, "http://127.0.0.1:5000");
        assert_eq!(ec2.signing_region, "cn-north-1");
        let iam = resolve(
            "iam",
            "global",
            Partition::AwsCn,
            Some("http://127.0.0.1:5000"),
        );
        assert_eq!(iam.signing_region, "cn-north-1");
    }
}
