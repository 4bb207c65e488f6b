//! Users, permission names and the rules a new user must meet.

use crm_core::Timestamp;

use crate::error::{Error, Result};

/// Reading anything in the CRM.
pub const VIEW: &str = "crm:view";
/// Changing anything in the CRM (includes viewing).
pub const EDIT: &str = "crm:edit";
/// Administering users (`/api/admin`). It implies neither viewing nor editing: an
/// administrator who also works in the CRM is given those as well.
pub const ADMIN: &str = "crm:admin";
/// Every permission a local user can be given.
pub const KNOWN_PERMISSIONS: [&str; 3] = [VIEW, EDIT, ADMIN];

/// The longest display name, in characters.
pub const DISPLAY_NAME_MAX: usize = 100;
/// The longest e-mail signature, in characters.
pub const SIGNATURE_MAX: usize = 2000;

/// A local user, without its password hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub username: String,
    pub permissions: Vec<String>,
    /// A disabled user cannot log in and its tokens are refused.
    pub disabled: bool,
    pub created_at: Timestamp,
    pub profile: Profile,
}

impl User {
    /// Whether the user may administer users (holds [`ADMIN`]).
    pub fn is_admin(&self) -> bool {
        self.permissions.iter().any(|p| p == ADMIN)
    }
}

/// What the console shows of a user and uses on its behalf; every part optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Profile {
    /// The name shown instead of the user name (at most 100 characters).
    pub display_name: Option<String>,
    /// The PBX extension click-to-call rings first (2 to 10 digits).
    pub extension: Option<String>,
    /// The signature under the e-mails the user writes (multi-line, at most 2,000 characters).
    pub signature: Option<String>,
}

impl Profile {
    /// The profile with every part validated and normalised (see [`validate_display_name`],
    /// [`validate_extension`], [`validate_signature`]).
    pub fn validated(self) -> Result<Self> {
        Ok(Self {
            display_name: validate_display_name(self.display_name)?,
            extension: validate_extension(self.extension)?,
            signature: validate_signature(self.signature)?,
        })
    }
}

/// What an administrator changes about a user: each part left `None` stays as it is; the
/// inner `None` of a profile part clears it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Update {
    pub permissions: Option<Vec<String>>,
    pub disabled: Option<bool>,
    pub display_name: Option<Option<String>>,
    pub extension: Option<Option<String>>,
    pub signature: Option<Option<String>>,
}

impl Update {
    /// Whether the update changes nothing.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// What the update asks for, for the audit log (as sent: not validated).
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(p) = &self.permissions {
            parts.push(Change::Permissions(p.clone()));
        }
        if let Some(v) = &self.display_name {
            parts.push(Change::DisplayName(v.clone()));
        }
        if let Some(v) = &self.extension {
            parts.push(Change::Extension(v.clone()));
        }
        if let Some(v) = &self.signature {
            parts.push(Change::Signature(v.clone()));
        }
        if let Some(d) = self.disabled {
            parts.push(Change::Disabled(d));
        }
        if parts.is_empty() {
            return "nothing".to_owned();
        }
        parts
            .iter()
            .map(Change::describe)
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The changes this update makes, validated, in the order they are applied.
    pub fn into_changes(self) -> Result<Vec<Change>> {
        let mut changes = Vec::new();
        if let Some(permissions) = self.permissions {
            validate_permissions(&permissions)?;
            changes.push(Change::Permissions(normalised_permissions(permissions)));
        }
        if let Some(name) = self.display_name {
            changes.push(Change::DisplayName(validate_display_name(name)?));
        }
        if let Some(extension) = self.extension {
            changes.push(Change::Extension(validate_extension(extension)?));
        }
        if let Some(signature) = self.signature {
            changes.push(Change::Signature(validate_signature(signature)?));
        }
        if let Some(disabled) = self.disabled {
            changes.push(Change::Disabled(disabled));
        }
        Ok(changes)
    }
}

/// A user as the store keeps it: with the argon2id hash (a PHC string) of its password and
/// its token generation.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub user: User,
    pub password_hash: String,
    pub generation: u64,
}

/// A user who just logged in, and the token generation its token must carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authenticated {
    pub user: User,
    pub generation: u64,
}

/// What decides whether a token issued to a user is still good: the account is enabled and
/// the token carries the user's current generation. The generation moves on when the
/// password changes or the account is disabled, which ends every token issued before.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    pub generation: u64,
    pub disabled: bool,
}

/// What can be changed about an existing user.
#[derive(Debug, Clone)]
pub enum Change {
    /// Disable (`true`) or enable the account. Disabling moves the generation on.
    Disabled(bool),
    /// A new password hash. Moves the generation on.
    PasswordHash(String),
    /// New permissions (validated). Moves the generation on when they differ from the old:
    /// tokens carry the permissions they were issued with.
    Permissions(Vec<String>),
    /// A new display name, or none (validated).
    DisplayName(Option<String>),
    /// A new PBX extension, or none (validated).
    Extension(Option<String>),
    /// A new e-mail signature, or none (validated).
    Signature(Option<String>),
}

impl Change {
    /// What the change does, for the audit log: never a password or its hash.
    pub fn describe(&self) -> String {
        let text =
            |v: &Option<String>| v.as_deref().map_or("none".to_owned(), |v| format!("{v:?}"));
        match self {
            Self::Disabled(true) => "disabled".to_owned(),
            Self::Disabled(false) => "enabled".to_owned(),
            Self::PasswordHash(_) => "password changed".to_owned(),
            Self::Permissions(p) => format!("permissions [{}]", p.join(",")),
            Self::DisplayName(v) => format!("display name {}", text(v)),
            Self::Extension(v) => format!("extension {}", text(v)),
            Self::Signature(None) => "signature cleared".to_owned(),
            Self::Signature(Some(s)) => format!("signature set ({} characters)", s.chars().count()),
        }
    }
}

/// The name trimmed, if it is 1 to 64 characters without spaces or control characters.
pub fn validate_username(name: &str) -> Result<&str> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 64 {
        return Err(Error::invalid("username", "must be 1 to 64 characters"));
    }
    if name.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(Error::invalid(
            "username",
            "must not contain spaces or control characters",
        ));
    }
    Ok(name)
}

/// A password of at least 8 characters.
pub fn validate_password(password: &str) -> Result<()> {
    if password.chars().count() < 8 {
        return Err(Error::invalid("password", "must be at least 8 characters"));
    }
    Ok(())
}

/// Every permission is one of [`KNOWN_PERMISSIONS`].
pub fn validate_permissions(permissions: &[String]) -> Result<()> {
    match permissions
        .iter()
        .find(|p| !KNOWN_PERMISSIONS.contains(&p.as_str()))
    {
        Some(unknown) => Err(Error::invalid(
            "permissions",
            format!(
                "unknown permission `{unknown}` (known: {})",
                KNOWN_PERMISSIONS.join(", ")
            ),
        )),
        None => Ok(()),
    }
}

/// Each permission once, in the order given.
fn normalised_permissions(permissions: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(permissions.len());
    for p in permissions {
        if !out.contains(&p) {
            out.push(p);
        }
    }
    out
}

/// A text trimmed, `None` when nothing is left.
fn non_empty(text: Option<String>) -> Option<String> {
    text.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty())
}

/// A display name: trimmed, at most [`DISPLAY_NAME_MAX`] characters, one line; empty is none.
pub fn validate_display_name(name: Option<String>) -> Result<Option<String>> {
    let Some(name) = non_empty(name) else {
        return Ok(None);
    };
    if name.chars().count() > DISPLAY_NAME_MAX {
        return Err(Error::invalid(
            "display_name",
            format!("must be at most {DISPLAY_NAME_MAX} characters"),
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(Error::invalid(
            "display_name",
            "must be one line without control characters",
        ));
    }
    Ok(Some(name))
}

/// A PBX extension: 2 to 10 digits (spaces around are dropped); empty is none.
pub fn validate_extension(extension: Option<String>) -> Result<Option<String>> {
    let Some(extension) = non_empty(extension) else {
        return Ok(None);
    };
    if !(2..=10).contains(&extension.len()) || !extension.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::invalid(
            "extension",
            "must be 2 to 10 digits, such as 201",
        ));
    }
    Ok(Some(extension))
}

/// An e-mail signature: several lines allowed, at most [`SIGNATURE_MAX`] characters, no
/// control characters but line ends and tabs; line ends become `\n`; trailing blank space is
/// dropped; empty is none.
pub fn validate_signature(signature: Option<String>) -> Result<Option<String>> {
    let Some(signature) = signature else {
        return Ok(None);
    };
    let signature = signature.replace("\r\n", "\n").replace('\r', "\n");
    let signature = signature.trim_end();
    let signature = signature.trim_start_matches(['\n', ' ', '\t']);
    if signature.is_empty() {
        return Ok(None);
    }
    if signature.chars().count() > SIGNATURE_MAX {
        return Err(Error::invalid(
            "signature",
            format!("must be at most {SIGNATURE_MAX} characters"),
        ));
    }
    if signature
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(Error::invalid(
            "signature",
            "must not contain control characters other than line ends and tabs",
        ));
    }
    Ok(Some(signature.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames() {
        assert_eq!(validate_username("  maria ").unwrap(), "maria");
        for bad in ["", "   ", "two words", "tab\there", &"x".repeat(65)] {
            assert!(
                matches!(
                    validate_username(bad),
                    Err(Error::Invalid {
                        field: "username",
                        ..
                    })
                ),
                "{bad:?}"
            );
        }
    }

    fn field_of(result: Result<Option<String>>) -> &'static str {
        match result {
            Err(Error::Invalid { field, .. }) => field,
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn extensions_are_two_to_ten_digits() {
        let ext = |s: &str| validate_extension(Some(s.to_owned()));
        assert_eq!(ext(" 201 ").unwrap().as_deref(), Some("201"));
        assert_eq!(ext("12").unwrap().as_deref(), Some("12"));
        assert_eq!(ext("1234567890").unwrap().as_deref(), Some("1234567890"));
        assert_eq!(ext("").unwrap(), None);
        assert_eq!(validate_extension(None).unwrap(), None);
        for bad in ["1", "12345678901", "20a", "201; rm", "+30201", "٢٠١"] {
            assert_eq!(field_of(ext(bad)), "extension", "{bad:?}");
        }
    }

    #[test]
    fn signatures_keep_their_lines_up_to_two_thousand_characters() {
        let sig = |s: &str| validate_signature(Some(s.to_owned()));
        assert_eq!(
            sig("Μαρία Παπαδοπούλου\r\nBellSystems\r\n\t+30 210 000 0000\n\n")
                .unwrap()
                .as_deref(),
            Some("Μαρία Παπαδοπούλου\nBellSystems\n\t+30 210 000 0000")
        );
        assert_eq!(sig(" \n ").unwrap(), None);
        assert!(sig(&"κ".repeat(SIGNATURE_MAX)).unwrap().is_some());
        assert_eq!(field_of(sig(&"κ".repeat(SIGNATURE_MAX + 1))), "signature");
        assert_eq!(field_of(sig("bell\u{7}")), "signature");
    }

    #[test]
    fn display_names_are_one_line_of_at_most_a_hundred() {
        let name = |s: &str| validate_display_name(Some(s.to_owned()));
        assert_eq!(name("  Μαρία  ").unwrap().as_deref(), Some("Μαρία"));
        assert_eq!(name("   ").unwrap(), None);
        assert!(name(&"α".repeat(DISPLAY_NAME_MAX)).unwrap().is_some());
        assert_eq!(
            field_of(name(&"α".repeat(DISPLAY_NAME_MAX + 1))),
            "display_name"
        );
        assert_eq!(field_of(name("two\nlines")), "display_name");
    }

    #[test]
    fn updates_are_validated_and_name_the_field() {
        let refused = |u: Update| match u.into_changes() {
            Err(Error::Invalid { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            refused(Update {
                permissions: Some(vec!["crm:root".into()]),
                ..Update::default()
            }),
            "permissions"
        );
        assert_eq!(
            refused(Update {
                extension: Some(Some("abc".into())),
                ..Update::default()
            }),
            "extension"
        );
        let changes = Update {
            permissions: Some(vec![ADMIN.into(), VIEW.into(), ADMIN.into()]),
            extension: Some(None),
            disabled: Some(true),
            ..Update::default()
        }
        .into_changes()
        .unwrap();
        let described: Vec<String> = changes.iter().map(Change::describe).collect();
        assert_eq!(
            described,
            [
                "permissions [crm:admin,crm:view]",
                "extension none",
                "disabled"
            ]
        );
        assert_eq!(
            Change::PasswordHash("$argon2id$secret".into()).describe(),
            "password changed"
        );
    }
}
