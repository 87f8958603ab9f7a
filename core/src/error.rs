use crate::UserId;

/// Everything a domain operation can fail with. Each variant is one situation a caller can act on;
/// the server maps each to one HTTP status and shows the message to the user, except for
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

    #[error("You are not signed in. Sign in and try again.")]
    NotSignedIn,

    #[error("This belongs to another account.")]
    Forbidden,

    #[error("Storing data failed: {0}")]
    Database(#[from] sqlx::Error),

    #[error("{0}")]
    Internal(String),
}
