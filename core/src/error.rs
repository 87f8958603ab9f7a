use crate::{UserId, vendors::vendor_ids};

/// Everything a domain operation can fail with. Each variant is one situation a caller can act on.
/// The server maps each to one HTTP status and shows its message to the user. The exceptions are
/// [`Error::Database`] and [`Error::Internal`], whose details are only logged.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The input broke a rule; the message states the rule.
    #[error("{0}")]
    InvalidInput(String),

    #[error(
        "The username \"{0}\" is already taken. Choose another one, or sign in if it is yours."
    )]
    UsernameTaken(UserId),

    /// Deliberately does not say whether the username or the password was wrong.
    #[error("Wrong username or password.")]
    WrongCredentials,

    #[error(
        "Too many wrong passwords for this username. Wait {} minutes and try again.",
        retry_after.as_secs().div_ceil(60).max(1)
    )]
    TooManySignInAttempts { retry_after: std::time::Duration },

    #[error("You are not signed in. Sign in and try again.")]
    NotSignedIn,

    #[error("This belongs to another account.")]
    Forbidden,

    #[error("\"{0}\" is not a vehicle brand carlink can link. Choose one of: {ids}.", ids = vendor_ids())]
    UnknownVendor(String),

    /// No pending link has this state or link token.
    #[error("This link is unknown. Start linking your car again from the list of brands.")]
    LinkNotFound,

    #[error("This {vendor} link has expired. Start again to link your {vendor} account.")]
    LinkExpired { vendor: String },

    /// Enode does not list the vendor as linked: the driver left Link UI before granting access.
    #[error(
        "Enode does not list your {vendor} account as linked yet. Finish signing in on Enode's page, \
         or start again."
    )]
    LinkNotCompleted { vendor: String },

    /// Enode returned a Link UI address outside the configured Link UI, which carlink never follows.
    #[error(
        "Enode returned a link to an unexpected address ({0}), so carlink did not follow it. Try again later."
    )]
    UntrustedLinkUrl(String),

    #[error("{}", enode_message(.0))]
    Enode(#[from] enode::Error),

    #[error("Storing data failed: {0}")]
    Database(#[from] sqlx::Error),

    #[error("{0}")]
    Internal(String),
}

impl Error {
    /// True when the same request may work later: Enode was rate limiting, failing, slow or
    /// unreachable.
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Enode(error) if error.is_transient())
    }
}

fn enode_message(error: &enode::Error) -> String {
    if error.is_transient() {
        "Enode is not answering right now. Nothing was lost: try again in a minute.".to_owned()
    } else {
        "Enode rejected carlink's request. Try again later; if it keeps failing, tell carlink's operators."
            .to_owned()
    }
}
