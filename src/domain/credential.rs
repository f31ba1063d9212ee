//! The kinds of credential a request can present (contract §2), by name: the journal records
//! one per request and a fault rule can match on it. Never the token itself.

crate::wire_enum! {
    /// What kind of credential a request presented (read from its headers, whether or not it
    /// was accepted).
    pub enum CredentialKind {
        ApiKey = "api_key",
        ClientSession = "client_session",
        PersonalAccessToken = "personal_access_token",
        ConsoleSession = "console_session",
        PublishableKey = "publishable_key",
    }
}
