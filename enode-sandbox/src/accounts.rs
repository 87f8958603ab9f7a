/// A vendor account that the Link UI accepts. The sandbox lists these, passwords included,
/// on its login page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SandboxAccount {
    pub email: &'static str,
    pub password: &'static str,
    /// Vehicles created when this account links a vendor.
    pub vehicle_count: usize,
}

pub(crate) const ACCOUNTS: &[SandboxAccount] = &[
    SandboxAccount {
        email: "solo@sandbox.test",
        password: "solo-pass",
        vehicle_count: 1,
    },
    SandboxAccount {
        email: "duo@sandbox.test",
        password: "duo-pass",
        vehicle_count: 2,
    },
    SandboxAccount {
        email: "fleet@sandbox.test",
        password: "fleet-pass",
        vehicle_count: 3,
    },
];

/// Finds the account with this email, ignoring case and surrounding spaces.
pub(crate) fn find_account(email: &str) -> Option<&'static SandboxAccount> {
    let email = email.trim();
    ACCOUNTS
        .iter()
        .find(|account| account.email.eq_ignore_ascii_case(email))
}

/// Returns the account when the email and password match one.
pub(crate) fn sign_in(email: &str, password: &str) -> Option<&'static SandboxAccount> {
    find_account(email).filter(|account| account.password == password)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_in_ignores_email_case() {
        assert!(sign_in(" Duo@Sandbox.test ", "duo-pass").is_some());
    }

    #[test]
    fn sign_in_rejects_wrong_password() {
        assert!(sign_in("duo@sandbox.test", "solo-pass").is_none());
    }
}
