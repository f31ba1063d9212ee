//! Micro-benchmarks of PIN planning (`domain::create_multiple::plan` over `domain::pin`), with
//! no HTTP and no store: what one create_multiple costs in the rules alone.
//!
//! `cargo bench --bench pin` (divan; `-- NAME` filters). Cases: 2 August locks, 2 locks under
//! many constraints, 1,000 locks (empty, and with 200 PINs each), and one nearly full
//! 4-digit lock (every PIN but ten taken), where random draws miss and the ordered walk works.

use divan::{Bencher, black_box};
use rand::{SeedableRng, rngs::StdRng};
use seam_mock::domain::create_multiple::{Lock, Request, plan};
use seam_mock::domain::device::ConstraintType::{self, *};
use seam_mock::domain::pin::{LockRules, PinSet, find_pin};
use uuid::Uuid;

fn main() {
    divan::main();
}

const AUGUST: &[u32] = &[4, 5, 6, 7, 8];
const MANY: &[ConstraintType] = &[
    NoZeros,
    CannotStartWith12,
    NoTripleConsecutiveInts,
    NoAscendingOrDescendingSequence,
    AtLeastThreeUniqueDigits,
    NoAllSameDigits,
    UniqueFirstFourDigits,
];

fn rules<'a>(lengths: &[u32], constraints: &[ConstraintType], used: &'a PinSet) -> LockRules<'a> {
    LockRules {
        lengths: lengths.to_vec(),
        constraints: constraints.to_vec(),
        in_use: used,
    }
}

fn locks<'a>(sets: &'a [PinSet], lengths: &[u32], constraints: &[ConstraintType]) -> Vec<Lock<'a>> {
    sets.iter()
        .enumerate()
        .map(|(i, used)| Lock {
            device_id: Uuid::from_u128(i as u128 + 1),
            rules: rules(lengths, constraints, used),
        })
        .collect()
}

/// `n` locks' PIN sets, each holding `per_lock` random 4-digit PINs.
fn filled(n: usize, per_lock: usize) -> Vec<PinSet> {
    let mut next = 0u32;
    (0..n)
        .map(|_| {
            let mut s = PinSet::default();
            for _ in 0..per_lock {
                next = next.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                s.add(&format!("{:04}", (next >> 8) % 10_000));
            }
            s
        })
        .collect()
}

#[divan::bench]
fn two_august_locks(b: Bencher) {
    let sets = filled(2, 0);
    let ls = locks(&sets, AUGUST, &[]);
    let mut rng = StdRng::seed_from_u64(1);
    b.bench_local(|| plan(black_box(&ls), &Request::default(), &mut rng).unwrap());
}

#[divan::bench]
fn two_locks_many_constraints(b: Bencher) {
    let sets = filled(2, 200);
    let ls = locks(&sets, &[4, 5, 6], MANY);
    let mut rng = StdRng::seed_from_u64(1);
    b.bench_local(|| plan(black_box(&ls), &Request::default(), &mut rng).unwrap());
}

#[divan::bench(args = [0, 200])]
fn thousand_august_locks(b: Bencher, per_lock: usize) {
    let sets = filled(1000, per_lock);
    let ls = locks(&sets, AUGUST, &[]);
    let mut rng = StdRng::seed_from_u64(1);
    b.bench_local(|| plan(black_box(&ls), &Request::default(), &mut rng).unwrap());
}

#[divan::bench]
fn thousand_locks_many_constraints(b: Bencher) {
    let sets = filled(1000, 50);
    let ls = locks(&sets, &[4, 5, 6], MANY);
    let mut rng = StdRng::seed_from_u64(1);
    b.bench_local(|| plan(black_box(&ls), &Request::default(), &mut rng).unwrap());
}

#[divan::bench]
fn nearly_full_four_digit_lock(b: Bencher) {
    let mut used = PinSet::default();
    for n in 0..10_000u32 {
        if n % 1000 != 7 {
            used.add(&format!("{n:04}"));
        }
    }
    let r = [rules(&[4], &[], &used)];
    let mut rng = StdRng::seed_from_u64(1);
    b.bench_local(|| find_pin(4, black_box(&r), &mut rng).unwrap());
}
