//! Customization profiles (`/workspaces/customization_profiles/*`): how a workspace's
//! customer-facing pages look — colours, a theme, message overrides, a logo — kept per
//! workspace and changed field by field.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;
use uuid::Uuid;

use super::timestamp;

/// One profile, as Seam returns it and as the store keeps it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CustomizationProfile {
    pub customization_profile_id: Uuid,
    pub workspace_id: Uuid,
    #[schema(required = true)]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub primary_color: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub secondary_color: Option<String>,
    /// Fonts and colours of the customer portal (`font_family`, `primary_color`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, value_type = Option<Object>)]
    pub customer_portal_theme: Option<Map<String, Value>>,
    /// Texts that replace Seam's, by page and key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, value_type = Option<Object>)]
    pub message_overrides: Option<Map<String, Value>>,
    #[serde(with = "timestamp::required")]
    pub created_at: DateTime<Utc>,
}

/// The fields a create or an update sets; `None` leaves a field as it is.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ProfileFields {
    pub name: Option<String>,
    pub primary_color: Option<String>,
    pub secondary_color: Option<String>,
    pub customer_portal_theme: Option<Map<String, Value>>,
    pub message_overrides: Option<Map<String, Value>>,
}

impl CustomizationProfile {
    /// A new profile with `fields`.
    pub fn new(id: Uuid, workspace_id: Uuid, fields: ProfileFields, now: DateTime<Utc>) -> Self {
        let mut p = CustomizationProfile {
            customization_profile_id: id,
            workspace_id,
            name: None,
            primary_color: None,
            secondary_color: None,
            customer_portal_theme: None,
            message_overrides: None,
            created_at: timestamp::millis(now),
        };
        p.apply(fields);
        p
    }

    /// Sets every field `fields` gives.
    pub fn apply(&mut self, fields: ProfileFields) {
        let ProfileFields {
            name,
            primary_color,
            secondary_color,
            customer_portal_theme,
            message_overrides,
        } = fields;
        fn set<T>(slot: &mut Option<T>, v: Option<T>) {
            if v.is_some() {
                *slot = v;
            }
        }
        set(&mut self.name, name);
        set(&mut self.primary_color, primary_color);
        set(&mut self.secondary_color, secondary_color);
        set(&mut self.customer_portal_theme, customer_portal_theme);
        set(&mut self.message_overrides, message_overrides);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apply_sets_what_is_given_and_keeps_the_rest() {
        let now = DateTime::UNIX_EPOCH;
        let mut p = CustomizationProfile::new(
            Uuid::from_u128(1),
            Uuid::from_u128(2),
            ProfileFields {
                name: Some("Brand".into()),
                primary_color: Some("#000".into()),
                ..ProfileFields::default()
            },
            now,
        );
        p.apply(ProfileFields {
            primary_color: Some("#fff".into()),
            ..ProfileFields::default()
        });
        assert_eq!(p.name.as_deref(), Some("Brand"));
        assert_eq!(p.primary_color.as_deref(), Some("#fff"));
        let v = serde_json::to_value(&p).unwrap();
        assert_eq!(v["name"], "Brand");
        assert!(v.get("secondary_color").is_none());
        assert_eq!(v["created_at"], "1970-01-01T00:00:00.000Z");
    }
}
