//! Reading a PDF packing slip back as a printer and a scanner see it, for the slip tests
//! (`slip_pdf.rs`, `e2e_printing.rs`): its text with `pdftotext`, its pages with `pdfinfo`
//! (poppler-utils), and its Code 128 barcode with `zbarimg` (zbar-tools) from the pages
//! rasterised at 300 dpi by `pdftoppm`. `scripts/setup.sh test` installs them.
#![allow(dead_code)] // each test binary uses part of it

use std::path::Path;
use std::process::Command;

/// Runs one of the tools; a missing one names the package it comes from.
pub fn run(cmd: &mut Command) -> std::process::Output {
    cmd.output().unwrap_or_else(|e| {
        panic!("{cmd:?} (poppler-utils and zbar-tools, scripts/setup.sh test): {e}")
    })
}

/// The PDF's text as `pdftotext` reads it, no-break spaces as spaces. Fails on any complaint.
pub fn text_of(pdf: &Path) -> String {
    let out = run(Command::new("pdftotext").arg("-layout").arg(pdf).arg("-"));
    assert!(
        out.status.success(),
        "pdftotext: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "pdftotext complained: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .replace(['\u{a0}', '\u{202f}'], " ")
}

/// The text with every run of white space as one space, to find text wrapped over lines.
pub fn flat(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `pdfinfo`'s "Pages" and "Page size" lines.
pub fn info_of(pdf: &Path) -> (usize, String) {
    let out = run(Command::new("pdfinfo").arg(pdf));
    assert!(
        out.status.success(),
        "pdfinfo: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "pdfinfo complained: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let info = String::from_utf8(out.stdout).unwrap();
    let field = |name: &str| {
        info.lines()
            .find_map(|l| l.strip_prefix(name))
            .map(|v| v.trim().to_owned())
            .unwrap_or_else(|| panic!("{name} in {info}"))
    };
    (field("Pages:").parse().unwrap(), field("Page size:"))
}

/// What `zbarimg` decodes, page by page, from the PDF rasterised at 300 dpi: the Code 128
/// symbols of each page.
pub fn barcodes_of(pdf: &Path) -> Vec<Vec<String>> {
    barcodes_on(pdf, None)
}

/// [`barcodes_of`] for the pages `first..=last` only (a long batch need not all be scanned).
pub fn barcodes_on(pdf: &Path, pages: Option<(u32, u32)>) -> Vec<Vec<String>> {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = Command::new("pdftoppm");
    cmd.args(["-r", "300", "-gray", "-png"]);
    if let Some((first, last)) = pages {
        cmd.args(["-f", &first.to_string(), "-l", &last.to_string()]);
    }
    let out = run(cmd.arg(pdf).arg(dir.path().join("page")));
    assert!(
        out.status.success(),
        "pdftoppm: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut pngs: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    pngs.sort();
    pngs.iter()
        .map(|png| {
            let out = run(Command::new("zbarimg")
                .args(["--raw", "-q", "-Sdisable", "-Scode128.enable"])
                .arg(png));
            String::from_utf8(out.stdout)
                .unwrap()
                .lines()
                .map(str::to_owned)
                .collect()
        })
        .collect()
}

/// Writes the PDF into a folder of its own and returns the folder and the file.
pub fn saved(pdf: &[u8]) -> (tempfile::TempDir, std::path::PathBuf) {
    assert!(pdf.starts_with(b"%PDF-"), "a PDF");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("slip.pdf");
    std::fs::write(&path, pdf).unwrap();
    (dir, path)
}
