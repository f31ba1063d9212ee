//! Storage for the workspace's big, ever-growing collections (events, managed codes, action
//! attempts) that never moves what it holds.
//!
//! A `Vec` that doubles copies everything it holds: with millions of codes that is hundreds of
//! megabytes copied under the workspace lock in one request, seen as p99 spikes of hundreds of
//! milliseconds (`docs/performance.md`). [`Chunked`] grows by adding a chunk twice the size of
//! the last (up to [`LARGEST`]) instead, so a push is O(1) without exception and the memory
//! stays where it was. [`Table`] puts an id index over it and deletes by leaving a hole, so a
//! delete is O(1) too (an `IndexMap`'s order-keeping removal shifts every later entry), while
//! iteration keeps insertion order.
//!
//! Chunks are shared between clones (`Arc`) and copied on the first write: a snapshot of a
//! workspace (`store::snapshots`) copies pointers to chunks, not records, and a write after it
//! copies one chunk at most.
//!
//! `boxcar::Vec` grows the same way, but it is built for concurrent pushes and keeps a flag
//! next to every entry; under the workspace's mutex neither is needed.
//!
//! The hash maps that grow with codes and events are a [`SteadyMap`] for the same reason: a
//! `std` map that doubles rehashes every entry in one insert (tens of milliseconds at a million
//! entries, under the workspace lock); `griddle`'s map moves a few old entries per insert.

use std::ops::{Index, IndexMut};
use std::sync::Arc;

use foldhash::fast::FixedState;
use uuid::Uuid;

/// A hash map that never rehashes everything in one insert: when it grows, it keeps the old
/// table and moves 8 of its entries to the new one on each later insert (`griddle`, hashbrown
/// with incremental resizing). For the maps whose size follows codes or events; per-lock maps
/// stay `std` maps. Keys are server-made ids, hashed with foldhash.
pub type SteadyMap<K, V> = griddle::HashMap<K, V, FixedState>;

/// Entries in the first chunk; chunk `k` holds `FIRST << k`, up to [`LARGEST`].
const FIRST: usize = 16;
/// How many chunks double before they stay at [`LARGEST`].
const DOUBLINGS: usize = 6;
/// The largest chunk: the most a write to a chunk shared with a snapshot copies (with 1,024,
/// saving and restoring 100,000 codes stays within 50 ms, `benches/state.rs`).
pub const LARGEST: usize = FIRST << DOUBLINGS;
/// Entries in the doubling chunks, before the first of size [`LARGEST`].
const DOUBLED: usize = FIRST * ((1 << DOUBLINGS) - 1);

/// Where entry `i` lives: (chunk, offset in it). Doubling chunk `k` starts at
/// `FIRST * (2^k - 1)`; after them every chunk holds [`LARGEST`].
fn locate(i: usize) -> (usize, usize) {
    if i >= DOUBLED {
        let j = i - DOUBLED;
        return (DOUBLINGS + j / LARGEST, j % LARGEST);
    }
    let m = i / FIRST + 1;
    let k = (usize::BITS - 1 - m.leading_zeros()) as usize;
    (k, i - FIRST * ((1 << k) - 1))
}

/// How many entries chunk `k` holds when full.
fn capacity(k: usize) -> usize {
    FIRST << k.min(DOUBLINGS)
}

/// An append-only sequence in chunks of doubling size: pushing never moves an entry.
#[derive(Clone, Debug)]
pub struct Chunked<T> {
    chunks: Vec<Arc<Vec<T>>>,
    len: usize,
}

impl<T> Default for Chunked<T> {
    fn default() -> Self {
        Chunked {
            chunks: Vec::new(),
            len: 0,
        }
    }
}

impl<T> Chunked<T> {
    /// How many entries there are.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The entry at position `i`.
    pub fn get(&self, i: usize) -> Option<&T> {
        if i >= self.len {
            return None;
        }
        let (k, o) = locate(i);
        self.chunks[k].get(o)
    }

    /// Every entry, in order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &T> + '_ {
        self.chunks.iter().flat_map(|c| c.iter())
    }

    /// The entries from position `start` on, in order (found in O(1), not by skipping).
    pub fn iter_from(&self, start: usize) -> impl Iterator<Item = &T> + '_ {
        let (k, o) = if start < self.len {
            locate(start)
        } else {
            (self.chunks.len(), 0)
        };
        let head = self.chunks.get(k).map_or(&[][..], |c| &c[o..]);
        head.iter()
            .chain(self.chunks.iter().skip(k + 1).flat_map(|c| c.iter()))
    }
}

impl<T: Clone> Chunked<T> {
    /// Chunk `k` to write to: copied first if a clone shares it, with room for all it holds.
    fn chunk_mut(&mut self, k: usize) -> &mut Vec<T> {
        let chunk = Arc::make_mut(&mut self.chunks[k]);
        if chunk.capacity() < capacity(k) {
            chunk.reserve_exact(capacity(k) - chunk.len());
        }
        chunk
    }

    /// Appends an entry; returns its position.
    pub fn push(&mut self, t: T) -> usize {
        let at = self.len;
        let (k, _) = locate(at);
        if k == self.chunks.len() {
            self.chunks.push(Arc::new(Vec::with_capacity(capacity(k))));
        }
        self.chunk_mut(k).push(t);
        self.len += 1;
        at
    }

    /// The entry at position `i`, to change it.
    pub fn get_mut(&mut self, i: usize) -> Option<&mut T> {
        if i >= self.len {
            return None;
        }
        let (k, o) = locate(i);
        self.chunk_mut(k).get_mut(o)
    }
}

impl<T> Index<usize> for Chunked<T> {
    type Output = T;

    fn index(&self, i: usize) -> &T {
        self.get(i).expect("index within the chunked vector")
    }
}

impl<T: Clone> IndexMut<usize> for Chunked<T> {
    fn index_mut(&mut self, i: usize) -> &mut T {
        self.get_mut(i).expect("index within the chunked vector")
    }
}

/// A record that carries its own id (so a [`Table`] need not store it twice).
pub trait Keyed {
    fn id(&self) -> Uuid;
}

/// Records keyed by id, in insertion order, in a [`Chunked`]. An insert moves nothing; a delete
/// leaves a hole, and the delete that makes holes outnumber records (past 1,024) compacts the
/// table, moving every record once: O(1) amortized, since as many deletes came before it.
#[derive(Clone, Debug)]
pub struct Table<T> {
    slots: Chunked<Option<T>>,
    at: SteadyMap<Uuid, u32>,
}

impl<T> Default for Table<T> {
    fn default() -> Self {
        Table {
            slots: Chunked::default(),
            at: SteadyMap::default(),
        }
    }
}

impl<T: Keyed + Clone> Table<T> {
    /// How many records there are.
    pub fn len(&self) -> usize {
        self.at.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.at.is_empty()
    }

    /// Whether a record has this id.
    pub fn contains_key(&self, id: &Uuid) -> bool {
        self.at.contains_key(id)
    }

    /// Stores a record: in place of the one with its id, or at the end.
    pub fn insert(&mut self, t: T) {
        let id = t.id();
        if let Some(&i) = self.at.get(&id) {
            self.slots[i as usize] = Some(t);
            return;
        }
        let i = u32::try_from(self.slots.len()).expect("fewer than 2^32 records in a table");
        self.slots.push(Some(t));
        self.at.insert(id, i);
    }

    /// The record with this id.
    pub fn get(&self, id: &Uuid) -> Option<&T> {
        let i = *self.at.get(id)?;
        self.slots[i as usize].as_ref()
    }

    /// The record with this id, to change it.
    pub fn get_mut(&mut self, id: &Uuid) -> Option<&mut T> {
        let i = *self.at.get(id)?;
        self.slots[i as usize].as_mut()
    }

    /// Takes the record with this id out; the others keep their order.
    pub fn remove(&mut self, id: &Uuid) -> Option<T> {
        let i = self.at.remove(id)?;
        let out = self.slots[i as usize].take();
        let holes = self.slots.len() - self.at.len();
        if holes > 1024 && holes > self.at.len() {
            self.compact();
        }
        out
    }

    /// Rebuilds the storage without holes (amortized: only after as many deletes as records).
    fn compact(&mut self) {
        let old = std::mem::take(&mut self.slots);
        self.at.clear();
        let records = old
            .chunks
            .into_iter()
            .flat_map(Arc::unwrap_or_clone)
            .flatten();
        for t in records {
            let id = t.id();
            let i = self.slots.push(Some(t));
            self.at.insert(id, i as u32);
        }
    }

    /// The records, in insertion order.
    pub fn values(&self) -> impl Iterator<Item = &T> + '_ {
        self.slots.iter().flatten()
    }

    /// The records among the newest `slots` slots (holes count), newest first: a bounded look
    /// at the latest records that never walks the whole table (the dashboard).
    pub fn newest(&self, slots: usize) -> impl Iterator<Item = &T> + '_ {
        self.slots.iter().rev().take(slots).flatten()
    }

    /// The records as they are now, sharing their chunks (no record is copied, nor the id
    /// index): cheap to take under the workspace's lock and read after it is let go (the
    /// dashboard's search). A later write copies the one chunk it touches, once.
    pub fn frozen(&self) -> Frozen<T> {
        Frozen(self.slots.clone())
    }
}

/// A [`Table`]'s records at one moment, read without its lock ([`Table::frozen`]).
#[derive(Clone, Debug)]
pub struct Frozen<T>(Chunked<Option<T>>);

impl<T> Frozen<T> {
    /// The records, newest first.
    pub fn newest_first(&self) -> impl Iterator<Item = &T> + '_ {
        self.0.iter().rev().flatten()
    }
}

impl<T: Keyed + Clone> Index<&Uuid> for Table<T> {
    type Output = T;

    fn index(&self, id: &Uuid) -> &T {
        self.get(id).expect("a record with this id")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    impl Keyed for (Uuid, u32) {
        fn id(&self) -> Uuid {
            self.0
        }
    }

    #[test]
    fn positions_map_to_doubling_chunks() {
        assert_eq!(locate(0), (0, 0));
        assert_eq!(locate(15), (0, 15));
        assert_eq!(locate(16), (1, 0));
        assert_eq!(locate(47), (1, 31));
        assert_eq!(locate(48), (2, 0));
        assert_eq!(locate(111), (2, 63));
        assert_eq!(locate(112), (3, 0));
        // Past the doubling chunks, every chunk holds LARGEST.
        assert_eq!(
            locate(DOUBLED - 1),
            (DOUBLINGS - 1, capacity(DOUBLINGS - 1) - 1)
        );
        assert_eq!(locate(DOUBLED), (DOUBLINGS, 0));
        assert_eq!(locate(DOUBLED + LARGEST), (DOUBLINGS + 1, 0));
        assert_eq!(locate(DOUBLED + 3 * LARGEST + 5), (DOUBLINGS + 3, 5));
    }

    #[test]
    fn a_clone_shares_chunks_until_one_is_written() {
        let mut a = Chunked::default();
        for i in 0..10_000u64 {
            a.push(i);
        }
        let b = a.clone();
        assert!(std::ptr::eq(&a[9_000], &b[9_000]));
        a[9_000] = 1;
        a.push(10_000);
        assert_eq!(b[9_000], 9_000);
        assert_eq!(b.len(), 10_000);
        assert_eq!(a[9_000], 1);
        assert!(!std::ptr::eq(&a[9_000], &b[9_000]));
        // Chunks nobody wrote to are still shared.
        assert!(std::ptr::eq(&a[100], &b[100]));
        assert!(a.iter().skip(9_001).copied().eq(9_001..10_001));
    }

    #[test]
    fn pushing_never_moves_an_entry() {
        let mut c = Chunked::default();
        c.push(0u64);
        let first: *const u64 = &c[0];
        for i in 1..100_000u64 {
            assert_eq!(c.push(i), i as usize);
        }
        assert!(std::ptr::eq(first, &c[0]));
        assert_eq!(c.len(), 100_000);
        assert_eq!(c[77_777], 77_777);
        assert_eq!(c.get(100_000), None);
        assert!(c.iter().copied().eq(0..100_000));
        assert!(c.iter_from(99_990).copied().eq(99_990..100_000));
        assert_eq!(c.iter_from(100_000).count(), 0);
        assert_eq!(c.iter_from(500_000).count(), 0);
        c[5] = 50;
        assert_eq!(c[5], 50);
    }

    proptest! {
        /// Whatever mix of inserts, replacements and deletes: the table answers like an
        /// insertion-ordered map.
        #[test]
        fn a_table_is_an_insertion_ordered_map(ops in prop::collection::vec((0u8..40, any::<bool>()), 0..3000)) {
            let mut t: Table<(Uuid, u32)> = Table::default();
            let mut model: Vec<(Uuid, u32)> = Vec::new();
            for (n, (k, delete)) in ops.into_iter().enumerate() {
                let id = Uuid::from_u128(u128::from(k));
                if delete {
                    let expected = model.iter().position(|(i, _)| *i == id).map(|p| model.remove(p).1);
                    prop_assert_eq!(t.remove(&id).map(|e| e.1), expected);
                } else {
                    match model.iter_mut().find(|(i, _)| *i == id) {
                        Some(e) => e.1 = n as u32,
                        None => model.push((id, n as u32)),
                    }
                    t.insert((id, n as u32));
                }
                prop_assert_eq!(t.len(), model.len());
            }
            let got: Vec<(Uuid, u32)> = t.values().copied().collect();
            prop_assert_eq!(got, model.clone());
            for e in &model {
                prop_assert_eq!(t.get(&e.0), Some(e));
            }
        }
    }

    #[test]
    fn holes_are_compacted_once_they_outnumber_records() {
        let mut t: Table<(Uuid, u32)> = Table::default();
        for i in 0..5000u32 {
            t.insert((Uuid::from_u128(u128::from(i)), i));
        }
        for i in 0..4000u32 {
            assert_eq!(
                t.remove(&Uuid::from_u128(u128::from(i))).map(|e| e.1),
                Some(i)
            );
        }
        assert!(t.slots.len() < 5000, "compacted: {} slots", t.slots.len());
        assert!(t.values().map(|e| e.1).eq(4000..5000));
        assert_eq!(t[&Uuid::from_u128(4500)].1, 4500);
    }

    #[test]
    fn newest_looks_at_the_last_slots_and_a_frozen_copy_keeps_its_moment() {
        let mut t: Table<(Uuid, u32)> = Table::default();
        for i in 0..3000u32 {
            t.insert((Uuid::from_u128(u128::from(i)), i));
        }
        t.remove(&Uuid::from_u128(2999));
        // Ten slots, one of them a hole: nine records, newest first.
        assert!(t.newest(10).map(|e| e.1).eq((2990..2999).rev()));
        let frozen = t.frozen();
        t.insert((Uuid::from_u128(5000), 5000));
        t.remove(&Uuid::from_u128(0));
        assert!(frozen.newest_first().map(|e| e.1).eq((0..2999).rev()));
        assert_eq!(t.newest(1).next().map(|e| e.1), Some(5000));
    }
}
