//! Who is asking: the signed-in user, the role and scope they act in, and whether their
//! credential may change anything. Resolved once per request by the server.
use crate::error::{Error, Result};
use sijian_domain::{Action, Principal, Role, Scope};
use sijian_store::users::User;
use std::sync::Arc;

#[derive(Debug, Clone)]
pub struct Caller {
    pub user: Arc<User>,
    pub principal: Principal,
    /// A read-only API token: reads only.
    pub read_only: bool,
}

impl Caller {
    pub fn new(user: User, read_only: bool) -> Self {
        Caller {
            principal: user.principal(),
            user: Arc::new(user),
            read_only,
        }
    }
    pub fn scope(&self) -> Scope {
        self.principal.scope()
    }
    pub fn role(&self) -> Role {
        self.principal.role
    }
    /// Refuses unless the role may take `action` at all.
    pub fn require(&self, action: Action) -> Result<()> {
        if self.role().may(action) {
            Ok(())
        } else if let Some(rule) = sijian_domain::register::refusal_of(action) {
            Err(Error::forbidden_because(rule))
        } else {
            Err(Error::forbidden())
        }
    }
    /// Refuses changes made with a read-only token.
    pub fn require_write(&self, action: Action) -> Result<()> {
        self.require_writable()?;
        self.require(action)
    }
    /// Refuses any change made with a read-only token, for changes every role may make to its
    /// own account (its language, its tokens).
    pub fn require_writable(&self) -> Result<()> {
        if self.read_only {
            return Err(Error::read_only_token());
        }
        Ok(())
    }
    pub fn actor(&self) -> sijian_store::Actor {
        self.user.actor()
    }
}
