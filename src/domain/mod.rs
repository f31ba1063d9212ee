//! The domain: Seam's rules with no HTTP and no locks.
//!
//! Everything here is pure and unit-testable: devices and their PIN rules, access codes and
//! their lifecycle, and the planner behind `/access_codes/create_multiple`. The HTTP edge turns
//! requests into these types; the store keeps them and calls the rules under its lock.

pub mod access_code;
pub mod action_attempt;
pub mod attempt_update;
pub mod backup;
pub mod command;
pub mod console_session;
pub mod create_multiple;
pub mod credential;
pub mod customization;
pub mod device;
pub mod door;
pub mod event;
pub mod fault;
pub mod hold;
pub mod lock;
pub mod metadata;
pub mod offline;
pub mod pin;
pub mod pindigits;
pub mod pinset;
pub mod provider;
pub mod rules;
pub mod timeline;
pub mod timestamp;
pub mod webhook;
pub mod wire;
