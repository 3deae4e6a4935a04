//! The two languages of reports and the catalog's bilingual texts.

use serde::{Deserialize, Serialize};
use strum::{Display, EnumString, IntoStaticStr, VariantArray};

use crate::word;

/// The language of labels, sentences and control titles.
#[derive(
    Copy,
    Clone,
    Debug,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    Display,
    EnumString,
    IntoStaticStr,
    VariantArray,
)]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
pub enum Lang {
    #[default]
    En,
    Zh,
}

word!(Lang);

impl Lang {
    /// `en` when the language is English, `zh` when Chinese: the one place a pair of literal
    /// texts is chosen between.
    pub fn pick<'a>(self, en: &'a str, zh: &'a str) -> &'a str {
        match self {
            Lang::En => en,
            Lang::Zh => zh,
        }
    }
}

/// A `{ zh, en }` pair of texts.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Text {
    pub zh: String,
    pub en: String,
}

impl Text {
    /// The text in `lang`.
    pub fn get(&self, lang: Lang) -> &str {
        lang.pick(&self.en, &self.zh)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_lang() {
        let t = Text {
            zh: "访谈".into(),
            en: "interview".into(),
        };
        assert_eq!(t.get(Lang::Zh), "访谈");
        assert_eq!(t.get(Lang::En), "interview");
        assert_eq!(Lang::parse("zh"), Some(Lang::Zh));
        assert_eq!(Lang::parse("fr"), None);
        assert_eq!(Lang::default().as_str(), "en");
        assert_eq!(serde_json::to_string(&Lang::Zh).unwrap(), "\"zh\"");
    }
}
