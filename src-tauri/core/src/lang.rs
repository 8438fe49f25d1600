//! The two languages Comptoir speaks to people (README: "French or English following the OS"):
//! customers' emails follow the language of their checkout, packing slips and file names the
//! merchant's choice in Settings (else the system's).

/// French or English; English is the fallback for every other language.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Lang {
    Fr,
    #[default]
    En,
}

impl Lang {
    /// A language tag or locale as Stripe, the UI or the system give it ("fr", "fr-FR",
    /// "fr_CA.UTF-8", "en-GB", "de"): French when it names French, English otherwise.
    pub fn from_tag(tag: &str) -> Lang {
        if tag.trim().to_ascii_lowercase().starts_with("fr") {
            Lang::Fr
        } else {
            Lang::En
        }
    }

    /// A tag that may be missing (an order without a checkout locale): English then.
    pub fn from_optional_tag(tag: Option<&str>) -> Lang {
        tag.map_or(Lang::En, Lang::from_tag)
    }

    /// The merchant's language: the one chosen in Settings (`language`), else the system's
    /// (`LANG`), as the UI resolves it.
    pub fn from_settings(language: Option<&str>) -> Lang {
        match language {
            Some(lang) => Lang::from_tag(lang),
            None => std::env::var("LANG").map_or(Lang::En, |l| Lang::from_tag(&l)),
        }
    }

    /// The locale the UI formats with for this language when the system names no region of
    /// it (`resolveLocale` in ui/src/lib/i18n/translate.ts).
    pub fn locale(self) -> &'static str {
        match self {
            Lang::Fr => "fr-FR",
            Lang::En => "en-GB",
        }
    }

    /// Picks the French or the English text.
    pub fn pick<T>(self, fr: T, en: T) -> T {
        match self {
            Lang::Fr => fr,
            Lang::En => en,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_name_french_or_fall_back_to_english() {
        for fr in ["fr", "fr-FR", "FR", "fr_CA.UTF-8", " fr-BE"] {
            assert_eq!(Lang::from_tag(fr), Lang::Fr, "{fr}");
        }
        for en in ["en", "en-GB", "de-DE", "", "C.UTF-8"] {
            assert_eq!(Lang::from_tag(en), Lang::En, "{en}");
        }
        assert_eq!(Lang::from_optional_tag(None), Lang::En);
        assert_eq!(Lang::from_optional_tag(Some("fr-FR")), Lang::Fr);
        assert_eq!(Lang::from_settings(Some("fr")), Lang::Fr);
        assert_eq!(Lang::from_settings(Some("en")), Lang::En);
        assert_eq!(Lang::Fr.pick("Bonjour", "Hello"), "Bonjour");
        assert_eq!(Lang::En.pick("Bonjour", "Hello"), "Hello");
    }
}
