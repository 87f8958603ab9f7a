mod accounts;
mod callback;
mod home;
mod link;
mod not_found;

pub use accounts::{SignInPage, SignUpPage};
pub use callback::CallbackPage;
pub use home::HomePage;
pub use link::LinkPage;
pub use not_found::NotFoundPage;
