//! [`Tracked`]: a collection that notes which of its entries changed, so the state file
//! (`store::statefile`) writes those and nothing else.
//!
//! Reads go straight to the collection (`Deref`); every write goes through a method here that
//! notes the key it touched. There is no `DerefMut`: a new kind of write does not compile
//! until it is added here, so no change can slip past the state file. A collection is not
//! tracked until the state file asks ([`Tracked::track`]): without `--state-file` the notes
//! cost one branch per write. A clone is not tracked either (a snapshot's copy has nothing to
//! report), and the state file reads an untracked collection in a live workspace as "replaced
//! whole" (a restore, a reset) and rewrites it.

use std::hash::{BuildHasher, Hash};
use std::ops::Deref;

use indexmap::{Equivalent, IndexMap, IndexSet};
use uuid::Uuid;

use super::chunked::{Chunked, Keyed, Table};

/// A collection the state file can follow, and what "changed since" is for it.
pub trait Collection {
    /// What was changed since the last [`Tracked::take_changes`].
    type Changes;
    /// Nothing changed yet, from the collection as it is now.
    fn unchanged(&self) -> Self::Changes;
}

impl<K: Hash + Eq, V, S> Collection for IndexMap<K, V, S> {
    /// The keys written (inserted, changed or removed), in the order first written.
    type Changes = IndexSet<K>;
    fn unchanged(&self) -> IndexSet<K> {
        IndexSet::new()
    }
}

impl<T> Collection for Table<T> {
    /// The ids written, in the order first written.
    type Changes = IndexSet<Uuid>;
    fn unchanged(&self) -> IndexSet<Uuid> {
        IndexSet::new()
    }
}

impl<T> Collection for Chunked<T> {
    /// The first position written: everything from there on is new or changed.
    type Changes = usize;
    fn unchanged(&self) -> usize {
        self.len()
    }
}

/// A collection and, once tracked, what changed in it.
pub struct Tracked<C: Collection> {
    inner: C,
    changes: Option<C::Changes>,
}

impl<C: Collection> Tracked<C> {
    /// Starts noting changes (from now on).
    pub fn track(&mut self) {
        self.changes = Some(self.inner.unchanged());
    }

    /// Whether changes are noted.
    pub fn is_tracked(&self) -> bool {
        self.changes.is_some()
    }

    /// What changed since the last call (`None` when not tracked), and starts afresh.
    pub fn take_changes(&mut self) -> Option<C::Changes> {
        let fresh = self.inner.unchanged();
        self.changes.as_mut().map(|c| std::mem::replace(c, fresh))
    }
}

impl<C: Collection + Default> Default for Tracked<C> {
    fn default() -> Self {
        Tracked {
            inner: C::default(),
            changes: None,
        }
    }
}

impl<C: Collection + Clone> Clone for Tracked<C> {
    /// An untracked copy.
    fn clone(&self) -> Self {
        Tracked {
            inner: self.inner.clone(),
            changes: None,
        }
    }
}

impl<C: Collection + std::fmt::Debug> std::fmt::Debug for Tracked<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.inner.fmt(f)
    }
}

impl<C: Collection> Deref for Tracked<C> {
    type Target = C;
    fn deref(&self) -> &C {
        &self.inner
    }
}

impl<K: Hash + Eq + Clone, V, S: BuildHasher> Tracked<IndexMap<K, V, S>> {
    fn note(&mut self, k: &K) {
        if let Some(c) = &mut self.changes
            && !c.contains(k)
        {
            c.insert(k.clone());
        }
    }

    /// `IndexMap::insert`.
    pub fn insert(&mut self, k: K, v: V) -> Option<V> {
        self.note(&k);
        self.inner.insert(k, v)
    }

    /// `IndexMap::get_mut`.
    pub fn get_mut<Q: ?Sized + Hash + Equivalent<K>>(&mut self, k: &Q) -> Option<&mut V> {
        let (_, key, v) = self.inner.get_full_mut(k)?;
        if let Some(c) = &mut self.changes
            && !c.contains(key)
        {
            c.insert(key.clone());
        }
        Some(v)
    }

    /// `IndexMap::entry(k).or_insert_with(f)`.
    pub fn get_or_insert_with(&mut self, k: K, f: impl FnOnce() -> V) -> &mut V {
        self.note(&k);
        self.inner.entry(k).or_insert_with(f)
    }

    /// `IndexMap::shift_remove`.
    pub fn shift_remove<Q: ?Sized + Hash + Equivalent<K>>(&mut self, k: &Q) -> Option<V> {
        let (_, key, v) = self.inner.shift_remove_full(k)?;
        self.note(&key);
        Some(v)
    }
}

impl<T: Keyed + Clone> Tracked<Table<T>> {
    fn note(&mut self, id: Uuid) {
        if let Some(c) = &mut self.changes {
            c.insert(id);
        }
    }

    /// `Table::insert`.
    pub fn insert(&mut self, t: T) {
        self.note(t.id());
        self.inner.insert(t);
    }

    /// `Table::get_mut`.
    pub fn get_mut(&mut self, id: &Uuid) -> Option<&mut T> {
        self.note(*id);
        self.inner.get_mut(id)
    }

    /// `Table::remove`.
    pub fn remove(&mut self, id: &Uuid) -> Option<T> {
        self.note(*id);
        self.inner.remove(id)
    }
}

impl<T: Clone> Tracked<Chunked<T>> {
    /// `Chunked::push` (what is past the noted position is new: nothing to note).
    pub fn push(&mut self, t: T) -> usize {
        self.inner.push(t)
    }

    /// `Chunked::get_mut`.
    pub fn get_mut(&mut self, i: usize) -> Option<&mut T> {
        if let Some(from) = &mut self.changes {
            *from = (*from).min(i);
        }
        self.inner.get_mut(i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_are_noted_once_tracked_and_clones_are_not_tracked() {
        let mut m: Tracked<IndexMap<String, u32>> = Tracked::default();
        m.insert("before".into(), 0);
        assert_eq!(m.take_changes(), None);
        m.track();
        m.insert("b".into(), 1);
        m.insert("a".into(), 2);
        *m.get_mut("before").unwrap() = 5;
        m.insert("b".into(), 3);
        assert_eq!(m.get_mut("missing"), None);
        let changed: Vec<String> = m.take_changes().unwrap().into_iter().collect();
        assert_eq!(changed, ["b", "a", "before"]);
        *m.get_or_insert_with("c".into(), || 0) += 1;
        assert!(m.take_changes().unwrap().contains("c"));
        m.shift_remove("a");
        assert!(m.take_changes().unwrap().contains("a"));
        assert!(m.take_changes().unwrap().is_empty());
        assert!(!m.clone().is_tracked());
        assert_eq!(m["b"], 3);

        let mut c: Tracked<Chunked<u32>> = Tracked::default();
        c.push(1);
        c.track();
        c.push(2);
        c.push(3);
        assert_eq!(c.take_changes(), Some(1));
        *c.get_mut(0).unwrap() = 9;
        assert_eq!(c.take_changes(), Some(0));
        assert_eq!(c.take_changes(), Some(3));
    }
}
