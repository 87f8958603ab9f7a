//! The link flow: start an Enode Link UI session for a driver, then confirm it when Enode sends
//! the driver back, saving the linked vendor and its vehicles.

use std::time::Duration;

use enode::{LinkSessionRequest, Scope};
use url::Url;

use crate::{
    Carlink, Error, UserId,
    time::now_millis,
    vehicles::{LinkedVendorRecord, VehicleRecord},
    vendors::SupportedVendor,
};

/// How long a pending link stays usable: as long as Enode's link session.
pub const LINK_LIFETIME: Duration = Duration::from_secs(24 * 60 * 60);

/// The path Enode's Link UI sends drivers back to.
pub const CALLBACK_PATH: &str = "/callback";

/// The scopes carlink requests from Enode. Charging control is left out because carlink only
/// shows the car.
const SCOPES: [Scope; 2] = [Scope::VehicleReadData, Scope::VehicleReadLocation];

/// A started link: send the browser to `link_url`.
#[derive(Clone, Debug)]
pub struct LinkStart {
    pub link_url: Url,
    pub link_token: String,
}

/// The identifier of a returning driver's link: the `state` carlink put into the redirect URI,
/// or Enode's link token.
#[derive(Clone, Debug)]
pub enum LinkReference {
    State(String),
    LinkToken(String),
}

/// A pending link as the callback page shows it before confirming.
#[derive(Clone, Debug)]
pub struct LinkSummary {
    pub vendor: &'static SupportedVendor,
    pub confirmed: bool,
    pub expired: bool,
}

/// The result of a confirmed link: the vendor and the vehicles saved for it.
#[derive(Clone, Debug)]
pub struct LinkOutcome {
    pub vendor: LinkedVendorRecord,
    pub vehicles: Vec<VehicleRecord>,
}

/// A language for Enode's Link UI: a BCP 47 tag such as `en-US`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Language(String);

impl Language {
    pub const DEFAULT: &'static str = "en-US";

    /// Takes the first language of an `Accept-Language` header value, or `en-US` when there is
    /// none or it is not a plain BCP 47 tag.
    pub fn from_accept_language(header: Option<&str>) -> Self {
        let first = header
            .and_then(|value| value.split(',').next())
            .and_then(|entry| entry.split(';').next())
            .map(str::trim)
            .unwrap_or_default();
        if is_language_tag(first) {
            Self(first.to_owned())
        } else {
            Self(Self::DEFAULT.to_owned())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Checks the shape `ll`, `lll`, or those followed by `-` and 2 to 8 letters or digits, such as
/// `nb-NO` or `zh-Hant-TW`. `*` and anything else are rejected.
fn is_language_tag(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let primary_ok = parts.next().is_some_and(|primary| {
        (2..=3).contains(&primary.len()) && primary.bytes().all(|byte| byte.is_ascii_alphabetic())
    });
    primary_ok
        && parts.all(|part| {
            (2..=8).contains(&part.len()) && part.bytes().all(|byte| byte.is_ascii_alphanumeric())
        })
}

struct PendingLink {
    state: String,
    user_id: String,
    vendor: &'static SupportedVendor,
    expires_at: i64,
    confirmed_at: Option<i64>,
}

impl PendingLink {
    fn is_expired(&self, now: i64) -> bool {
        self.expires_at <= now
    }
}

impl Carlink {
    /// Starts linking `vendor` for `user_id`: creates an Enode link session that returns the
    /// driver to carlink's callback with a fresh `state`, checks that the Link UI address is
    /// the configured one, and stores the pending link.
    pub async fn start_link(
        &self,
        user_id: &UserId,
        vendor: &str,
        language: &Language,
    ) -> Result<LinkStart, Error> {
        let vendor = SupportedVendor::parse(vendor)?;
        let state = crate::random_token();
        let redirect_uri = self.callback_url(&state)?;

        let mut request =
            LinkSessionRequest::vehicle(SCOPES.to_vec(), language.as_str(), redirect_uri);
        request.vendor = Some(vendor.enode_vendor()?);
        let session = self
            .enode()
            .create_link_session(user_id.as_str(), &request)
            .await?;
        self.check_link_url(&session.link_url)?;

        let created_at = now_millis();
        let expires_at = created_at.saturating_add(millis(self.inner.link_lifetime));
        let user = user_id.as_str();
        sqlx::query!(
            "INSERT INTO pending_links (state, link_token, user_id, vendor, created_at, expires_at)
             VALUES (?, ?, ?, ?, ?, ?)",
            state,
            session.link_token,
            user,
            vendor.id,
            created_at,
            expires_at,
        )
        .execute(self.db())
        .await?;

        tracing::info!(user_id = %user_id, vendor = vendor.id, "link started");
        Ok(LinkStart {
            link_url: session.link_url,
            link_token: session.link_token,
        })
    }

    /// Describes the driver's pending link without changing it, for the callback page.
    pub async fn link_summary(
        &self,
        user_id: &UserId,
        reference: &LinkReference,
    ) -> Result<LinkSummary, Error> {
        let link = self.owned_link(user_id, reference).await?;
        Ok(LinkSummary {
            vendor: link.vendor,
            confirmed: link.confirmed_at.is_some(),
            expired: link.is_expired(now_millis()),
        })
    }

    /// Confirms the driver's link: fetches the user's linked vendors and vehicles from Enode and
    /// saves the vendor, its vehicles and their latest state in one transaction.
    ///
    /// Confirming a confirmed link again returns what is stored without calling Enode, and
    /// concurrent confirms of one link wait for the first, so nothing is written twice. When
    /// Enode fails, nothing is saved and the pending link stays usable.
    pub async fn confirm_link(
        &self,
        user_id: &UserId,
        reference: &LinkReference,
    ) -> Result<LinkOutcome, Error> {
        let link = self.owned_link(user_id, reference).await?;
        let _guard = self.inner.link_locks.lock(&link.state).await;

        // Another request may have confirmed the link while this one waited for the lock.
        let link = self.owned_link(user_id, reference).await?;
        if link.confirmed_at.is_some() {
            return self.stored_outcome(user_id, link.vendor).await;
        }
        if link.is_expired(now_millis()) {
            return Err(Error::LinkExpired {
                vendor: link.vendor.name.to_owned(),
            });
        }

        let not_completed = || Error::LinkNotCompleted {
            vendor: link.vendor.name.to_owned(),
        };
        let enode_user = match self.enode().get_user(user_id.as_str()).await {
            Err(enode::Error::NotFound { .. }) => return Err(not_completed()),
            result => result?,
        };
        let linked_vendor = enode_user
            .linked_vendors
            .iter()
            .find(|linked| linked.vendor.as_str() == link.vendor.id)
            .ok_or_else(not_completed)?;
        let vehicles: Vec<enode::Vehicle> = self
            .enode()
            .list_vehicles(user_id.as_str())
            .await?
            .into_iter()
            .filter(|vehicle| vehicle.vendor.as_str() == link.vendor.id)
            .collect();

        let mut transaction = self.db().begin_with("BEGIN IMMEDIATE").await?;
        crate::vehicles::save_linked_vendor(
            &mut transaction,
            user_id,
            link.vendor.id,
            linked_vendor.is_valid,
        )
        .await?;
        crate::vehicles::replace_vendor_vehicles(
            &mut transaction,
            user_id,
            link.vendor.id,
            &vehicles,
        )
        .await?;
        let confirmed_at = now_millis();
        sqlx::query!(
            "UPDATE pending_links SET confirmed_at = ? WHERE state = ? AND confirmed_at IS NULL",
            confirmed_at,
            link.state,
        )
        .execute(&mut *transaction)
        .await?;
        transaction.commit().await?;

        tracing::info!(user_id = %user_id, vendor = link.vendor.id, vehicles = vehicles.len(), "link confirmed");
        self.stored_outcome(user_id, link.vendor).await
    }

    async fn stored_outcome(
        &self,
        user_id: &UserId,
        vendor: &'static SupportedVendor,
    ) -> Result<LinkOutcome, Error> {
        let vendor_record = self
            .linked_vendors(user_id)
            .await?
            .into_iter()
            .find(|linked| linked.vendor == vendor.id)
            .ok_or_else(|| Error::LinkNotCompleted {
                vendor: vendor.name.to_owned(),
            })?;
        let vehicles = self
            .vehicles(user_id)
            .await?
            .into_iter()
            .filter(|vehicle| vehicle.vendor == vendor.id)
            .collect();
        Ok(LinkOutcome {
            vendor: vendor_record,
            vehicles,
        })
    }

    /// Loads a pending link and checks that it belongs to `user_id`. Another user's link is
    /// [`Error::Forbidden`] whatever its state, so nothing about it leaks.
    async fn owned_link(
        &self,
        user_id: &UserId,
        reference: &LinkReference,
    ) -> Result<PendingLink, Error> {
        let link = self
            .find_pending_link(reference)
            .await?
            .ok_or(Error::LinkNotFound)?;
        if link.user_id == user_id.as_str() {
            Ok(link)
        } else {
            tracing::warn!(user_id = %user_id, "link of another user requested");
            Err(Error::Forbidden)
        }
    }

    async fn find_pending_link(
        &self,
        reference: &LinkReference,
    ) -> Result<Option<PendingLink>, Error> {
        let (state, link_token) = match reference {
            LinkReference::State(state) => (Some(state.as_str()), None),
            LinkReference::LinkToken(token) => (None, Some(token.as_str())),
        };
        let row = sqlx::query!(
            "SELECT state, user_id, vendor, expires_at, confirmed_at FROM pending_links
             WHERE state = ? OR link_token = ?",
            state,
            link_token,
        )
        .fetch_optional(self.db())
        .await?;

        let Some(row) = row else {
            return Ok(None);
        };
        // Stored vendors were parsed before they were written.
        let vendor = SupportedVendor::parse(&row.vendor)?;
        Ok(Some(PendingLink {
            state: row.state,
            user_id: row.user_id,
            vendor,
            expires_at: row.expires_at,
            confirmed_at: row.confirmed_at,
        }))
    }

    fn callback_url(&self, state: &str) -> Result<Url, Error> {
        let mut url = self
            .public_url()
            .join(CALLBACK_PATH.trim_start_matches('/'))
            .map_err(|error| {
                Error::Internal(format!("building the callback URL failed: {error}"))
            })?;
        url.query_pairs_mut().append_pair("state", state);
        Ok(url)
    }

    /// Accepts only a link on the configured Link UI's origin and under its path, so that a
    /// compromised or misconfigured response cannot send drivers elsewhere.
    fn check_link_url(&self, link_url: &Url) -> Result<(), Error> {
        let link_ui = self.enode().link_ui_url();
        let same_origin = link_url.origin() == link_ui.origin();
        let under_path = link_url
            .path()
            .starts_with(link_ui.path().trim_end_matches('/'));
        if same_origin && under_path {
            Ok(())
        } else {
            tracing::error!(link_url = %link_url.origin().ascii_serialization(), expected = %link_ui, "Enode returned a link URL outside the Link UI");
            Err(Error::UntrustedLinkUrl(
                link_url.origin().ascii_serialization(),
            ))
        }
    }
}

fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_from_accept_language() {
        assert_eq!(
            Language::from_accept_language(Some("nb-NO,nb;q=0.9,en;q=0.8")).as_str(),
            "nb-NO"
        );
        assert_eq!(Language::from_accept_language(Some("de")).as_str(), "de");
        assert_eq!(
            Language::from_accept_language(Some("zh-Hant-TW;q=1")).as_str(),
            "zh-Hant-TW"
        );
    }

    #[test]
    fn language_falls_back_to_english() {
        for header in [
            None,
            Some(""),
            Some("*"),
            Some("x"),
            Some("<script>"),
            Some("en_US"),
        ] {
            assert_eq!(
                Language::from_accept_language(header).as_str(),
                "en-US",
                "{header:?}"
            );
        }
    }
}
