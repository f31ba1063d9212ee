//! Customization profiles: made, read, listed and changed, one workspace's at a time.

use uuid::Uuid;

use crate::domain::customization::{CustomizationProfile, ProfileFields};
use crate::error::{Error, Result};

use super::Workspace;

impl Workspace {
    /// `/workspaces/customization_profiles/create`.
    pub fn create_profile(&mut self, fields: ProfileFields) -> CustomizationProfile {
        let id = self.new_id();
        let p = CustomizationProfile::new(id, self.record.workspace_id, fields, self.now);
        self.profiles.insert(id, p.clone());
        p
    }

    /// One profile by id.
    pub fn profile(&self, id: Uuid) -> Result<&CustomizationProfile> {
        self.profiles
            .get(&id)
            .ok_or(Error::CustomizationProfileNotFound)
    }

    /// Every profile, oldest first.
    pub fn profiles(&self) -> impl Iterator<Item = &CustomizationProfile> {
        self.profiles.values()
    }

    /// `/workspaces/customization_profiles/update`: the fields given change.
    pub fn update_profile(&mut self, id: Uuid, fields: ProfileFields) -> Result<()> {
        let p = self
            .profiles
            .get_mut(&id)
            .ok_or(Error::CustomizationProfileNotFound)?;
        p.apply(fields);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;

    #[test]
    fn profiles_are_made_changed_and_listed() {
        let mut w = ws();
        let p = w.create_profile(ProfileFields {
            name: Some("Brand".into()),
            ..ProfileFields::default()
        });
        let id = p.customization_profile_id;
        w.update_profile(
            id,
            ProfileFields {
                primary_color: Some("#123456".into()),
                ..ProfileFields::default()
            },
        )
        .unwrap();
        let got = w.profile(id).unwrap();
        assert_eq!(
            (got.name.as_deref(), got.primary_color.as_deref()),
            (Some("Brand"), Some("#123456"))
        );
        assert_eq!(w.profiles().count(), 1);
        assert!(matches!(
            w.update_profile(uuid::Uuid::nil(), ProfileFields::default()),
            Err(Error::CustomizationProfileNotFound)
        ));
    }
}
