//! Pure domain rules of the platform: roles and data scope, administrative-region paths,
//! account rules. No I/O, no clock: callers pass the current time where a rule needs it.
#![forbid(unsafe_code)]

pub mod account;
pub mod calendar;
pub mod case_number;
pub mod category;
pub mod classification;
pub mod conclusion;
pub mod elicence;
pub mod identifiers;
pub mod licensing;
pub mod netaddr;
pub mod notify;
pub mod opinion_code;
pub mod procedure;
pub mod region;
pub mod register;
pub mod role;
pub mod scope;
pub mod status;
pub mod validate;

pub use account::{PasswordPolicy, PasswordProblem, validate_username};
pub use category::Category;
pub use region::{RegionCode, RegionLevel, RegionPath};
pub use role::{Action, OrganKind, Role};
pub use scope::{Principal, Scope};
pub use status::{AppraiserStatus, InstitutionStatus};
pub use validate::{FieldError, Problems};
