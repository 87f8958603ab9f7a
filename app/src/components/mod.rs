pub mod form;
pub mod layout;
pub mod link_actions;
pub mod session;
pub mod vehicle;
