//! AWS credentials from the conventional sources, handed over by the CLI as [`AwsEnv`].

use std::path::PathBuf;

use crate::{aws::sigv4::AwsCredentials, secret::Secret};

/// The environment the CLI read (`AWS_*` variables and the home directory). The library never
/// reads the process environment itself.
#[derive(Debug, Clone, Default)]
pub struct AwsEnv {
    /// `AWS_ACCESS_KEY_ID`.
    pub access_key_id: Option<String>,
    /// `AWS_SECRET_ACCESS_KEY`.
    pub secret_access_key: Option<Secret>,
    /// `AWS_SESSION_TOKEN`.
    pub session_token: Option<Secret>,
    /// `--profile`, else `AWS_PROFILE`.
    pub profile: Option<String>,
    /// Whether the profile came from the command line (it then beats environment keys).
    pub profile_explicit: bool,
    /// `AWS_SHARED_CREDENTIALS_FILE`.
    pub shared_credentials_file: Option<PathBuf>,
    /// The home directory (for `~/.aws/credentials`).
    pub home: Option<PathBuf>,
}

/// Credentials could not be found or read. Never contains a secret.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CredentialError {
    /// Nothing configured.
    #[error(
        "no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE with a shared credentials file"
    )]
    Missing,
    /// Only half of a key pair in the environment.
    #[error("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set together")]
    Incomplete,
    /// The shared credentials file could not be read.
    #[error("cannot read {path}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Cause.
        #[source]
        source: std::io::Error,
    },
    /// The profile is not in the file or lacks keys.
    #[error("profile `{profile}` in {path} has no aws_access_key_id/aws_secret_access_key")]
    Profile {
        /// Profile name.
        profile: String,
        /// The file.
        path: PathBuf,
    },
}

/// Resolution order: an explicit `--profile`; else `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`
/// (+ `AWS_SESSION_TOKEN`); else `AWS_PROFILE` (or `default`) from the shared credentials file
/// (`AWS_SHARED_CREDENTIALS_FILE`, else `~/.aws/credentials`).
pub fn resolve_credentials(env: &AwsEnv) -> Result<AwsCredentials, CredentialError> {
    if !env.profile_explicit {
        match (&env.access_key_id, &env.secret_access_key) {
            (Some(id), Some(secret)) if !id.is_empty() => {
                return Ok(AwsCredentials {
                    access_key_id: id.clone(),
                    secret_access_key: secret.clone(),
                    session_token: env.session_token.clone(),
                });
            }
            (Some(_), None) | (None, Some(_)) => return Err(CredentialError::Incomplete),
            _ => {}
        }
    }
    let path = match (&env.shared_credentials_file, &env.home) {
        (Some(path), _) => path.clone(),
        (None, Some(home)) => home.join(".aws").join("credentials"),
        (None, None) => return Err(CredentialError::Missing),
    };
    let profile = env.profile.clone().unwrap_or_else(|| "default".to_owned());
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound && env.profile.is_none() => {
            return Err(CredentialError::Missing);
        }
        Err(source) => return Err(CredentialError::Read { path, source }),
    };
    parse_profile(&text, &profile).ok_or(CredentialError::Profile { profile, path })
}

/// Reads one `[profile]` section of an INI-style shared credentials file.
fn parse_profile(text: &str, profile: &str) -> Option<AwsCredentials> {
    let mut in_section = false;
    let (mut id, mut secret, mut token) = (None, None, None);
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            let name = name.trim();
            in_section =
                name == profile || name.strip_prefix("profile ").map(str::trim) == Some(profile);
            continue;
        }
        if !in_section {
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let value = value.trim().to_owned();
        match key.trim().to_ascii_lowercase().as_str() {
            "aws_access_key_id" => id = Some(value),
            "aws_secret_access_key" => secret = Some(Secret::new(value)),
            "aws_session_token" => token = Some(Secret::new(value)),
            _ => {}
        }
    }
    Some(AwsCredentials {
        access_key_id: id?,
        secret_access_key: secret?,
        session_token: token,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "[default]\naws_access_key_id = AKIADEFAULT\naws_secret_access_key = s3cr3t-default\n\n[audit]\naws_access_key_id=AKIAAUDIT\naws_secret_access_key=s3cr3t-audit\naws_session_token=tok\n";

    fn env_with_file(profile: Option<&str>, explicit: bool) -> (tempfile::TempDir, AwsEnv) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("credentials");
        std::fs::write(&path, FILE).unwrap();
        let env = AwsEnv {
            profile: profile.map(str::to_owned),
            profile_explicit: explicit,
            shared_credentials_file: Some(path),
            ..AwsEnv::default()
        };
        (dir, env)
    }

    #[test]
    fn environment_keys_win_over_aws_profile() {
        let (_dir, mut env) = env_with_file(Some("audit"), false);
        env.access_key_id = Some("AKIAENV".into());
        env.secret_access_key = Some(Secret::new("env-secret"));
        assert_eq!(resolve_credentials(&env).unwrap().access_key_id, "AKIAENV");
        env.profile_explicit = true;
        let creds = resolve_credentials(&env).unwrap();
        assert_eq!(creds.access_key_id, "AKIAAUDIT");
        assert_eq!(creds.session_token.unwrap().expose(), "tok");
    }

    #[test]
    fn default_profile_and_missing_profile() {
        let (_dir, env) = env_with_file(None, false);
        let creds = resolve_credentials(&env).unwrap();
        assert_eq!(creds.secret_access_key.expose(), "s3cr3t-default");
        let (_dir, env) = env_with_file(Some("nope"), true);
        let err = resolve_credentials(&env).unwrap_err();
        assert!(matches!(err, CredentialError::Profile { .. }));
    }

    #[test]
    fn errors_and_debug_never_show_secrets() {
        let (_dir, env) = env_with_file(Some("audit"), true);
        let creds = resolve_credentials(&env).unwrap();
        let shown = format!("{creds:?} {env:?}");
        assert!(!shown.contains("s3cr3t"), "{shown}");
        let half = AwsEnv {
            secret_access_key: Some(Secret::new("s3cr3t-x")),
            ..AwsEnv::default()
        };
        let err = resolve_credentials(&half).unwrap_err();
        assert!(!format!("{err} {err:?}").contains("s3cr3t"));
    }
}
