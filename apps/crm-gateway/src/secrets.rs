//! The token signing secret when the configuration gives none: generated once at random and
//! kept in the data dir, readable by its owner only.

use std::fs;
use std::io::Write;
use std::path::Path;

use anyhow::{Context, bail};
use rand::RngCore;
use secrecy::SecretString;

const FILE: &str = "jwt-secret";

pub fn load_or_generate(data_dir: &Path) -> anyhow::Result<SecretString> {
    let path = data_dir.join(FILE);
    if path.exists() {
        let text =
            fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
        let text = text.trim();
        if text.len() < 32 {
            bail!(
                "{} is shorter than 32 characters; delete it to generate a new one",
                path.display()
            );
        }
        return Ok(text.into());
    }
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let secret: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    write_private(&path, &secret)?;
    tracing::warn!(
        path = %path.display(),
        "no CRM_JWT_SECRET configured: generated a new random token signing secret and kept it in the data dir"
    );
    Ok(secret.into())
}

fn write_private(path: &Path, contents: &str) -> anyhow::Result<()> {
    let tmp = path.with_extension("tmp");
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(&tmp)
        .with_context(|| format!("cannot write {}", tmp.display()))?;
    file.write_all(contents.as_bytes())?;
    file.sync_all()?;
    fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use secrecy::ExposeSecret;

    use super::*;

    #[test]
    fn generated_once_then_reused_and_private() {
        let dir = tempfile::tempdir().unwrap();
        let a = load_or_generate(dir.path()).unwrap();
        let b = load_or_generate(dir.path()).unwrap();
        assert_eq!(a.expose_secret(), b.expose_secret());
        assert_eq!(a.expose_secret().len(), 64);
        let other = tempfile::tempdir().unwrap();
        assert_ne!(
            load_or_generate(other.path()).unwrap().expose_secret(),
            a.expose_secret()
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(dir.path().join(FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
