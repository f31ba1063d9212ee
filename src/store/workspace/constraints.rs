//! What a lock reports about its PINs (`/access_codes/report_device_constraints`): the lengths
//! it takes from now on. Codes already on it stay as they are.

use crate::domain::command::ReportConstraints;
use crate::error::Result;

use super::{Scope, Workspace};

impl Workspace {
    /// Sets the lock's `properties.supported_code_lengths`: the reported lengths, sorted and
    /// without repeats.
    pub fn report_constraints(&mut self, req: ReportConstraints, scope: &Scope) -> Result<()> {
        let id = self.lock(req.device_id, scope)?.device_id;
        let mut lengths = req.supported_code_lengths;
        lengths.sort_unstable();
        lengths.dedup();
        if let Some(d) = self.devices.get_mut(&id) {
            d.properties.supported_code_lengths = Some(lengths);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::domain::command::ReportConstraints;
    use crate::error::Error;

    #[test]
    fn reported_lengths_decide_later_pins() {
        let mut w = ws();
        let req = ReportConstraints {
            device_id: dev(AUGUST_1),
            supported_code_lengths: vec![8, 7, 8],
        };
        w.report_constraints(req, &all()).unwrap();
        let lengths = &w.devices[&dev(AUGUST_1)].properties.supported_code_lengths;
        assert_eq!(lengths.as_deref(), Some(&[7, 8][..]));
        let (c, _) = w.create_one(one(AUGUST_1), &all()).unwrap();
        assert_eq!(c.code.map(|p| p.len()), Some(7));
        let thermostat = ReportConstraints {
            device_id: dev(4),
            supported_code_lengths: vec![4],
        };
        assert!(matches!(
            w.report_constraints(thermostat, &all()),
            Err(Error::DeviceDoesNotSupportAccessCodes(_))
        ));
    }
}
