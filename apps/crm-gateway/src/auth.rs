//! Bearer tokens (HS256 JWT with a `permissions` claim) and the extractors that guard routes.
//!
//! A handler states what it needs in its signature: [`Viewer`] for reads (`crm:view`),
//! [`Editor`] for writes (`crm:edit`, which includes viewing), [`Admin`] for the
//! administration of users (`crm:admin`, which includes neither: an administrator who also
//! works in the CRM is given those too), [`Caller`] for any valid token. A route with none
//! stands out.
//!
//! A token is good when its signature, `exp` and `nbf` are (`tokens.rs`) and, if its `sub`
//! names a local user, that user is enabled and the token carries the user's current token
//! generation (`gen`, 0 when absent): changing the password or disabling the account moves
//! the generation on and so ends every token issued before. Tokens of the existing console
//! name no local user and are checked by their signature alone. What the users service says
//! about a user is cached by it for up to a second ([`crm_users::STANDING_TTL`]).

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use crm_users::{ADMIN, Standing, Users as _};
use futures_util::future::LocalBoxFuture;

use crate::error::ApiError;
use crate::state::AppState;

pub use crate::tokens::{EDIT, Principal, TokenKeys, VIEW};

/// The permissions a token carries, read from a token whose signature and times
/// [`TokenKeys::verify`] has already checked (so they are not checked again here).
fn token_permissions(token: &str) -> Vec<String> {
    use jsonwebtoken::{Algorithm, DecodingKey, Validation};
    let mut validation = Validation::new(Algorithm::HS256);
    validation.insecure_disable_signature_validation();
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.required_spec_claims.clear();
    jsonwebtoken::decode::<crate::tokens::Claims>(
        token,
        &DecodingKey::from_secret(&[]),
        &validation,
    )
    .map(|data| data.claims.permissions)
    .unwrap_or_default()
}

/// The token of an `Authorization: Bearer <token>` value; the scheme in any case.
fn bearer(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim_start().split_once([' ', '\t'])?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// Whether a validly signed token may still be used, given what the users service says about
/// the local user its subject names (`None`: no local user has that name).
fn still_good(principal: &Principal, standing: Option<Standing>) -> Result<(), ApiError> {
    match standing {
        // only tokens issued by our login carry `gen`: their user was removed
        None if principal.generation.is_some() => {
            Err(ApiError::unauthorized("the token's user no longer exists"))
        }
        None => Ok(()),
        Some(s) if s.disabled => Err(ApiError::unauthorized("the token's user is disabled")),
        Some(s) if principal.generation.unwrap_or(0) != s.generation => {
            Err(ApiError::unauthorized(
                "the token has been revoked (the password was changed); log in again",
            ))
        }
        Some(_) => Ok(()),
    }
}

async fn principal(req: &HttpRequest) -> Result<Principal, ApiError> {
    Ok(caller(req).await?.principal)
}

async fn caller(req: &HttpRequest) -> Result<Caller, ApiError> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| ApiError::internal("the app state is not registered"))?;
    let value = req
        .headers()
        .get(header::AUTHORIZATION)
        .ok_or_else(|| ApiError::unauthorized("missing `Authorization: Bearer <token>` header"))?;
    let token = value.to_str().ok().and_then(bearer).ok_or_else(|| {
        ApiError::unauthorized("the Authorization header must be `Bearer <token>`")
    })?;
    let now = state.clock.now().unix_seconds().max(0) as u64;
    let principal = state.keys.verify(token, now)?;
    let standing = state
        .users
        .standing(&principal.subject)
        .await
        .map_err(ApiError::internal)?;
    still_good(&principal, standing)?;
    Ok(Caller {
        principal,
        permissions: token_permissions(token),
    })
}

/// Any caller with a valid token, and the permissions its token carries (for a local user,
/// its current ones: changing a user's permissions ends the tokens issued before).
#[derive(Debug, Clone)]
pub struct Caller {
    pub principal: Principal,
    pub permissions: Vec<String>,
}

impl Caller {
    pub fn has(&self, permission: &str) -> bool {
        self.permissions.iter().any(|p| p == permission)
    }
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { caller(&req).await })
    }
}

/// A caller allowed to administer users (`crm:admin`).
#[derive(Debug, Clone)]
pub struct Admin(pub Principal);

impl FromRequest for Admin {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let c = caller(&req).await?;
            if c.has(ADMIN) {
                Ok(Admin(c.principal))
            } else {
                Err(ApiError::forbidden("this needs the `crm:admin` permission"))
            }
        })
    }
}

/// A caller allowed to read (`crm:view`).
#[derive(Debug, Clone)]
pub struct Viewer(pub Principal);

impl FromRequest for Viewer {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let p = principal(&req).await?;
            if p.can_view() {
                Ok(Viewer(p))
            } else {
                Err(ApiError::forbidden("this needs the `crm:view` permission"))
            }
        })
    }
}

/// A caller allowed to write (`crm:edit`).
#[derive(Debug, Clone)]
pub struct Editor(pub Principal);

impl FromRequest for Editor {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let p = principal(&req).await?;
            if p.can_edit() {
                Ok(Editor(p))
            } else {
                Err(ApiError::forbidden("this needs the `crm:edit` permission"))
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bearer_scheme_is_case_insensitive() {
        for (value, token) in [
            ("Bearer abc", Some("abc")),
            ("bearer abc", Some("abc")),
            ("BEARER abc", Some("abc")),
            ("bEaReR  abc ", Some("abc")),
            ("Bearer\tabc", Some("abc")),
            ("Bearer ", None),
            ("Bearer", None),
            ("Basic YWRtaW46YWRtaW4=", None),
            ("Bearerabc", None),
            ("", None),
        ] {
            assert_eq!(bearer(value), token, "{value:?}");
        }
    }

    fn principal(generation: Option<u64>) -> Principal {
        let keys = TokenKeys::new(&"0123456789abcdef0123456789abcdef".into(), 60);
        let t = keys
            .issue_with_generation("maria", &[VIEW.to_owned()], generation, 1_000)
            .unwrap();
        keys.verify(&t, 1_000).unwrap()
    }

    #[test]
    fn the_permissions_of_a_verified_token_are_read_back() {
        let keys = TokenKeys::new(&"0123456789abcdef0123456789abcdef".into(), 60);
        let t = keys
            .issue_with_generation("anna", &[ADMIN.to_owned(), VIEW.to_owned()], Some(3), 1_000)
            .unwrap();
        assert_eq!(token_permissions(&t), [ADMIN, VIEW]);
        assert!(token_permissions("not.a.token").is_empty());
    }

    #[test]
    fn tokens_of_local_users_need_their_current_generation() {
        let active = |generation| {
            Some(Standing {
                generation,
                disabled: false,
            })
        };
        let disabled = Some(Standing {
            generation: 7,
            disabled: true,
        });
        for (token_gen, standing, good) in [
            (Some(7), active(7), true),
            (Some(7), active(8), false),
            (Some(7), disabled, false),
            (Some(7), None, false),
            // no `gen`: a token of the existing console, or of our login before generations
            (None, None, true),
            (None, active(0), true),
            (None, active(7), false),
            (None, disabled, false),
        ] {
            let got = still_good(&principal(token_gen), standing);
            assert_eq!(
                got.is_ok(),
                good,
                "gen {token_gen:?}, {standing:?}: {got:?}"
            );
            if let Err(e) = got {
                assert_eq!(e.code(), "unauthorized");
            }
        }
    }
}
