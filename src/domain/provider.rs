//! Device providers (`/devices/list_device_providers`): the makers whose devices seam-mock's
//! templates reproduce (`device::template_for`), with the capability flags those devices have
//! here and the categories Seam files each provider under.

use serde::Serialize;
use utoipa::ToSchema;

crate::wire_enum! {
    /// A group of providers (`provider_category`).
    pub enum ProviderCategory {
        Stable = "stable",
        ConsumerSmartlocks = "consumer_smartlocks",
        Beta = "beta",
        Thermostats = "thermostats",
        NoiseSensors = "noise_sensors",
        AccessControlSystems = "access_control_systems",
        Cameras = "cameras",
        Connectors = "connectors",
    }
}

/// One provider as Seam lists it.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
pub struct DeviceProvider {
    /// Seam's name for the provider (`august`, `schlage`, ...).
    pub device_provider_name: &'static str,
    pub display_name: &'static str,
    pub image_url: String,
    pub provider_categories: Vec<ProviderCategory>,
    pub can_remotely_lock: bool,
    pub can_remotely_unlock: bool,
    pub can_program_online_access_codes: bool,
    pub can_program_offline_access_codes: bool,
    pub can_configure_auto_lock: bool,
}

/// What kind of devices a provider makes here.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Makes {
    /// Locks that take PINs online.
    Locks,
    /// Locks that also derive offline (algoPIN) codes.
    OfflineLocks,
    Thermostats,
    NoiseSensors,
}

/// The providers of the device types seam-mock has templates for, in Seam's order of names.
const PROVIDERS: &[(&str, &str, Makes)] = &[
    ("august", "August", Makes::Locks),
    ("schlage", "Schlage", Makes::Locks),
    ("smartthings", "SmartThings", Makes::Locks),
    ("yale", "Yale", Makes::Locks),
    ("salto", "Salto", Makes::Locks),
    ("ttlock", "TTLock", Makes::Locks),
    ("nuki", "Nuki", Makes::Locks),
    ("kwikset", "Kwikset", Makes::Locks),
    ("minut", "Minut", Makes::NoiseSensors),
    ("igloohome", "igloohome", Makes::OfflineLocks),
    ("ecobee", "ecobee", Makes::Thermostats),
    ("tedee", "tedee", Makes::Locks),
];

/// Every provider, or those in `category`.
pub fn providers(category: Option<ProviderCategory>) -> Vec<DeviceProvider> {
    use ProviderCategory::*;
    PROVIDERS
        .iter()
        .map(|&(name, display_name, makes)| {
            let lock = matches!(makes, Makes::Locks | Makes::OfflineLocks);
            let kind = match makes {
                Makes::Locks | Makes::OfflineLocks => ConsumerSmartlocks,
                Makes::Thermostats => Thermostats,
                Makes::NoiseSensors => NoiseSensors,
            };
            DeviceProvider {
                device_provider_name: name,
                display_name,
                image_url: format!(
                    "https://connect.getseam.com/assets/images/logos/{name}_logo_square.png"
                ),
                provider_categories: vec![Stable, kind],
                can_remotely_lock: lock,
                can_remotely_unlock: lock,
                can_program_online_access_codes: lock,
                can_program_offline_access_codes: makes == Makes::OfflineLocks,
                can_configure_auto_lock: lock,
            }
        })
        .filter(|p| category.is_none_or(|c| p.provider_categories.contains(&c)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::device::template_for;

    #[test]
    fn every_provider_has_a_template_and_categories_filter() {
        let all = providers(None);
        assert_eq!(all.len(), PROVIDERS.len());
        for p in &all {
            let kinds =
                ["lock", "thermostat", "sensor"].map(|k| format!("{}_{k}", p.device_provider_name));
            assert!(
                kinds.iter().any(|k| template_for(k).is_some()),
                "{} has no template",
                p.device_provider_name
            );
        }
        let thermostats = providers(Some(ProviderCategory::Thermostats));
        assert_eq!(
            thermostats
                .iter()
                .map(|p| p.device_provider_name)
                .collect::<Vec<_>>(),
            ["ecobee"]
        );
        assert!(providers(Some(ProviderCategory::Cameras)).is_empty());
        let igloo = all
            .iter()
            .find(|p| p.device_provider_name == "igloohome")
            .unwrap();
        assert!(igloo.can_program_offline_access_codes);
    }
}
