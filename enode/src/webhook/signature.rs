use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretString};
use sha1::Sha1;

/// The header that carries `sha1=<hex>` of the delivery body.
pub const SIGNATURE_HEADER: &str = "x-enode-signature";

/// The header that carries the unique id of a delivery.
pub const DELIVERY_HEADER: &str = "x-enode-delivery";

const SIGNATURE_PREFIX: &str = "sha1=";

/// HMAC-SHA1 output length in bytes.
const SIGNATURE_LENGTH: usize = 20;

/// The reason a webhook delivery failed signature verification. Respond to such a delivery
/// with 401 and do not process it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the {SIGNATURE_HEADER} header is missing")]
    MissingHeader,
    #[error("the {SIGNATURE_HEADER} header is malformed: expected sha1= and 40 hex digits")]
    MalformedHeader,
    #[error("the {SIGNATURE_HEADER} header does not match the body and the webhook secret")]
    Mismatch,
}

/// Checks that `header_value` is `sha1=` and the hex HMAC-SHA1 of `raw_body` keyed with
/// `secret`.
///
/// `raw_body` must be the bytes as received, before any JSON parsing. The comparison takes
/// constant time. Pass the header as found, for example `headers.get(SIGNATURE_HEADER)`.
pub fn verify_signature<H: AsRef<[u8]>>(
    secret: &SecretString,
    raw_body: &[u8],
    header_value: Option<H>,
) -> Result<(), SignatureError> {
    let header_value = header_value.ok_or(SignatureError::MissingHeader)?;
    let expected = decode_header(header_value.as_ref())?;

    // HMAC accepts keys of any length, so `new_from_slice` does not fail.
    let Ok(mut mac) = Hmac::<Sha1>::new_from_slice(secret.expose_secret().as_bytes()) else {
        return Err(SignatureError::Mismatch);
    };
    mac.update(raw_body);
    mac.verify_slice(&expected)
        .map_err(|_| SignatureError::Mismatch)
}

/// Decodes `sha1=<40 hex digits>`, allowing surrounding whitespace, an upper-case prefix and
/// upper-case digits.
fn decode_header(header_value: &[u8]) -> Result<Vec<u8>, SignatureError> {
    let text = std::str::from_utf8(header_value)
        .map_err(|_| SignatureError::MalformedHeader)?
        .trim();
    if text.len() < SIGNATURE_PREFIX.len()
        || !text.is_char_boundary(SIGNATURE_PREFIX.len())
        || !text[..SIGNATURE_PREFIX.len()].eq_ignore_ascii_case(SIGNATURE_PREFIX)
    {
        return Err(SignatureError::MalformedHeader);
    }

    let digest = hex::decode(&text[SIGNATURE_PREFIX.len()..])
        .map_err(|_| SignatureError::MalformedHeader)?;
    if digest.len() != SIGNATURE_LENGTH {
        return Err(SignatureError::MalformedHeader);
    }
    Ok(digest)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "a-webhook-secret-of-32-characters";
    const BODY: &[u8] = br#"[{"event":"enode:webhook:test"}]"#;

    fn secret() -> SecretString {
        SecretString::from(SECRET)
    }

    fn sign(key: &str, body: &[u8]) -> String {
        let mut mac = Hmac::<Sha1>::new_from_slice(key.as_bytes()).expect("any key length");
        mac.update(body);
        format!("sha1={}", hex::encode(mac.finalize().into_bytes()))
    }

    #[test]
    fn signature_accepts_valid() {
        let header = sign(SECRET, BODY);
        assert_eq!(verify_signature(&secret(), BODY, Some(&header)), Ok(()));
    }

    #[test]
    fn signature_accepts_upper_case_hex() {
        let header = sign(SECRET, BODY).to_uppercase();
        assert_eq!(verify_signature(&secret(), BODY, Some(&header)), Ok(()));
    }

    #[test]
    fn signature_rejects_wrong_secret() {
        let header = sign("another-secret-of-enough-length", BODY);
        let result = verify_signature(&secret(), BODY, Some(&header));
        assert_eq!(result, Err(SignatureError::Mismatch));
    }

    #[test]
    fn signature_rejects_changed_body() {
        let header = sign(SECRET, BODY);
        let result = verify_signature(
            &secret(),
            br#"[{"event":"enode:webhook:tesT"}]"#,
            Some(&header),
        );
        assert_eq!(result, Err(SignatureError::Mismatch));
    }

    #[test]
    fn signature_rejects_missing_header() {
        let result = verify_signature(&secret(), BODY, None::<&str>);
        assert_eq!(result, Err(SignatureError::MissingHeader));
    }

    #[test]
    fn signature_rejects_other_algorithm() {
        let header = sign(SECRET, BODY).replacen("sha1=", "sha256=", 1);
        let result = verify_signature(&secret(), BODY, Some(&header));
        assert_eq!(result, Err(SignatureError::MalformedHeader));
    }

    #[test]
    fn signature_rejects_non_hex() {
        let result = verify_signature(&secret(), BODY, Some("sha1=not-hex"));
        assert_eq!(result, Err(SignatureError::MalformedHeader));
    }

    #[test]
    fn signature_rejects_short_digest() {
        let result = verify_signature(&secret(), BODY, Some("sha1=abcdef"));
        assert_eq!(result, Err(SignatureError::MalformedHeader));
    }

    #[test]
    fn signature_rejects_non_utf8_header() {
        let result = verify_signature(&secret(), BODY, Some([0xff_u8, 0xfe].as_slice()));
        assert_eq!(result, Err(SignatureError::MalformedHeader));
    }
}
