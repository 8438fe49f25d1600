//! Text for the PDF slip in the PDF base-14 fonts Helvetica and Helvetica-Bold with
//! WinAnsiEncoding (README: Packing slips as PDF): every PDF reader and printer has these fonts,
//! so nothing is embedded, and the encoding covers French and the other Western European
//! languages (é, è, à, ç, œ, €, «», …). A Latin letter it lacks prints as its base letter ("ễ"
//! as "e", "ř" as "r", "ł" as "l"), so a name stays readable; any other character it lacks is
//! printed as "?" (visibly, never a broken file); an invisible formatting character (a bidi
//! mark, a zero-width joiner, a variation selector, a combining accent) is left out.
//!
//! The widths are Adobe's font metrics (the AFM files of the base-14 fonts), in thousandths of
//! the font size, for the WinAnsi codes 32 to 255; the slip wraps lines with them.

/// The two faces the slip uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Face {
    Regular,
    Bold,
}

impl Face {
    /// The base-14 font's PostScript name.
    pub fn base_font(self) -> &'static [u8] {
        match self {
            Face::Regular => b"Helvetica",
            Face::Bold => b"Helvetica-Bold",
        }
    }
}

/// Helvetica, codes 32..=255.
#[rustfmt::skip]
const HELVETICA: [u16; 224] = [
    // 32..=126: ASCII
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,
    1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,
    333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,
    556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
    // 127 (unused)
    350,
    // 128..=159
    556, 350, 222, 556, 333, 1000, 556, 556, 333, 1000, 667, 333, 1000, 350, 611, 350,
    350, 222, 222, 333, 333, 350, 556, 1000, 333, 1000, 500, 333, 944, 350, 500, 667,
    // 160..=255
    278, 333, 556, 556, 556, 556, 260, 556, 333, 737, 370, 556, 584, 333, 737, 333,
    400, 584, 333, 333, 333, 556, 537, 278, 333, 333, 365, 556, 834, 834, 834, 611,
    667, 667, 667, 667, 667, 667, 1000, 722, 667, 667, 667, 667, 278, 278, 278, 278,
    722, 722, 778, 778, 778, 778, 778, 584, 778, 722, 722, 722, 722, 667, 667, 611,
    556, 556, 556, 556, 556, 556, 889, 500, 556, 556, 556, 556, 278, 278, 278, 278,
    556, 556, 556, 556, 556, 556, 556, 584, 611, 556, 556, 556, 556, 500, 556, 500,
];

/// Helvetica-Bold, codes 32..=255.
#[rustfmt::skip]
const HELVETICA_BOLD: [u16; 224] = [
    // 32..=126: ASCII
    278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278,
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611,
    975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778,
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556,
    333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611,
    611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584,
    // 127 (unused)
    350,
    // 128..=159
    556, 350, 278, 556, 500, 1000, 556, 556, 333, 1000, 667, 333, 1000, 350, 611, 350,
    350, 278, 278, 500, 500, 350, 556, 1000, 333, 1000, 556, 333, 944, 350, 500, 667,
    // 160..=255
    278, 333, 556, 556, 556, 556, 280, 556, 333, 737, 370, 556, 584, 333, 737, 333,
    400, 584, 333, 333, 333, 611, 556, 278, 333, 333, 365, 556, 834, 834, 834, 611,
    722, 722, 722, 722, 722, 722, 1000, 722, 667, 667, 667, 667, 278, 278, 278, 278,
    722, 722, 778, 778, 778, 778, 778, 584, 778, 722, 722, 722, 722, 667, 667, 611,
    556, 556, 556, 556, 556, 556, 889, 556, 556, 556, 556, 556, 278, 278, 278, 278,
    611, 611, 611, 611, 611, 611, 611, 584, 611, 611, 611, 611, 611, 556, 611, 556,
];

/// The WinAnsi code of a character: `Some(code)`, `Some(b'?')` for one the encoding lacks, or
/// `None` for an invisible formatting character, which is left out.
pub fn encode_char(c: char) -> Option<u8> {
    let code = c as u32;
    match c {
        ' '..='~' => Some(code as u8),
        '\u{a0}'..='\u{ff}' => Some(code as u8),
        // Spaces of other widths (the narrow no-break space French amounts use).
        '\u{2000}'..='\u{200a}' | '\u{202f}' | '\u{205f}' | '\u{3000}' => Some(0xa0),
        '\t' | '\n' | '\r' => Some(b' '),
        '\u{20ac}' => Some(0x80),
        '\u{201a}' => Some(0x82),
        '\u{0192}' => Some(0x83),
        '\u{201e}' => Some(0x84),
        '\u{2026}' => Some(0x85),
        '\u{2020}' => Some(0x86),
        '\u{2021}' => Some(0x87),
        '\u{02c6}' => Some(0x88),
        '\u{2030}' => Some(0x89),
        '\u{0160}' => Some(0x8a),
        '\u{2039}' => Some(0x8b),
        '\u{0152}' => Some(0x8c),
        '\u{017d}' => Some(0x8e),
        '\u{2018}' => Some(0x91),
        '\u{2019}' => Some(0x92),
        '\u{201c}' => Some(0x93),
        '\u{201d}' => Some(0x94),
        '\u{2022}' => Some(0x95),
        '\u{2013}' => Some(0x96),
        '\u{2014}' => Some(0x97),
        '\u{02dc}' => Some(0x98),
        '\u{2122}' => Some(0x99),
        '\u{0161}' => Some(0x9a),
        '\u{203a}' => Some(0x9b),
        '\u{0153}' => Some(0x9c),
        '\u{017e}' => Some(0x9e),
        '\u{0178}' => Some(0x9f),
        '\u{2212}' | '\u{2010}' | '\u{2011}' => Some(b'-'),
        // Invisible: control characters, combining accents, zero-width and bidi marks,
        // variation selectors, the byte order mark.
        _ if c.is_control() => None,
        '\u{0300}'..='\u{036f}'
        | '\u{200b}'..='\u{200f}'
        | '\u{202a}'..='\u{202e}'
        | '\u{2060}'..='\u{206f}'
        | '\u{fe00}'..='\u{fe0f}'
        | '\u{feff}'
        | '\u{e0100}'..='\u{e01ef}' => None,
        _ => Some(b'?'),
    }
}

/// `text` in WinAnsi bytes (see [`encode_char`]); a letter the encoding lacks as its base
/// letter when it has one (its canonical decomposition's first character), else "?".
pub fn encode(text: &str) -> Vec<u8> {
    use unicode_normalization::char::decompose_canonical;
    let mut out = Vec::with_capacity(text.len());
    for c in text.chars() {
        match encode_char(c) {
            Some(b'?') if c != '?' => {
                let mut base = None;
                decompose_canonical(c, |d| {
                    base = base.or(Some(d));
                });
                let manual = match c {
                    'ł' => Some(b'l'),
                    'Ł' => Some(b'L'),
                    'đ' => Some(b'd'),
                    'Đ' => Some(b'D'),
                    'ı' => Some(b'i'),
                    _ => None,
                };
                let letter = base
                    .filter(|&b| b != c)
                    .and_then(encode_char)
                    .filter(|&b| b != b'?');
                out.push(letter.or(manual).unwrap_or(b'?'));
            }
            Some(b) => out.push(b),
            None => {}
        }
    }
    out
}

/// The width of WinAnsi `bytes` in `face` at `size` points.
pub fn width(bytes: &[u8], face: Face, size: f32) -> f32 {
    let table = match face {
        Face::Regular => &HELVETICA,
        Face::Bold => &HELVETICA_BOLD,
    };
    let units: u32 = bytes
        .iter()
        .map(|&b| u32::from(table[usize::from(b.max(32)) - 32]))
        .sum();
    units as f32 * size / 1000.0
}

/// WinAnsi `bytes` cut at spaces into lines no wider than `max` points; a word wider than that
/// is cut where it must. Runs of spaces count as one; no line is empty.
pub fn wrap(bytes: &[u8], face: Face, size: f32, max: f32) -> Vec<Vec<u8>> {
    let mut lines: Vec<Vec<u8>> = Vec::new();
    let mut cur: Vec<u8> = Vec::new();
    for word in bytes.split(|&b| b == b' ').filter(|w| !w.is_empty()) {
        let mut word = word;
        if !cur.is_empty() {
            let mut with = cur.clone();
            with.push(b' ');
            with.extend_from_slice(word);
            if width(&with, face, size) <= max {
                cur = with;
                continue;
            }
            lines.push(std::mem::take(&mut cur));
        }
        // The word starts a line; cut it while it is too wide.
        while width(word, face, size) > max {
            let mut n = word.len();
            while n > 1 && width(&word[..n], face, size) > max {
                n -= 1;
            }
            lines.push(word[..n].to_vec());
            word = &word[n..];
        }
        cur = word.to_vec();
    }
    if !cur.is_empty() {
        lines.push(cur);
    }
    lines
}

/// WinAnsi `bytes` cut to fit `max` points on one line, with "…" when cut.
pub fn fit(bytes: &[u8], face: Face, size: f32, max: f32) -> Vec<u8> {
    if width(bytes, face, size) <= max {
        return bytes.to_vec();
    }
    let mut n = bytes.len();
    let ellipsis = width(&[0x85], face, size);
    while n > 0 && width(&bytes[..n], face, size) + ellipsis > max {
        n -= 1;
    }
    let mut out = bytes[..n].to_vec();
    while out.last() == Some(&b' ') {
        out.pop();
    }
    out.push(0x85);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn french_and_the_euro_are_in_the_encoding() {
        assert_eq!(
            encode("Léa à Noël, ça coûte 12,50\u{a0}€ — œuf «\u{a0}Ÿ\u{a0}»"),
            b"L\xe9a \xe0 No\xebl, \xe7a co\xfbte 12,50\xa0\x80 \x97 \x9cuf \xab\xa0\x9f\xa0\xbb"
        );
        // The narrow no-break space of French amounts prints as a no-break space.
        assert_eq!(encode("1\u{202f}234,50\u{a0}€"), b"1\xa0234,50\xa0\x80");
    }

    #[test]
    fn what_the_encoding_lacks_is_a_question_mark_and_marks_are_left_out() {
        // Latin letters outside the encoding keep their base letter.
        assert_eq!(
            encode("Nguyễn Dvořák Łódź Ærø"),
            b"Nguyen Dvor\xe1k L\xf3dz \xc6r\xf8"
        );
        // Emoji, Arabic, Hebrew, CJK: visible as "?", one per character.
        assert_eq!(encode("Zoé 🎁"), b"Zo\xe9 ?");
        assert_eq!(encode("שלום"), b"????");
        assert_eq!(encode("مرحبا"), b"?????");
        assert_eq!(encode("東京"), b"??");
        // Bidi overrides, zero-width joiners, variation selectors and combining accents
        // take no room; controls neither.
        assert_eq!(
            encode("a\u{202e}b\u{200d}c\u{fe0f}e\u{301}\u{1b}\u{7}"),
            b"abce"
        );
    }

    #[test]
    fn widths_follow_the_font_metrics() {
        assert_eq!(width(b"", Face::Regular, 10.0), 0.0);
        // "Hello": H 722 + e 556 + l 222 + l 222 + o 556 = 2278.
        assert!((width(b"Hello", Face::Regular, 10.0) - 22.78).abs() < 1e-3);
        // Bold is wider: H 722 + e 556 + l 278 + l 278 + o 611 = 2445.
        assert!((width(b"Hello", Face::Bold, 10.0) - 24.45).abs() < 1e-3);
        assert!((width(b"\x80", Face::Regular, 1000.0) - 556.0).abs() < 1e-3);
    }

    #[test]
    fn wrapping_keeps_every_word_in_order_within_the_width() {
        let text = encode("Joyeux anniversaire Maman ! Nous pensons très fort à toi");
        let lines = wrap(&text, Face::Regular, 10.0, 100.0);
        assert!(lines.len() >= 3, "{lines:?}");
        assert!(lines
            .iter()
            .all(|l| width(l, Face::Regular, 10.0) <= 100.0 && !l.is_empty()));
        assert_eq!(lines.join(&b' '), text);
        // A word longer than a line is cut, nothing lost.
        let long = vec![b'W'; 80];
        let cut = wrap(&long, Face::Bold, 10.0, 50.0);
        assert!(cut.len() > 1);
        assert_eq!(cut.concat(), long);
        assert!(cut.iter().all(|l| width(l, Face::Bold, 10.0) <= 50.0));
        assert!(wrap(b"   ", Face::Regular, 10.0, 50.0).is_empty());
    }

    #[test]
    fn fitting_cuts_with_an_ellipsis() {
        assert_eq!(fit(b"short", Face::Regular, 10.0, 100.0), b"short");
        let cut = fit(&[b'm'; 50], Face::Regular, 10.0, 40.0);
        assert_eq!(cut.last(), Some(&0x85));
        assert!(width(&cut, Face::Regular, 10.0) <= 40.0);
    }
}
