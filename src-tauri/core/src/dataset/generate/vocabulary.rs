//! The fixed vocabulary of the generated shop: people, streets, e-mail domains and products (its
//! shipping rates, taxes and coupons are listed where `catalogue.rs` builds them). Kept apart from
//! the generator so the data reads like a shop's catalogue.

/// One product of the small shop.
pub(super) struct ProductDef {
    pub name: &'static str,
    pub description: &'static str,
    /// Price in euro cents; other currencies are derived from it.
    pub eur: i64,
    /// Food, books: the reduced French VAT rate (5.5 %).
    pub reduced_vat: bool,
    pub shippable: bool,
    /// `(interval, interval_count)` for subscription products.
    pub recurring: Option<(&'static str, i64)>,
}

pub(super) const SHOP_PRODUCTS: &[ProductDef] = &[
    ProductDef {
        name: "Saint-Émilion Grand Cru 2018",
        description: "Bordeaux rouge, 75 cl — notes de fruits noirs et de réglisse.",
        eur: 3290,
        reduced_vat: false,
        shippable: true,
        recurring: None,
    },
    ProductDef {
        name: "Champagne Brut Réserve",
        description: "Champagne de vigneron, 75 cl.",
        eur: 3890,
        reduced_vat: false,
        shippable: true,
        recurring: None,
    },
    ProductDef {
        name: "Comté AOP 18 mois (250 g)",
        description: "Affiné 18 mois dans le Jura.",
        eur: 890,
        reduced_vat: true,
        shippable: true,
        recurring: None,
    },
    ProductDef {
        name: "Roquefort Société (200 g)",
        description: "Lait cru de brebis, caves de Roquefort.",
        eur: 690,
        reduced_vat: true,
        shippable: true,
        recurring: None,
    },
    ProductDef {
        name: "Café Éthiopie Yirgacheffe (250 g)",
        description: "Torréfaction claire, grains entiers.",
        eur: 1150,
        reduced_vat: true,
        shippable: true,
        recurring: None,
    },
    ProductDef {
        name: "Thé vert Sencha (100 g)",
        description: "Thé vert japonais de printemps.",
        eur: 950,
        reduced_vat: true,
        shippable: true,
        recurring: None,
    },
    ProductDef {
        name: "Chocolat noir 72 % — tablette",
        description: "Cacao du Pérou, 100 g.",
        eur: 450,
        reduced_vat: true,
        shippable: true,
        recurring: None,
    },
    ProductDef {
        name: "Coffret chocolats pralinés",
        description: "24 bouchées assorties.",
        eur: 2490,
        reduced_vat: true,
        shippable: true,
        recurring: None,
    },
    ProductDef {
        name: "Bougie parfumée Figuier",
        description: "Cire végétale, 40 h de combustion.",
        eur: 2800,
        reduced_vat: false,
        shippable: true,
        recurring: None,
    },
    ProductDef {
        name: "Livre « Fromages de France »",
        description: "Guide illustré, 320 pages.",
        eur: 2900,
        reduced_vat: true,
        shippable: true,
        recurring: None,
    },
    ProductDef {
        name: "Miel de lavande (250 g)",
        description: "Miel de Provence.",
        eur: 890,
        reduced_vat: true,
        shippable: true,
        recurring: None,
    },
    ProductDef {
        name: "Atelier dégustation (bon cadeau)",
        description: "Deux heures de dégustation en boutique, à offrir.",
        eur: 4500,
        reduced_vat: false,
        shippable: false,
        recurring: None,
    },
];

pub(super) const SUBSCRIPTION_PRODUCTS: &[ProductDef] = &[
    ProductDef {
        name: "Abonnement café — 1 kg par mois",
        description: "Un café de saison chaque mois.",
        eur: 3490,
        reduced_vat: true,
        shippable: true,
        recurring: Some(("month", 1)),
    },
    ProductDef {
        name: "Box fromages du mois",
        description: "Trois fromages affinés chaque mois.",
        eur: 3990,
        reduced_vat: true,
        shippable: true,
        recurring: Some(("month", 1)),
    },
    ProductDef {
        name: "Club des vins — trimestriel",
        description: "Trois bouteilles tous les trois mois.",
        eur: 8900,
        reduced_vat: false,
        shippable: true,
        recurring: Some(("month", 3)),
    },
    ProductDef {
        name: "Thé — abonnement annuel",
        description: "Douze thés sélectionnés sur l'année.",
        eur: 14900,
        reduced_vat: true,
        shippable: true,
        recurring: Some(("year", 1)),
    },
];

/// A shop price in `currency`, derived from the euro price and rounded like a real price list.
pub(super) fn convert_price(eur_cents: i64, currency: &str) -> i64 {
    match currency {
        // Rounded to 50 cents / 50 pence.
        "usd" => (eur_cents * 110 / 100 + 25) / 50 * 50,
        "gbp" => (eur_cents * 86 / 100 + 25) / 50 * 50,
        // Yen have no minor unit: 1 EUR ≈ 160 JPY, rounded to 10 yen.
        "jpy" => (eur_cents * 160 / 100 + 5) / 10 * 10,
        _ => eur_cents,
    }
}

pub(super) const FR_FIRST: &[&str] = &[
    "Émilie",
    "Théo",
    "Zoé",
    "Loïc",
    "Chloé",
    "Hélène",
    "François",
    "Noémie",
    "Gaëlle",
    "Jérôme",
    "Anaïs",
    "Benoît",
    "Cécile",
    "Aurélien",
    "Maëlys",
    "Léa",
    "Raphaël",
    "Inès",
    "Joël",
    "Célia",
];
pub(super) const FR_LAST: &[&str] = &[
    "Lefèvre",
    "Dubois",
    "Moreau",
    "Girard",
    "Mercier",
    "Lemaître",
    "Fontaine",
    "Chevalier",
    "Faure",
    "Ménard",
    "Leroy",
    "Brûlé",
    "Rousseau",
    "Benoît-Lagarde",
    "d'Aubigné",
    "Nguyễn",
];
pub(super) const EN_FIRST: &[&str] = &[
    "Oliver",
    "Amelia",
    "Harry",
    "Isla",
    "George",
    "Charlotte",
    "James",
    "Sophie",
    "Emily",
    "Jack",
];
pub(super) const EN_LAST: &[&str] = &[
    "Smith", "O'Brien", "Taylor", "Wright", "Hughes", "Evans", "Thompson", "Clarke", "MacLeod",
];
pub(super) const DE_NAMES: &[&str] = &[
    "Jürgen Müller",
    "Lena Schröder",
    "Günther Weiß",
    "Anja Groß",
    "Björn Köhler",
];
pub(super) const JP_NAMES: &[&str] = &["佐藤 花子", "鈴木 一郎", "高橋 美咲", "Kenji Tanaka"];

/// `(line1, line2, city, state, postal_code)` per country.
pub(super) type Street = (
    &'static str,
    Option<&'static str>,
    &'static str,
    Option<&'static str>,
    &'static str,
);

pub(super) const FR_STREETS: &[Street] = &[
    ("12 rue des Lilas", None, "Paris", None, "75011"),
    (
        "4 place Bellecour",
        Some("Bâtiment B, 3e étage"),
        "Lyon",
        None,
        "69002",
    ),
    ("27 quai des Chartrons", None, "Bordeaux", None, "33000"),
    (
        "15 avenue Jean Médecin",
        Some("Appt 12"),
        "Nice",
        None,
        "06000",
    ),
    ("3 impasse du Moulin", None, "Annecy", None, "74000"),
    ("56 boulevard de la Liberté", None, "Lille", None, "59000"),
    ("9 rue du Château", None, "Strasbourg", None, "67000"),
    (
        "21 rue de la République",
        Some("Escalier C"),
        "Marseille",
        None,
        "13002",
    ),
    ("1 chemin des Vignes", None, "Beaune", None, "21200"),
    (
        "18 rue Sainte-Catherine",
        None,
        "Saint-Étienne",
        None,
        "42000",
    ),
];
pub(super) const GB_STREETS: &[Street] = &[
    ("221B Baker Street", None, "London", None, "NW1 6XE"),
    (
        "14 Princes Street",
        Some("Flat 3"),
        "Edinburgh",
        None,
        "EH2 2AN",
    ),
    ("7 Deansgate", None, "Manchester", None, "M3 2BW"),
    ("32 Park Row", None, "Bristol", None, "BS1 5LJ"),
];
pub(super) const US_STREETS: &[Street] = &[
    (
        "350 Fifth Avenue",
        Some("Suite 4200"),
        "New York",
        Some("NY"),
        "10118",
    ),
    (
        "1 Market Street",
        None,
        "San Francisco",
        Some("CA"),
        "94105",
    ),
    ("233 S Wacker Dr", None, "Chicago", Some("IL"), "60606"),
    (
        "742 Evergreen Terrace",
        None,
        "Springfield",
        Some("OR"),
        "97477",
    ),
];
pub(super) const DE_STREETS: &[Street] = &[
    ("Friedrichstraße 43", None, "Berlin", None, "10117"),
    ("Marienplatz 8", None, "München", None, "80331"),
    ("Königsallee 60", Some("3. OG"), "Düsseldorf", None, "40212"),
];
pub(super) const JP_STREETS: &[Street] = &[
    (
        "1-1-2 Oshiage",
        None,
        "Sumida-ku",
        Some("Tokyo"),
        "131-0045",
    ),
    (
        "2-4-1 Shibakoen",
        Some("Tower 12F"),
        "Minato-ku",
        Some("Tokyo"),
        "105-0011",
    ),
    (
        "清水1-294",
        None,
        "京都市東山区",
        Some("京都府"),
        "605-0862",
    ),
];

pub(super) const EMAIL_DOMAINS: &[&str] = &[
    "gmail.com",
    "orange.fr",
    "free.fr",
    "laposte.net",
    "outlook.com",
    "icloud.com",
    "yahoo.co.uk",
];

pub(super) const HOSTILE_IMG: &str = "<img src=x onerror=alert(1)>";
pub(super) const HOSTILE_SCRIPT: &str = "<script>alert(1)</script>";

/// Lower-case ASCII for e-mail addresses ("Émilie Brûlé" → "emilie.brule").
pub(super) fn ascii_fold(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        let mapped = match c {
            'à' | 'â' | 'ä' | 'á' | 'À' | 'Â' => "a",
            'é' | 'è' | 'ê' | 'ë' | 'É' | 'È' | 'ễ' => "e",
            'î' | 'ï' | 'Î' => "i",
            'ô' | 'ö' | 'ó' | 'Ô' => "o",
            'ù' | 'û' | 'ü' | 'Ü' => "u",
            'ç' => "c",
            'ß' => "ss",
            'ñ' => "n",
            ' ' | '-' => ".",
            c if c.is_ascii_alphanumeric() => {
                out.push(c.to_ascii_lowercase());
                continue;
            }
            _ => "",
        };
        out.push_str(mapped);
    }
    let trimmed = out.trim_matches('.').to_string();
    if trimmed.is_empty() {
        "client".into()
    } else {
        trimmed
    }
}
