mod accounts;
mod home;
mod not_found;

pub use accounts::{SignInPage, SignUpPage};
pub use home::HomePage;
pub use not_found::NotFoundPage;
