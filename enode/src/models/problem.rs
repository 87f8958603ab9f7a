use serde::{Deserialize, Serialize};

/// An RFC 7807 problem document, the body of Enode's error responses.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProblemDocument {
    /// A URI or code naming the kind of problem.
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub detail: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problem_reads_type_as_kind() {
        let text = r#"{"type": "https://docs.test/errors/validation", "title": "Bad",
                       "detail": "scopes is required", "errors": []}"#;
        let problem: ProblemDocument = serde_json::from_str(text).expect("a problem document");
        assert_eq!(
            problem.kind.as_deref(),
            Some("https://docs.test/errors/validation")
        );
    }
}
