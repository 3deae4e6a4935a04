//! Ed25519 keys and the detached signature `manifest.sig` over the exact bytes of `manifest.json`.
//!
//! Key files are text: a `-----BEGIN CLOUDCAP ED25519 PRIVATE KEY-----` (or `PUBLIC KEY`) line,
//! 64 hex digits (the 32-byte seed, or the 32-byte public key), and the matching `END` line.
//! A file holding only the 64 hex digits is accepted too. `manifest.sig` is JCS JSON:
//! `{"algorithm":"ed25519","public_key":"<64 hex>","signature":"<128 hex>"}`.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};

use crate::bundle::{Bundle, SIGNATURE_FILE};
use crate::error::{Error, Result};
use crate::fsio::Durable;

const PRIVATE_LABEL: &str = "CLOUDCAP ED25519 PRIVATE KEY";
const PUBLIC_LABEL: &str = "CLOUDCAP ED25519 PUBLIC KEY";

/// Signs the manifest of the finished bundle in `dir`, writing `manifest.sig` atomically.
pub fn sign_manifest(dir: &Path, key: &SigningKey) -> Result<()> {
    let bundle = Bundle::open(dir)?;
    let signature = key.sign(bundle.manifest_bytes());
    let file = SignatureFile {
        public_key: key.verifying_key(),
        signature,
    };
    Durable::default().write_atomic(&dir.join(SIGNATURE_FILE), &file.to_bytes())
}

/// The parsed contents of `manifest.sig`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignatureFile {
    /// The key that signed (as claimed by the file; verify against a trusted key).
    pub public_key: VerifyingKey,
    /// Ed25519 signature over the exact bytes of `manifest.json`.
    pub signature: Signature,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSignature {
    algorithm: String,
    public_key: String,
    signature: String,
}

impl SignatureFile {
    /// Parses `manifest.sig`, which must be canonical JCS.
    pub fn parse(bytes: &[u8]) -> Result<SignatureFile, String> {
        let raw: RawSignature = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
        if raw.algorithm != "ed25519" {
            return Err(format!("algorithm `{}` is not supported", raw.algorithm));
        }
        let pk = decode_fixed::<32>(&raw.public_key)
            .ok_or("public_key is not 64 lowercase hex digits")?;
        let public_key = VerifyingKey::from_bytes(&pk)
            .map_err(|e| format!("public_key is not an Ed25519 key: {e}"))?;
        let sig = decode_fixed::<64>(&raw.signature)
            .ok_or("signature is not 128 lowercase hex digits")?;
        let parsed = SignatureFile {
            public_key,
            signature: Signature::from_bytes(&sig),
        };
        if parsed.to_bytes() != bytes {
            return Err("not in canonical form".into());
        }
        Ok(parsed)
    }

    /// The file's canonical bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let raw = RawSignature {
            algorithm: "ed25519".into(),
            public_key: hex::encode(self.public_key.as_bytes()),
            signature: hex::encode(self.signature.to_bytes()),
        };
        serde_jcs::to_vec(&raw).expect("signature serializes")
    }
}

/// Verifies `signature` over `message` with `key` (strict Ed25519 verification).
pub(crate) fn verify_bytes(
    key: &VerifyingKey,
    message: &[u8],
    signature: &Signature,
) -> Result<(), String> {
    key.verify_strict(message, signature)
        .map_err(|e| e.to_string())
}

fn decode_fixed<const N: usize>(s: &str) -> Option<[u8; N]> {
    if s.len() != 2 * N || s.bytes().any(|b| b.is_ascii_uppercase()) {
        return None;
    }
    let mut out = [0u8; N];
    hex::decode_to_slice(s, &mut out).ok()?;
    Some(out)
}

/// Builds a signing key from a 32-byte seed (the CLI draws it from the OS random source).
pub fn signing_key_from_seed(seed: [u8; 32]) -> SigningKey {
    SigningKey::from_bytes(&seed)
}

/// Writes `path` (private key, mode 0600 on Unix) and `path.pub` (public key); refuses to overwrite.
/// Returns the public key file's path.
pub fn write_key_pair(path: &Path, key: &SigningKey) -> Result<PathBuf> {
    let pub_path = public_key_path(path);
    for p in [path, pub_path.as_path()] {
        if p.exists() {
            return Err(Error::Key {
                path: p.to_owned(),
                message: "already exists; refusing to overwrite a key".into(),
            });
        }
    }
    let private = armor(PRIVATE_LABEL, &hex::encode(key.to_bytes()));
    let mut opts = OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path).map_err(Error::io("create", path))?;
    f.write_all(private.as_bytes())
        .map_err(Error::io("write", path))?;
    f.sync_all().map_err(Error::io("fsync", path))?;
    let public = armor(PUBLIC_LABEL, &hex::encode(key.verifying_key().as_bytes()));
    fs::write(&pub_path, public).map_err(Error::io("write", &pub_path))?;
    Ok(pub_path)
}

/// `key` → `key.pub`.
pub fn public_key_path(path: &Path) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(".pub");
    PathBuf::from(s)
}

/// Reads a private key file.
pub fn read_signing_key(path: &Path) -> Result<SigningKey> {
    let seed = read_key_hex(path, PRIVATE_LABEL, PUBLIC_LABEL)?;
    Ok(SigningKey::from_bytes(&seed))
}

/// Reads a public key file.
pub fn read_verifying_key(path: &Path) -> Result<VerifyingKey> {
    let bytes = read_key_hex(path, PUBLIC_LABEL, PRIVATE_LABEL)?;
    VerifyingKey::from_bytes(&bytes).map_err(|e| Error::Key {
        path: path.to_owned(),
        message: format!("not an Ed25519 public key: {e}"),
    })
}

/// Parses a public key given as 64 hex digits.
pub fn parse_verifying_key_hex(s: &str) -> Option<VerifyingKey> {
    VerifyingKey::from_bytes(&decode_fixed::<32>(s.trim())?).ok()
}

fn armor(label: &str, hex: &str) -> String {
    format!("-----BEGIN {label}-----\n{hex}\n-----END {label}-----\n")
}

fn read_key_hex(path: &Path, want: &str, other: &str) -> Result<[u8; 32]> {
    let bad = |message: String| Error::Key {
        path: path.to_owned(),
        message,
    };
    let text = fs::read_to_string(path).map_err(Error::io("read", path))?;
    if text.contains(other) {
        return Err(bad(format!(
            "this is a {}, expected a {}",
            other.to_lowercase(),
            want.to_lowercase()
        )));
    }
    let body: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let hex = match body.as_slice() {
        [only] => *only,
        [begin, hex, end]
            if *begin == format!("-----BEGIN {want}-----")
                && *end == format!("-----END {want}-----") =>
        {
            *hex
        }
        _ => {
            return Err(bad(format!(
                "expected `-----BEGIN {want}-----`, 64 hex digits, `-----END {want}-----`"
            )));
        }
    };
    decode_fixed::<32>(&hex.to_ascii_lowercase())
        .ok_or_else(|| bad("the key is not 64 hex digits".into()))
}
