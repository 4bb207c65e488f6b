//! The invariants of `docs/ARCHITECTURE.md` kept as plain tests, the way rust-analyzer's tidy
//! tests keep that repository's rules: read `cargo metadata` and the source files, and fail
//! naming every file (or package) that breaks a rule, all of them at once.
//!
//! - domain crates (`crates/crm-*`) know no HTTP: no `actix*` dependency, no `actix` or
//!   `StatusCode` in their sources;
//! - bridge crates (every other crate under `crates/`) depend on no `crm-*` crate and touch
//!   no SQLite (`rusqlite*`, `r2d2*`);
//! - the gateway holds no SQL: no `rusqlite`/`r2d2` dependency or use, no SQL in its strings;
//! - time is a parameter: `now_utc` and `SystemTime::now` only in `crm_core`'s clock;
//! - channels never call routes (nothing under `channels/` names `crate::routes`);
//! - route files stay small (300 lines at most).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::LazyLock;

use serde_json::Value;

/// Longest file allowed under `apps/crm-gateway/src/routes/`.
const MAX_ROUTE_FILE_LINES: usize = 300;

/// Fails when `offenders` is not empty, listing each under the invariant it breaks.
fn check(invariant: &str, offenders: Vec<String>) {
    if !offenders.is_empty() {
        panic!(
            "\n{invariant} (docs/ARCHITECTURE.md) — {} violation(s):\n  - {}\n",
            offenders.len(),
            offenders.join("\n  - ")
        );
    }
}

// --- The workspace: packages from `cargo metadata`, files from disk -------------------------

fn root() -> &'static Path {
    static ROOT: LazyLock<PathBuf> = LazyLock::new(|| {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../..")
            .canonicalize()
            .unwrap()
    });
    &ROOT
}

/// A workspace member and the names of everything it depends on (any kind, optional too).
struct Package {
    name: String,
    dir: PathBuf,
    dependencies: Vec<String>,
}

impl Package {
    fn is_domain(&self) -> bool {
        self.dir.starts_with(root().join("crates")) && self.name.starts_with("crm-")
    }

    fn is_bridge(&self) -> bool {
        self.dir.starts_with(root().join("crates")) && !self.name.starts_with("crm-")
    }
}

fn packages() -> &'static [Package] {
    static PACKAGES: LazyLock<Vec<Package>> = LazyLock::new(|| {
        let out = Command::new(env!("CARGO"))
            .args([
                "metadata",
                "--format-version",
                "1",
                "--no-deps",
                "--offline",
            ])
            .current_dir(root())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "cargo metadata: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let metadata: Value = serde_json::from_slice(&out.stdout).unwrap();
        let packages: Vec<Package> = metadata["packages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| Package {
                name: p["name"].as_str().unwrap().to_owned(),
                dir: Path::new(p["manifest_path"].as_str().unwrap())
                    .parent()
                    .unwrap()
                    .to_path_buf(),
                // what the crate's code links; a test may reach further (a dev-dependency)
                dependencies: p["dependencies"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|d| d["kind"].as_str() != Some("dev"))
                    .map(|d| d["name"].as_str().unwrap().to_owned())
                    .collect(),
            })
            .collect();
        // a rule that checks nothing passes silently: make sure each kind is found
        for (name, is_kind) in [
            ("crm-core", Package::is_domain as fn(&Package) -> bool),
            ("crm-customers", Package::is_domain),
            ("nextcloud-dav", Package::is_bridge),
            ("mail-bridge", Package::is_bridge),
            ("firestore", Package::is_bridge),
            ("wa-bridge", Package::is_bridge),
            ("ami-bridge", Package::is_bridge),
            ("llm-client", Package::is_bridge),
        ] {
            assert!(
                packages.iter().any(|p| p.name == name && is_kind(p)),
                "{name} is not where the tidy tests look for it"
            );
        }
        packages
    });
    &PACKAGES
}

/// The `.rs` files under `dir`, sorted.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if path.is_dir() {
                if !matches!(name, "target" | "node_modules" | "fixtures" | "corpus") {
                    stack.push(path);
                }
            } else if name.ends_with(".rs") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `path` relative to the workspace root, for messages.
fn shown(path: &Path) -> String {
    path.strip_prefix(root())
        .unwrap_or(path)
        .display()
        .to_string()
}

/// Rust source split into its code (comments and literals blanked out, lines kept) and its
/// string literals (with the line each starts on).
struct Source {
    code: String,
    literals: Vec<(usize, String)>,
}

impl Source {
    fn parse(text: &str) -> Self {
        let chars: Vec<char> = text.chars().collect();
        let mut code = String::with_capacity(text.len());
        let mut literals = Vec::new();
        let mut line = 1;
        let mut i = 0;
        // keeps newlines so line numbers survive blanking
        let blank = |c: char, code: &mut String| code.push(if c == '\n' { '\n' } else { ' ' });
        while i < chars.len() {
            let c = chars[i];
            let next = chars.get(i + 1).copied();
            if c == '/' && next == Some('/') {
                while i < chars.len() && chars[i] != '\n' {
                    blank(chars[i], &mut code);
                    i += 1;
                }
                continue;
            } else if c == '/' && next == Some('*') {
                let mut depth = 0;
                loop {
                    if i >= chars.len() {
                        break;
                    }
                    if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                        depth += 1;
                        code.push_str("  ");
                        i += 2;
                    } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                        depth -= 1;
                        code.push_str("  ");
                        i += 2;
                        if depth == 0 {
                            break;
                        }
                    } else {
                        if chars[i] == '\n' {
                            line += 1;
                        }
                        blank(chars[i], &mut code);
                        i += 1;
                    }
                }
                continue;
            } else if c == 'r'
                && matches!(next, Some('"' | '#'))
                && !chars[..i]
                    .last()
                    .is_some_and(|p| p.is_alphanumeric() || *p == '_')
            {
                // raw string r"…", r#"…"#
                let mut j = i + 1;
                let mut hashes = 0;
                while chars.get(j) == Some(&'#') {
                    hashes += 1;
                    j += 1;
                }
                if chars.get(j) != Some(&'"') {
                    code.push(c);
                    i += 1;
                    continue;
                }
                let start_line = line;
                let mut literal = String::new();
                let close: String = std::iter::once('"')
                    .chain(std::iter::repeat_n('#', hashes))
                    .collect();
                let close: Vec<char> = close.chars().collect();
                for _ in i..=j {
                    code.push(' ');
                }
                i = j + 1;
                while i < chars.len() && !chars[i..].starts_with(&close) {
                    if chars[i] == '\n' {
                        line += 1;
                    }
                    literal.push(chars[i]);
                    blank(chars[i], &mut code);
                    i += 1;
                }
                for _ in 0..close.len() {
                    code.push(' ');
                }
                i += close.len();
                literals.push((start_line, literal));
                continue;
            } else if c == '"' {
                let start_line = line;
                let mut literal = String::new();
                code.push(' ');
                i += 1;
                while i < chars.len() && chars[i] != '"' {
                    if chars[i] == '\\' && i + 1 < chars.len() {
                        literal.push(chars[i]);
                        blank(chars[i], &mut code);
                        i += 1;
                    }
                    if chars[i] == '\n' {
                        line += 1;
                    }
                    literal.push(chars[i]);
                    blank(chars[i], &mut code);
                    i += 1;
                }
                code.push(' ');
                i += 1;
                literals.push((start_line, literal));
                continue;
            } else if c == '\'' {
                // a char literal ('x', '\n', '\u{…}', '"'); otherwise a lifetime
                let end = if next == Some('\\') {
                    chars
                        .get(i + 3..)
                        .and_then(|rest| rest.iter().position(|&c| c == '\''))
                        .map(|p| i + 3 + p)
                } else if chars.get(i + 2) == Some(&'\'') {
                    Some(i + 2)
                } else {
                    None
                };
                if let Some(end) = end {
                    for _ in i..=end {
                        code.push(' ');
                    }
                    i = end + 1;
                    continue;
                }
                code.push(c);
            } else {
                if c == '\n' {
                    line += 1;
                }
                code.push(c);
            }
            i += 1;
        }
        Self { code, literals }
    }

    /// The 1-based lines of the code (not comments, not literals) containing `needle`.
    fn code_lines(&self, needle: &str) -> Vec<usize> {
        self.code
            .lines()
            .enumerate()
            .filter(|(_, l)| l.contains(needle))
            .map(|(n, _)| n + 1)
            .collect()
    }
}

/// The text before the unit-test module at the end of a file (`#[cfg(test)]` then `mod`).
fn without_unit_tests(text: &str) -> &str {
    let mut offset = 0;
    let mut lines = text.split_inclusive('\n').peekable();
    while let Some(line) = lines.next() {
        if line.trim() == "#[cfg(test)]"
            && lines
                .peek()
                .is_some_and(|next| next.trim_start().starts_with("mod "))
        {
            return &text[..offset];
        }
        offset += line.len();
    }
    text
}

fn lines(lines: &[usize]) -> String {
    let shown: Vec<String> = lines.iter().map(usize::to_string).collect();
    shown.join(", ")
}

// --- The invariants ------------------------------------------------------------------------

#[test]
fn domain_crates_never_know_about_http() {
    let mut offenders = Vec::new();
    for p in packages().iter().filter(|p| p.is_domain()) {
        for d in p.dependencies.iter().filter(|d| d.starts_with("actix")) {
            offenders.push(format!("{} depends on {d}", p.name));
        }
        for file in rust_files(&p.dir) {
            let text = read(&file);
            for word in ["actix", "StatusCode"] {
                let found: Vec<usize> = text
                    .lines()
                    .enumerate()
                    .filter(|(_, l)| l.contains(word))
                    .map(|(n, _)| n + 1)
                    .collect();
                if !found.is_empty() {
                    offenders.push(format!(
                        "{} mentions `{word}` (line {})",
                        shown(&file),
                        lines(&found)
                    ));
                }
            }
        }
    }
    check(
        "Domain crates never depend on actix-web or know about HTTP statuses",
        offenders,
    );
}

#[test]
fn bridges_never_depend_on_crm_crates_nor_touch_sqlite() {
    let offenders = packages()
        .iter()
        .filter(|p| p.is_bridge())
        .flat_map(|p| {
            p.dependencies
                .iter()
                .filter(|d| {
                    d.starts_with("crm-") || d.starts_with("rusqlite") || d.starts_with("r2d2")
                })
                .map(|d| format!("{} depends on {d}", p.name))
        })
        .collect();
    check(
        "Bridge crates never depend on crm-* crates nor touch SQLite",
        offenders,
    );
}

#[test]
fn the_gateway_holds_no_sql() {
    const SQL: &[&str] = &[
        "SELECT ",
        "INSERT INTO",
        "INSERT OR ",
        "UPDATE ",
        "DELETE FROM",
        "CREATE TABLE",
        "PRAGMA ",
    ];
    let gateway = root().join("apps/crm-gateway");
    let mut offenders: Vec<String> = packages()
        .iter()
        .filter(|p| p.dir == gateway)
        .flat_map(|p| &p.dependencies)
        .filter(|d| d.starts_with("rusqlite") || d.starts_with("r2d2"))
        .map(|d| format!("crm-gateway depends on {d}"))
        .collect();
    for file in rust_files(&gateway.join("src")) {
        let source = Source::parse(&read(&file));
        for needle in ["rusqlite", "r2d2"] {
            let found = source.code_lines(needle);
            if !found.is_empty() {
                offenders.push(format!(
                    "{} uses {needle} (line {})",
                    shown(&file),
                    lines(&found)
                ));
            }
        }
        let sql: Vec<usize> = source
            .literals
            .iter()
            .filter(|(_, l)| SQL.iter().any(|k| l.contains(k)))
            .map(|(line, _)| *line)
            .collect();
        if !sql.is_empty() {
            offenders.push(format!(
                "{} has SQL in a string (line {})",
                shown(&file),
                lines(&sql)
            ));
        }
    }
    check("Handlers contain no SQL (the gateway has none)", offenders);
}

#[test]
fn time_is_a_parameter() {
    let clock = root().join("crates/crm-core/src/clock.rs");
    let mut offenders = Vec::new();
    for p in packages() {
        for file in rust_files(&p.dir.join("src")) {
            if file == clock {
                continue;
            }
            let source = Source::parse(without_unit_tests(&read(&file)));
            for needle in ["now_utc", "SystemTime::now"] {
                let found = source.code_lines(needle);
                if !found.is_empty() {
                    offenders.push(format!(
                        "{} reads the wall clock with {needle} (line {})",
                        shown(&file),
                        lines(&found)
                    ));
                }
            }
        }
    }
    check(
        "Time is a parameter: only crm_core's SystemClock reads the wall clock",
        offenders,
    );
}

#[test]
fn channels_never_call_routes() {
    let offenders = rust_files(&root().join("apps/crm-gateway/src/channels"))
        .into_iter()
        .filter(|f| read(f).contains("crate::routes"))
        .map(|f| format!("{} mentions crate::routes", shown(&f)))
        .collect();
    check(
        "Routes call channels; channels never call routes",
        offenders,
    );
}

#[test]
fn route_files_stay_small() {
    let offenders = rust_files(&root().join("apps/crm-gateway/src/routes"))
        .into_iter()
        .filter_map(|f| {
            let n = read(&f).lines().count();
            (n > MAX_ROUTE_FILE_LINES).then(|| {
                format!(
                    "{} has {n} lines (at most {MAX_ROUTE_FILE_LINES})",
                    shown(&f)
                )
            })
        })
        .collect();
    check(
        "routes/ has one small file per context (handlers only)",
        offenders,
    );
}

#[test]
fn the_source_reader_sees_code_comments_and_strings_apart() {
    let s = Source::parse(
        "let a = \"SELECT x\"; // rusqlite here\nlet b = r#\"now_utc \"q\"\"#; /* SystemTime::now */ 'c';\nlet c: &'static str = '\"'.to_string() + '\\'' + \"\\\"\";\nrusqlite::params![];\n",
    );
    assert_eq!(s.code_lines("rusqlite"), [4]);
    assert!(s.code_lines("now_utc").is_empty());
    assert!(s.code_lines("SystemTime").is_empty());
    assert_eq!(s.code_lines("static"), [3]);
    let literals: Vec<&str> = s.literals.iter().map(|(_, l)| l.as_str()).collect();
    assert_eq!(literals, ["SELECT x", "now_utc \"q\"", "\\\""]);
    assert_eq!(s.literals[1].0, 2);
    assert_eq!(
        without_unit_tests("fn a() {}\n#[cfg(test)]\nmod tests {\n    now_utc();\n}\n"),
        "fn a() {}\n"
    );
}
