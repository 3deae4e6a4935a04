//! The shared vocabulary of cloudcap: every word more than one crate speaks.
//!
//! Catalog, evidence, engine, report, collect and the CLI all use these types; none of them
//! passes one of these words to another as a string. Each enum's string form is written once,
//! by a derive: serde (`rename_all`) for JSON and TOML, strum for `as_str`, `parse`, `Display`
//! and the list of variants, with the same case rule. The test `string_forms_agree` holds the
//! two derives to each other for every variant.
//!
//! The crate depends on nothing of ours, so every crate can depend on it.

mod lang;
mod words;

pub use lang::{Lang, Text};
pub use words::{
    AccountRole, AttestationResult, AttestationStatus, Automation, DecidedBy, EmptyResult,
    ErrorClass, Method, Provider, Require, Responsibility, ResultState, Tier, TierBasis,
    WaiverMode, WaiverStatus,
};

/// Gives an enum derived with strum's `IntoStaticStr`, `EnumString` and `VariantArray` the
/// inherent `as_str`, `parse` and `ALL` every caller uses, so no crate needs a trait import.
macro_rules! word {
    ($($ty:ident),* $(,)?) => {$(
        impl $ty {
            /// Every variant, in declaration order.
            pub const ALL: &'static [$ty] = <$ty as strum::VariantArray>::VARIANTS;

            /// The word as written in catalog, evidence and reports.
            pub fn as_str(self) -> &'static str {
                self.into()
            }

            /// Reads the word back; `None` for anything else.
            pub fn parse(s: &str) -> Option<$ty> {
                <$ty as std::str::FromStr>::from_str(s).ok()
            }
        }
    )*};
}
pub(crate) use word;
