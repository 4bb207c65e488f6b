//! Users, permission names and the rules a new user must meet.

use crm_core::Timestamp;

use crate::error::{Error, Result};

/// Reading anything in the CRM.
pub const VIEW: &str = "crm:view";
/// Changing anything in the CRM (includes viewing).
pub const EDIT: &str = "crm:edit";
/// Every permission a local user can be given.
pub const KNOWN_PERMISSIONS: [&str; 2] = [VIEW, EDIT];

/// A local user, without its password hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub username: String,
    pub permissions: Vec<String>,
    /// A disabled user cannot log in and its tokens are refused.
    pub disabled: bool,
    pub created_at: Timestamp,
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
}
