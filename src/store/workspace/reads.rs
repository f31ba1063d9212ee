//! Reads of managed codes and events: one by id (404 when it is not there or the caller may
//! not see it), lists with their filters, a code's timeline, and the pagination every list
//! shares. Nothing here writes.

use uuid::Uuid;

use crate::domain::access_code::AccessCode;
use crate::domain::command::{EventFilter, TimelineQuery};
use crate::domain::event::Event;
use crate::error::{Error, Result};

use super::{Scope, Workspace};
use crate::store::chunked::Chunked;

/// A page of a list: the items and, when more follow, the offset of the next page.
#[derive(Debug)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_offset: Option<usize>,
}

/// Cuts one page out of `items`.
pub fn paginate<T>(items: impl Iterator<Item = T>, offset: usize, limit: usize) -> Page<T> {
    let mut items: Vec<T> = items.skip(offset).take(limit.saturating_add(1)).collect();
    let more = items.len() > limit;
    items.truncate(limit);
    Page {
        next_offset: more.then_some(offset + limit),
        items,
    }
}

impl Workspace {
    /// A managed code by id, if the caller may see its device.
    pub fn code(&self, id: Uuid, scope: &Scope) -> Result<&AccessCode> {
        let c = self.codes.get(&id).ok_or(Error::AccessCodeNotFound)?;
        self.visible(c, scope)
    }

    /// `c`, if the caller may see its device; else 404 as if it did not exist.
    pub(super) fn visible<'a>(&self, c: &'a AccessCode, scope: &Scope) -> Result<&'a AccessCode> {
        match self.devices.get(&c.device_id) {
            Some(d) if scope.allows(d) => Ok(c),
            _ => Err(Error::AccessCodeNotFound),
        }
    }

    /// A managed code by device and PIN.
    pub fn code_by_pin(&self, device_id: Uuid, pin: &str, scope: &Scope) -> Result<&AccessCode> {
        let d = self.device(device_id, scope)?;
        self.codes_by_device
            .get(&d.device_id)
            .into_iter()
            .flatten()
            .map(|id| &self.codes[id])
            .find(|c| c.pin().as_deref() == Some(pin))
            .ok_or(Error::AccessCodeNotFound)
    }

    /// Managed codes on a device, in creation order.
    pub fn codes_on_device(
        &self,
        device_id: Uuid,
        scope: &Scope,
        offset: usize,
        limit: usize,
    ) -> Result<Page<&AccessCode>> {
        let d = self.device(device_id, scope)?;
        let ids = self.codes_by_device.get(&d.device_id);
        Ok(paginate(
            ids.into_iter().flatten().map(|id| &self.codes[id]),
            offset,
            limit,
        ))
    }

    /// Managed codes by id, in the order asked; unknown or invisible ids are left out.
    pub fn codes_by_ids(
        &self,
        ids: &[Uuid],
        scope: &Scope,
        offset: usize,
        limit: usize,
    ) -> Page<&AccessCode> {
        let it = ids.iter().filter_map(move |id| self.code(*id, scope).ok());
        paginate(it, offset, limit)
    }

    /// The events of one managed code, oldest first, through `q`'s filters: those of a code
    /// that exists (on a lock the caller may see), or the history of one that is gone.
    pub fn code_timeline(&self, q: &TimelineQuery, scope: &Scope) -> Result<Vec<&Event>> {
        let positions = self.code_event_positions(q.access_code_id);
        match self.codes.get(&q.access_code_id) {
            Some(c) => {
                self.visible(c, scope)?;
            }
            None => {
                let first = positions.first().ok_or(Error::AccessCodeNotFound)?;
                let device = self.events[*first]
                    .device_id()
                    .and_then(|d| self.devices.get(&d));
                if !device.is_some_and(|d| scope.allows(d)) {
                    return Err(Error::AccessCodeNotFound);
                }
            }
        }
        Ok(positions
            .into_iter()
            .map(|i| &self.events[i])
            .filter(|e| q.after.is_none_or(|a| e.occurred_at > a))
            .filter(|e| q.before.is_none_or(|b| e.occurred_at < b))
            .filter(|e| {
                q.event_types
                    .as_ref()
                    .is_none_or(|l| l.iter().any(|t| t == e.event_type().as_str()))
            })
            .collect())
    }

    /// The codes of one `common_code_key`.
    pub fn codes_with_key(&self, key: &str) -> Vec<&AccessCode> {
        self.codes_by_key
            .get(key)
            .into_iter()
            .flatten()
            .map(|id| &self.codes[id])
            .collect()
    }

    /// Events matching `f`, oldest first, at most `limit`.
    /// Filtering by access code reads only those codes' events.
    pub fn events_matching(&self, f: &EventFilter, limit: usize) -> Vec<&Event> {
        let Some(codes) = &f.access_code_ids else {
            return self
                .events
                .iter()
                .filter(|e| f.matches(e))
                .take(limit)
                .collect();
        };
        let mut at: Vec<usize> = codes
            .iter()
            .flat_map(|c| self.code_event_positions(*c))
            .collect();
        at.sort_unstable();
        at.dedup();
        at.into_iter()
            .map(|i| &self.events[i])
            .filter(|e| f.matches(e))
            .take(limit)
            .collect()
    }

    /// An event by id.
    pub fn event(&self, id: Uuid) -> Result<&Event> {
        self.event_position(id)
            .map(|i| &self.events[i])
            .ok_or(Error::EventNotFound)
    }

    /// Every event, in time order.
    pub fn events(&self) -> &Chunked<Event> {
        &self.events
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use crate::domain::command::{DeviceFilter, DeviceIds};

    /// Ids as the edge turns a filter's text into them: a malformed one is left out.
    fn filter_ids<S: AsRef<str>>(ids: Option<Vec<S>>) -> Option<Vec<Uuid>> {
        ids.map(|l| {
            l.iter()
                .filter_map(|s| Uuid::try_parse(s.as_ref()).ok())
                .collect()
        })
    }
    use crate::domain::event::EventType;
    use crate::store::records::Database;
    use chrono::Duration;
    use rand::{SeedableRng, rngs::StdRng};

    #[test]
    fn paginate_cuts_pages_and_takes_everything_without_a_limit() {
        let p = paginate(0..10, 0, 4);
        assert_eq!((p.items, p.next_offset), (vec![0, 1, 2, 3], Some(4)));
        let p = paginate(0..10, 8, 4);
        assert_eq!((p.items, p.next_offset), (vec![8, 9], None));
        let p = paginate(0..10, 0, usize::MAX);
        assert_eq!((p.items.len(), p.next_offset), (10, None));
    }

    #[test]
    fn one_lock_spelled_two_ways_is_a_duplicate_and_filters_ignore_spelling() {
        let w = ws();
        let a = dev(AUGUST_1).to_string();
        // The edge parses ids into UUIDs; the one duplicate rule then sees one lock twice.
        let ids = filter_ids(Some(vec![a.clone(), a.to_uppercase()])).unwrap();
        let dup = DeviceIds::new(ids);
        assert!(dup.is_err());
        assert!(
            w.codes_on_device(dev(AUGUST_1), &all(), 0, 10)
                .unwrap()
                .items
                .is_empty()
        );
        let f = DeviceFilter {
            device_ids: filter_ids(Some(vec![a.to_uppercase()])),
            ..DeviceFilter::default()
        };
        assert_eq!(w.devices(&f, &all(), 0, 10).items.len(), 1);
        let none = DeviceFilter {
            device_ids: filter_ids(Some(vec!["nope"])),
            ..DeviceFilter::default()
        };
        assert!(w.devices(&none, &all(), 0, 10).items.is_empty());
    }

    #[test]
    fn events_are_found_by_id_and_by_code_through_the_indexes() {
        let mut w = ws();
        let (a, _) = w.create_one(one(AUGUST_1), &all()).unwrap();
        let (b, _) = w.create_one(one(AUGUST_2), &all()).unwrap();
        advance(&mut w, Duration::seconds(1));
        let ids =
            |c: &AccessCode| filter_ids(Some(vec![c.access_code_id.to_string().to_uppercase()]));
        let f = EventFilter {
            access_code_ids: ids(&b),
            ..EventFilter::default()
        };
        let of_b = w.events_matching(&f, 10);
        assert_eq!(of_b.len(), 2);
        assert!(
            of_b.iter()
                .all(|e| e.access_code_id() == Some(b.access_code_id))
        );
        let both = EventFilter {
            access_code_ids: Some(vec![a.access_code_id, b.access_code_id]),
            event_types: Some(vec![EventType::AccessCodeSetOnDevice]),
            ..EventFilter::default()
        };
        let set: Vec<_> = w
            .events_matching(&both, 10)
            .iter()
            .map(|e| e.access_code_id())
            .collect();
        assert_eq!(
            set,
            [Some(a.access_code_id), Some(b.access_code_id)],
            "time order kept"
        );
        let nothing = EventFilter {
            access_code_ids: filter_ids(Some(vec!["nope"])),
            ..EventFilter::default()
        };
        assert!(w.events_matching(&nothing, 10).is_empty());
        let first = w.events()[0].clone();
        assert_eq!(w.event(first.event_id).unwrap(), &first);
        assert!(matches!(w.event(Uuid::nil()), Err(Error::EventNotFound)));
        // The indexes survive a dump and load.
        let mut db = Database::default();
        w.dump(&mut db);
        let mut back = Workspace::new(w.record.clone(), StdRng::seed_from_u64(1), w.now, w.delay);
        back.load(&db);
        assert_eq!(back.events_matching(&f, 10).len(), 2);
        assert_eq!(back.event(first.event_id).unwrap(), &first);
    }

    #[test]
    fn event_ids_carry_their_position_and_other_ids_are_indexed() {
        use super::super::{event_id_at, position_in_id, scramble, unscramble};
        for x in (0..200_000u32).chain([u32::MAX - 1, u32::MAX, 0x8000_0000]) {
            assert_eq!(unscramble(scramble(x)), x);
        }
        let id = event_id_at([0xab; 16], 12_345);
        assert_eq!(id.get_version_num(), 4);
        assert_eq!(position_in_id(id), 12_345);

        let mut w = ws();
        let (a, _) = w.create_one(one(AUGUST_1), &all()).unwrap();
        advance(&mut w, Duration::seconds(1));
        let made: Vec<Event> = w.events().iter().cloned().collect();
        assert!(made.len() >= 2);
        for (i, e) in made.iter().enumerate() {
            assert_eq!(
                position_in_id(e.event_id) as usize,
                i,
                "made ids carry positions"
            );
            assert_eq!(w.event(e.event_id).unwrap(), e);
        }
        assert!(w.event_index.is_empty(), "nothing to index");

        // Loaded events whose ids say nothing of their position (or the wrong one: an id
        // made for position 0, now at 1) are found through the index.
        let mut db = Database::default();
        w.dump(&mut db);
        db.events.reverse();
        db.events[0].event_id = Uuid::new_v4();
        let mut back = Workspace::new(w.record.clone(), StdRng::seed_from_u64(1), w.now, w.delay);
        back.load(&db);
        for e in &db.events {
            assert_eq!(back.event(e.event_id).unwrap(), e);
        }
        assert!(matches!(
            back.event(event_id_at([7; 16], 0)),
            Err(Error::EventNotFound)
        ));
        // A code's events, oldest first, follow the order they were loaded in.
        let q = TimelineQuery {
            access_code_id: a.access_code_id,
            after: None,
            before: None,
            event_types: None,
        };
        let mine: Vec<Uuid> = back
            .code_timeline(&q, &all())
            .unwrap()
            .iter()
            .map(|e| e.event_id)
            .collect();
        let expected: Vec<Uuid> = db
            .events
            .iter()
            .filter(|e| e.access_code_id() == Some(a.access_code_id))
            .map(|e| e.event_id)
            .collect();
        assert_eq!(mine, expected);
    }
}
