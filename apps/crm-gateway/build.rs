//! Builds the web console (`apps/crm-console`) into `apps/crm-console/dist`, which
//! `routes/console.rs` embeds, when dist is missing or older than the console's sources:
//! `npm ci` (only when node_modules is missing or older than package-lock.json) and
//! `npm run build` (vite). `CRM_CONSOLE_SKIP_BUILD=1` skips it; a missing dist then gets a
//! placeholder page that says the console is not built, and the crate still compiles.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::SystemTime;

/// What the console's build reads; a change in any of them rebuilds it.
const SOURCES: &[&str] = &[
    "src",
    "index.html",
    "package.json",
    "package-lock.json",
    "vite.config.ts",
    "tsconfig.json",
];
/// Left in a placeholder dist so that a later build without the skip replaces it.
const PLACEHOLDER_MARK: &str = ".placeholder";

fn main() {
    if let Err(e) = run() {
        eprintln!("error: building the web console (apps/crm-console) failed: {e}");
        eprintln!(
            "       install Node.js 20+ and npm, or set CRM_CONSOLE_SKIP_BUILD=1 to build without the console"
        );
        std::process::exit(1);
    }
}

fn run() -> Result<(), String> {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").map_err(|e| e.to_string())?);
    let console = manifest.join("../crm-console");
    let dist = console.join("dist");
    println!("cargo::rerun-if-env-changed=CRM_CONSOLE_SKIP_BUILD");
    println!("cargo::rerun-if-changed=build.rs");
    for s in SOURCES {
        println!("cargo::rerun-if-changed={}", console.join(s).display());
    }

    let skip = std::env::var("CRM_CONSOLE_SKIP_BUILD").is_ok_and(|v| !v.is_empty() && v != "0");
    if skip {
        if !dist.join("index.html").exists() {
            write_placeholder(&dist).map_err(|e| format!("writing {}: {e}", dist.display()))?;
        }
        return Ok(());
    }
    if is_fresh(&console, &dist) {
        return Ok(());
    }
    // Two cargo runs (two target dirs) may get here at once: one builds, the other waits.
    fs::create_dir_all(&console).map_err(|e| e.to_string())?;
    let lock = fs::File::create(console.join(".build.lock")).map_err(|e| e.to_string())?;
    lock.lock()
        .map_err(|e| format!("locking the console build: {e}"))?;
    if is_fresh(&console, &dist) {
        return Ok(());
    }
    let installed = console.join("node_modules/.package-lock.json");
    if newest(&installed) < newest(&console.join("package-lock.json")) {
        npm(
            &console,
            &["ci", "--no-audit", "--no-fund", "--loglevel=error"],
        )?;
    }
    npm(&console, &["run", "build"])?;
    if !dist.join("index.html").exists() {
        return Err(format!(
            "{} was not written",
            dist.join("index.html").display()
        ));
    }
    Ok(())
}

/// dist holds a real build at least as new as every source.
fn is_fresh(console: &Path, dist: &Path) -> bool {
    let index = dist.join("index.html");
    if !index.exists() || dist.join(PLACEHOLDER_MARK).exists() {
        return false;
    }
    let built = newest(&index);
    SOURCES.iter().all(|s| newest(&console.join(s)) <= built)
}

/// The newest modification time of a file or of anything under a folder (UNIX_EPOCH if none).
fn newest(path: &Path) -> SystemTime {
    let Ok(meta) = fs::metadata(path) else {
        return SystemTime::UNIX_EPOCH;
    };
    let own = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
    if !meta.is_dir() {
        return own;
    }
    let Ok(entries) = fs::read_dir(path) else {
        return own;
    };
    entries
        .flatten()
        .map(|e| newest(&e.path()))
        .fold(own, SystemTime::max)
}

fn npm(dir: &Path, args: &[&str]) -> Result<(), String> {
    // npm's output goes to stderr: cargo reads build-script directives from stdout.
    let status = Command::new("npm")
        .args(args)
        .current_dir(dir)
        .stdout(Stdio::from(io::stderr()))
        .status()
        .map_err(|e| format!("running npm {}: {e}", args.join(" ")))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("npm {} failed ({status})", args.join(" ")))
    }
}

fn write_placeholder(dist: &Path) -> io::Result<()> {
    fs::create_dir_all(dist)?;
    fs::write(
        dist.join("index.html"),
        "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>BellSystems CRM</title>\
         <p>The web console is not built: this binary was built with CRM_CONSOLE_SKIP_BUILD=1. \
         Unset it and rebuild (needs Node.js and npm), or run <code>npm ci &amp;&amp; npm run build</code> \
         in apps/crm-console. The API is at <a href=\"/api/docs\">/api/docs</a>.</p></html>\n",
    )?;
    fs::write(dist.join(PLACEHOLDER_MARK), "")
}
