//! Benchmarks of state that rewinds (contract §15), on the store with no HTTP: creating a
//! sandbox, and saving and restoring a snapshot of a workspace holding 100,000 access codes
//! (100 locks of 1,000 codes, with their events and action attempts).
//!
//! `cargo bench --bench state` (divan; `-- NAME` filters). Targets: a sandbox in ≤ 1 ms, a
//! save and a restore in ≤ 50 ms each.

use std::sync::OnceLock;

use seam_mock::domain::command::CreateOne;
use seam_mock::store::{Scope, Settings, Store, seed};
use uuid::Uuid;

fn main() {
    divan::main();
}

const LOCKS: u128 = 100;
const CODES_PER_LOCK: usize = 1_000;

fn store() -> Store {
    Store::new(
        seed::database(),
        Settings {
            rng_seed: Some(1),
            ..Settings::default()
        },
    )
    .expect("the seed loads")
}

/// A store whose first workspace holds 100,000 codes, saved once as `full`.
fn full() -> &'static Store {
    static FULL: OnceLock<Store> = OnceLock::new();
    FULL.get_or_init(|| {
        let store = store();
        let template = seed::database().devices[0].clone();
        store
            .with_workspace_sync(seed::WORKSPACE_1, |ws| {
                for n in 0..LOCKS {
                    let mut lock = template.clone();
                    lock.device_id = Uuid::from_u128(0xbe_0000 + n);
                    ws.add_device(lock);
                    for _ in 0..CODES_PER_LOCK {
                        ws.create_one(
                            CreateOne::on(Uuid::from_u128(0xbe_0000 + n)),
                            &Scope::default(),
                        )
                        .expect("a free PIN");
                    }
                }
                Ok(())
            })
            .expect("workspace 1");
        store
            .save_snapshot("full".into(), Some(seed::WORKSPACE_1))
            .expect("saved");
        store
    })
}

#[divan::bench]
fn sandbox_create(bencher: divan::Bencher) {
    let store = store();
    bencher.bench_local(|| store.create_sandbox(None));
}

#[divan::bench(sample_count = 20, sample_size = 1)]
fn snapshot_save_100k_codes(bencher: divan::Bencher) {
    let store = full();
    bencher.bench_local(|| {
        store
            .save_snapshot("bench".into(), Some(seed::WORKSPACE_1))
            .expect("saved")
    });
}

#[divan::bench(sample_count = 20, sample_size = 1)]
fn snapshot_restore_100k_codes(bencher: divan::Bencher) {
    let store = full();
    bencher.bench_local(|| store.restore_snapshot("full").expect("restored"));
}
