//! SHA-256 digests as a value type, and the RFC 6962 Merkle tree hash over manifest leaves.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest, Sha256};

/// A SHA-256 digest, written as 64 lowercase hex digits.
///
/// Ordering is byte order, which equals the lexical order of the hex form.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Sha256Hex([u8; 32]);

impl Sha256Hex {
    /// Returns the SHA-256 of `bytes`.
    pub fn of(bytes: &[u8]) -> Sha256Hex {
        Sha256Hex(Sha256::digest(bytes).into())
    }

    /// Wraps a raw 32-byte digest.
    pub fn from_bytes(bytes: [u8; 32]) -> Sha256Hex {
        Sha256Hex(bytes)
    }

    /// Returns the raw 32-byte digest.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Parses 64 lowercase hex digits; anything else (upper case, other lengths) is `None`.
    pub fn parse(s: &str) -> Option<Sha256Hex> {
        if s.len() != 64
            || !s
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        {
            return None;
        }
        let mut out = [0u8; 32];
        hex::decode_to_slice(s, &mut out).ok()?;
        Some(Sha256Hex(out))
    }

    /// The object's path inside a bundle: `objects/<first two hex digits>/<64 hex digits>`.
    pub fn object_path(&self) -> String {
        let h = self.to_string();
        format!("objects/{}/{}", &h[..2], h)
    }
}

impl fmt::Display for Sha256Hex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut buf = [0u8; 64];
        hex::encode_to_slice(self.0, &mut buf).map_err(|_| fmt::Error)?;
        // Hex digits are ASCII, so this cannot fail.
        f.write_str(std::str::from_utf8(&buf).map_err(|_| fmt::Error)?)
    }
}

impl fmt::Debug for Sha256Hex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Sha256Hex({self})")
    }
}

/// The error of parsing a [`Sha256Hex`] from text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a SHA-256 digest (64 lowercase hex digits)")]
pub struct ParseSha256Error(pub String);

impl FromStr for Sha256Hex {
    type Err = ParseSha256Error;

    fn from_str(s: &str) -> Result<Sha256Hex, ParseSha256Error> {
        Sha256Hex::parse(s).ok_or_else(|| ParseSha256Error(s.chars().take(80).collect()))
    }
}

impl Serialize for Sha256Hex {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Sha256Hex {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Sha256Hex, D::Error> {
        let s = Cow::<'de, str>::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl JsonSchema for Sha256Hex {
    fn schema_name() -> Cow<'static, str> {
        "Sha256Hex".into()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "pattern": "^[0-9a-f]{64}$",
            "description": "SHA-256 digest, 64 lowercase hex digits"
        })
    }
}

/// Hashes a leaf as RFC 6962 does: `SHA-256(0x00 || data)`.
pub fn merkle_leaf_hash(data: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(data);
    h.finalize().into()
}

/// Returns the RFC 6962 Merkle Tree Hash over already-hashed leaves.
///
/// `MTH({}) = SHA-256("")`, `MTH({d}) = leaf`, and for `n > 1` with `k` the largest power of two
/// below `n`: `MTH(D[n]) = SHA-256(0x01 || MTH(D[0:k]) || MTH(D[k:n]))`.
pub fn merkle_tree_hash(leaves: &[[u8; 32]]) -> Sha256Hex {
    Sha256Hex(match leaves.len() {
        0 => Sha256::digest([]).into(),
        _ => mth(leaves),
    })
}

/// The largest power of two strictly below `n` (`n >= 2`).
fn split_point(n: usize) -> usize {
    1usize << (n - 1).ilog2()
}

fn mth(leaves: &[[u8; 32]]) -> [u8; 32] {
    let n = leaves.len();
    if n == 1 {
        return leaves[0];
    }
    let k = split_point(n);
    let (left, right) = leaves.split_at(k);
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(mth(left));
    h.update(mth(right));
    h.finalize().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_point_is_largest_power_of_two_below_n() {
        for (n, k) in [
            (2usize, 1usize),
            (3, 2),
            (4, 2),
            (5, 4),
            (8, 4),
            (9, 8),
            (1000, 512),
        ] {
            assert_eq!(split_point(n), k, "n = {n}");
        }
    }

    #[test]
    fn three_leaf_tree_matches_hand_computation() {
        let l: Vec<[u8; 32]> = [b"a", b"b", b"c"]
            .iter()
            .map(|d| merkle_leaf_hash(*d))
            .collect();
        let node = |a: [u8; 32], b: [u8; 32]| -> [u8; 32] {
            let mut h = Sha256::new();
            h.update([1u8]);
            h.update(a);
            h.update(b);
            h.finalize().into()
        };
        let want = node(node(l[0], l[1]), l[2]);
        assert_eq!(merkle_tree_hash(&l).as_bytes(), &want);
        assert_eq!(
            merkle_tree_hash(&[]).to_string(),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn parse_is_strict() {
        let s = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        assert_eq!(Sha256Hex::parse(s).unwrap().to_string(), s);
        assert!(Sha256Hex::parse(&s.to_uppercase()).is_none());
        assert!(Sha256Hex::parse(&s[1..]).is_none());
    }
}
