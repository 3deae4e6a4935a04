//! The preferred Chinese term per concept, mirroring `controls/GLOSSARY.md` (a test checks that
//! both list the same terms). The lint warns on a listed variant in any zh text.

/// One concept: the preferred zh term and the variants to avoid.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Term {
    /// English name of the concept, as in the glossary's first column.
    pub concept: &'static str,
    pub preferred: &'static str,
    pub avoid: &'static [&'static str],
}

/// The glossary, in the order of `controls/GLOSSARY.md`.
pub const GLOSSARY: &[Term] = &[
    Term {
        concept: "cloud service provider",
        preferred: "云服务商",
        avoid: &["服务商", "云服务提供商", "云提供商"],
    },
    Term {
        concept: "cloud service customer",
        preferred: "云服务客户",
        avoid: &["云用户", "云租户"],
    },
    Term {
        concept: "customer-managed key",
        preferred: "客户管理密钥",
        avoid: &[
            "客户自管密钥",
            "客户管理的密钥",
            "客户自主管理密钥",
            "客户托管密钥",
            "客户密钥",
        ],
    },
    Term {
        concept: "mainland China",
        preferred: "中国大陆境内",
        avoid: &["中国境内", "中国境外"],
    },
    Term {
        concept: "crypto-erasure",
        preferred: "加密擦除",
        avoid: &["密码擦除"],
    },
    Term {
        concept: "approved cryptography",
        preferred: "符合国家密码管理要求的",
        avoid: &["国家认可的"],
    },
    Term {
        concept: "deny by default, allow by exception",
        preferred: "仅放行经批准的",
        avoid: &["按例外放行"],
    },
];

/// A variant found in a text: its byte offset in that text, the variant and its concept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Hit {
    pub offset: usize,
    pub variant: &'static str,
    pub term: &'static Term,
}

/// Every listed variant in `text`, in order, skipping a variant that lies inside an occurrence of
/// some preferred term (服务商 inside 云服务商).
pub(crate) fn variants_in(text: &str) -> Vec<Hit> {
    let covered = |start: usize, len: usize| {
        GLOSSARY.iter().any(|t| {
            text.match_indices(t.preferred)
                .any(|(p, m)| p <= start && start + len <= p + m.len())
        })
    };
    let mut hits = Vec::new();
    for term in GLOSSARY {
        for &variant in term.avoid {
            for (offset, _) in text.match_indices(variant) {
                if !covered(offset, variant.len()) {
                    hits.push(Hit {
                        offset,
                        variant,
                        term,
                    });
                }
            }
        }
    }
    hits.sort_by_key(|h| h.offset);
    // A longer variant and a shorter one at the same place (客户自主管理密钥 / 客户密钥 cannot
    // overlap, but future entries might): report each place once.
    hits.dedup_by_key(|h| h.offset);
    hits
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preferred_terms_are_not_flagged() {
        for t in GLOSSARY {
            assert!(variants_in(t.preferred).is_empty(), "{}", t.preferred);
        }
        assert!(variants_in("云服务商与客户").is_empty());
    }

    #[test]
    fn variants_are_flagged_with_their_offset() {
        let text = "由服务商负责，数据存放在中国境内。";
        let hits = variants_in(text);
        assert_eq!(hits.len(), 2, "{hits:?}");
        assert_eq!(hits[0].variant, "服务商");
        assert_eq!(hits[0].offset, "由".len());
        assert_eq!(hits[1].variant, "中国境内");
        assert_eq!(hits[1].term.preferred, "中国大陆境内");
    }

    #[test]
    fn a_variant_next_to_a_preferred_term_is_still_flagged() {
        // 云服务商 covers only its own occurrence, not a later bare 服务商.
        let hits = variants_in("云服务商和其他服务商");
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].offset, "云服务商和其他".len());
    }

    #[test]
    fn no_variant_is_also_a_preferred_term() {
        for t in GLOSSARY {
            for v in t.avoid {
                assert!(
                    !GLOSSARY.iter().any(|u| u.preferred == *v),
                    "{v} is both avoided and preferred"
                );
                assert!(!v.is_empty());
            }
        }
    }
}
