//! [`PinDigits`]: a stored PIN in 11 bytes, two digits a byte, for the records kept by the
//! million (a managed code's PIN, and the one its `access_code.set_on_device` event carries).
//!
//! A `String` takes 24 bytes and a heap allocation for 4–20 digits; this takes 11 and none,
//! and has no pointer in it, so an event that carries one stays 8 bytes smaller than with a
//! 16-byte inline string (`docs/performance.md`). It holds every PIN a code can have: 1 to
//! [`MAX_CODE_LENGTH`](super::device::MAX_CODE_LENGTH) ASCII digits (`Database::check` refuses
//! longer ones). On the wire it is the plain string.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer};
use serde::{Serialize, Serializer};

use super::device::MAX_CODE_LENGTH;

/// Digits a [`PinDigits`] holds at most: a lock's longest PIN.
pub const CAPACITY: usize = MAX_CODE_LENGTH as usize;

/// 1 to [`CAPACITY`] ASCII digits, packed two a byte (the first digit in the high half).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct PinDigits {
    len: u8,
    packed: [u8; CAPACITY / 2],
}

impl PinDigits {
    /// `pin` packed, or `None` when it is not 1 to [`CAPACITY`] ASCII digits.
    pub fn new(pin: &str) -> Option<Self> {
        let b = pin.as_bytes();
        if b.is_empty() || b.len() > CAPACITY || !b.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let mut packed = [0; CAPACITY / 2];
        for (i, d) in b.iter().enumerate() {
            packed[i / 2] |= (d - b'0') << (if i % 2 == 0 { 4 } else { 0 });
        }
        Some(PinDigits {
            len: b.len() as u8,
            packed,
        })
    }

    /// How many digits.
    pub fn len(&self) -> usize {
        usize::from(self.len)
    }

    /// Never: a PIN has a digit at least (for clippy's `len_without_is_empty`).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The digits as text, on the stack.
    pub fn text(&self) -> PinText {
        let mut buf = [0; CAPACITY];
        self.write(&mut buf);
        PinText { buf, len: self.len }
    }

    /// The digits as text, written into `buf`.
    pub fn write<'b>(&self, buf: &'b mut [u8; CAPACITY]) -> &'b str {
        for (i, out) in buf.iter_mut().take(self.len()).enumerate() {
            let half = if i % 2 == 0 { 4 } else { 0 };
            *out = b'0' + ((self.packed[i / 2] >> half) & 0xf);
        }
        // Only ASCII digits were written.
        std::str::from_utf8(&buf[..self.len()]).unwrap_or_default()
    }
}

impl PartialEq<str> for PinDigits {
    fn eq(&self, other: &str) -> bool {
        *self.text() == *other
    }
}

/// A [`PinDigits`] written out: the PIN as a `&str` (`Deref`) without a heap allocation.
#[derive(Clone, Copy)]
pub struct PinText {
    buf: [u8; CAPACITY],
    len: u8,
}

impl std::ops::Deref for PinText {
    type Target = str;
    fn deref(&self) -> &str {
        // Only ASCII digits were written.
        std::str::from_utf8(&self.buf[..usize::from(self.len)]).unwrap_or_default()
    }
}

impl fmt::Display for PinText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self)
    }
}

impl fmt::Debug for PinText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl fmt::Display for PinDigits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.write(&mut [0; CAPACITY]))
    }
}

impl fmt::Debug for PinDigits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.write(&mut [0; CAPACITY]), f)
    }
}

impl Serialize for PinDigits {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.write(&mut [0; CAPACITY]))
    }
}

impl<'de> Deserialize<'de> for PinDigits {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = std::borrow::Cow::<str>::deserialize(d)?;
        PinDigits::new(&s).ok_or_else(|| {
            de::Error::custom(format!("{s:?} is not a PIN (1 to {CAPACITY} digits only)"))
        })
    }
}

/// Tests write PINs as literals (`code: Some("1234".into())`).
#[cfg(test)]
impl From<&str> for PinDigits {
    fn from(pin: &str) -> Self {
        PinDigits::new(pin).expect("a PIN literal")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_length_reads_back_as_written() {
        let all = "09876543211234567890";
        for n in 1..=CAPACITY {
            let p = PinDigits::new(&all[..n]).unwrap();
            assert_eq!((p.len(), p.to_string()), (n, all[..n].to_string()));
            assert_eq!(&*p.text(), &all[..n]);
            assert!(p == all[..n]);
            assert_eq!(
                serde_json::to_string(&p).unwrap(),
                format!("\"{}\"", &all[..n])
            );
            let back: PinDigits = serde_json::from_str(&format!("\"{}\"", &all[..n])).unwrap();
            assert_eq!(back, p);
        }
    }

    #[test]
    fn refuses_what_is_not_a_pin() {
        for bad in ["", "12a4", "١٢٣٤", "123456789012345678901", " 1234"] {
            assert_eq!(PinDigits::new(bad), None, "{bad:?}");
            assert!(serde_json::from_str::<PinDigits>(&format!("{bad:?}")).is_err());
        }
        // Leading zeros are digits like any other.
        assert_eq!(PinDigits::new("0007").unwrap().to_string(), "0007");
    }
}
