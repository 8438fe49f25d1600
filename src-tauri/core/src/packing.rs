//! Packing mode's rules (README: Packing mode): which codes a product answers to, and ticking
//! an order's units one scan at a time. Pure functions: the window keeps the ticks of the order
//! on the bench and asks here for each scan, so the rule is written once.

use serde_json::Value;

use crate::model::{PackLine, PackTick, PRODUCT_CODE_KEYS_DEFAULT};
use crate::problem::Problem;

/// The longest code a scanner's scan or a linked code may be, in characters.
pub const MAX_CODE_CHARS: usize = 64;
/// The most metadata keys read for codes.
pub const MAX_CODE_KEYS: usize = 10;

/// A scan as compared: trimmed, control characters dropped (a scanner may send a tab).
pub fn clean_scan(scan: &str) -> String {
    scan.chars()
        .filter(|c| !c.is_control())
        .collect::<String>()
        .trim()
        .to_owned()
}

/// The metadata keys from their setting ("sku, barcode"), lower case, in order, without
/// repeats. Refused (`product_code_keys_invalid`) when empty, too many, or a key with other
/// than letters, digits, `_` or `-`.
pub fn parse_keys(text: &str) -> Result<Vec<String>, Problem> {
    let mut keys: Vec<String> = Vec::new();
    for k in text.split([',', ' ', ';', '\n']) {
        let k = k.trim().to_lowercase();
        if k.is_empty() {
            continue;
        }
        let ok = k.len() <= 40
            && k.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if !ok {
            return Err(Problem::ProductCodeKeysInvalid {
                max: MAX_CODE_KEYS as u32,
            });
        }
        if !keys.contains(&k) {
            keys.push(k);
        }
    }
    if keys.is_empty() || keys.len() > MAX_CODE_KEYS {
        return Err(Problem::ProductCodeKeysInvalid {
            max: MAX_CODE_KEYS as u32,
        });
    }
    Ok(keys)
}

/// The keys read unless Settings says otherwise.
pub fn default_keys() -> Vec<String> {
    PRODUCT_CODE_KEYS_DEFAULT
        .iter()
        .map(|k| (*k).to_owned())
        .collect()
}

/// A product's codes from its metadata: the values under `keys` (a key matched without regard
/// to case), trimmed, in the keys' order, each once.
pub fn metadata_codes(metadata: &Value, keys: &[String]) -> Vec<String> {
    let Some(map) = metadata.as_object() else {
        return Vec::new();
    };
    let mut out: Vec<String> = Vec::new();
    for key in keys {
        for (k, v) in map {
            if !k.eq_ignore_ascii_case(key) {
                continue;
            }
            if let Some(code) = v.as_str().map(clean_scan).filter(|c| !c.is_empty()) {
                if !out.iter().any(|o| o.eq_ignore_ascii_case(&code)) {
                    out.push(code);
                }
            }
        }
    }
    out
}

/// A linked code as Settings takes it: cleaned, 1 to [`MAX_CODE_CHARS`] characters.
pub fn check_code(code: &str) -> Result<String, Problem> {
    let c = clean_scan(code);
    if c.is_empty() || c.chars().count() > MAX_CODE_CHARS {
        return Err(Problem::ProductCodeInvalid {
            max: MAX_CODE_CHARS as u32,
        });
    }
    Ok(c)
}

/// Ticks one unit for a scan: a code of a line's product (case-insensitive) ticks the first
/// such line with a unit left; else a line's number ("2") ticks that line. A code on no line
/// and no line's number is `pack_wrong_item`; a line already complete is `pack_too_many`.
/// `ticked` holds the units ticked per line so far (missing entries count as none).
pub fn tick(lines: &[PackLine], ticked: &[i64], scan: &str) -> Result<PackTick, Problem> {
    let scan = clean_scan(scan);
    let done = |i: usize| ticked.get(i).copied().unwrap_or(0).max(0);
    let by_code: Vec<usize> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.codes.iter().any(|c| c.eq_ignore_ascii_case(&scan)))
        .map(|(i, _)| i)
        .collect();
    let target = if !by_code.is_empty() {
        by_code
            .iter()
            .copied()
            .find(|&i| done(i) < lines[i].quantity)
            .ok_or_else(|| too_many(lines, by_code[0]))?
    } else {
        let i = scan
            .parse::<i64>()
            .ok()
            .and_then(|n| lines.iter().position(|l| l.number == n))
            .ok_or_else(|| Problem::PackWrongItem { scan: scan.clone() })?;
        if done(i) >= lines[i].quantity {
            return Err(too_many(lines, i));
        }
        i
    };
    let mut next: Vec<i64> = (0..lines.len()).map(done).collect();
    next[target] += 1;
    Ok(PackTick {
        complete: is_complete(lines, &next),
        ticked: next,
        line: lines[target].number,
    })
}

fn too_many(lines: &[PackLine], i: usize) -> Problem {
    Problem::PackTooMany {
        line: lines[i].number.clamp(0, u32::MAX as i64) as u32,
        quantity: lines[i].quantity.clamp(0, u32::MAX as i64) as u32,
    }
}

/// True when every unit of every line is ticked.
pub fn is_complete(lines: &[PackLine], ticked: &[i64]) -> bool {
    lines
        .iter()
        .enumerate()
        .all(|(i, l)| ticked.get(i).copied().unwrap_or(0) >= l.quantity)
}

/// Units ticked and units ordered.
pub fn counts(lines: &[PackLine], ticked: &[i64]) -> (i64, i64) {
    let total: i64 = lines.iter().map(|l| l.quantity.max(0)).sum();
    let done: i64 = lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            ticked
                .get(i)
                .copied()
                .unwrap_or(0)
                .clamp(0, l.quantity.max(0))
        })
        .sum();
    (done, total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn line(number: i64, quantity: i64, codes: &[&str]) -> PackLine {
        PackLine {
            number,
            description: format!("Line {number}"),
            quantity,
            product_id: None,
            image: None,
            codes: codes.iter().map(|c| (*c).to_owned()).collect(),
        }
    }

    #[test]
    fn a_code_ticks_its_line_until_full_then_refuses() {
        let lines = [line(1, 2, &["TEA-01"]), line(2, 1, &["3760000000017"])];
        let t = tick(&lines, &[], " tea-01\n").unwrap();
        assert_eq!(
            (t.ticked.clone(), t.line, t.complete),
            (vec![1, 0], 1, false)
        );
        let t = tick(&lines, &t.ticked, "TEA-01").unwrap();
        assert_eq!(t.ticked, vec![2, 0]);
        assert_eq!(
            tick(&lines, &t.ticked, "TEA-01"),
            Err(Problem::PackTooMany {
                line: 1,
                quantity: 2
            })
        );
        let t = tick(&lines, &t.ticked, "3760000000017").unwrap();
        assert!(t.complete);
    }

    #[test]
    fn a_line_number_ticks_and_a_wrong_code_is_refused() {
        let lines = [line(1, 1, &[]), line(2, 1, &["A"])];
        let t = tick(&lines, &[0, 0], "2").unwrap();
        assert_eq!(t.ticked, vec![0, 1]);
        assert_eq!(
            tick(&lines, &t.ticked, "nope"),
            Err(Problem::PackWrongItem {
                scan: "nope".into()
            })
        );
        assert_eq!(
            tick(&lines, &t.ticked, "3"),
            Err(Problem::PackWrongItem { scan: "3".into() })
        );
        assert!(matches!(
            tick(&lines, &t.ticked, "2"),
            Err(Problem::PackTooMany { line: 2, .. })
        ));
        assert_eq!(counts(&lines, &t.ticked), (1, 2));
    }

    #[test]
    fn two_lines_of_one_product_fill_in_turn() {
        let lines = [line(1, 1, &["X"]), line(2, 1, &["x"])];
        let t = tick(&lines, &[], "X").unwrap();
        assert_eq!(t.line, 1);
        let t = tick(&lines, &t.ticked, "X").unwrap();
        assert_eq!(t.line, 2);
        assert!(t.complete);
    }

    #[test]
    fn codes_come_from_the_keys_read() {
        let md = json!({"SKU": " TEA-01 ", "ean": "376", "colour": "red", "gtin": "376"});
        assert_eq!(metadata_codes(&md, &default_keys()), vec!["TEA-01", "376"]);
        assert_eq!(metadata_codes(&md, &["colour".to_owned()]), vec!["red"]);
        assert_eq!(parse_keys("sku, EAN;ean").unwrap(), vec!["sku", "ean"]);
        assert!(parse_keys("  ").is_err());
        assert!(parse_keys("sku, bad key!").is_err());
        assert!(check_code("   ").is_err());
        assert_eq!(check_code(" 123\t").unwrap(), "123");
    }
}
