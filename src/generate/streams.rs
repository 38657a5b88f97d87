//! The random streams behind every generated value: one fixed generator, and seeds derived
//! from `--seed` mixed with what a stream is for, so the same inputs give the same bytes.

use rand::Rng;
use rand_xoshiro::Xoshiro256PlusPlus;

/// The generator behind every value: small, fast to seed, and a fixed algorithm, so a seed
/// gives the same bytes on every platform and version.
pub(crate) type GenRng = Xoshiro256PlusPlus;

/// A uniform index below `n` (multiply-shift; the bias is below 2^-20 for our sizes).
pub(crate) fn below(rng: &mut GenRng, n: usize) -> usize {
    ((u64::from(rng.next_u32()) * n as u64) >> 32) as usize
}

/// The seed of stream `index` under `seed`.
pub(crate) fn stream_seed(seed: u64, index: usize) -> u64 {
    seed ^ (index as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

/// FNV-1a step: `state` with `bytes` mixed in.
pub(crate) fn mix(state: u64, bytes: &[u8]) -> u64 {
    bytes.iter().fold(state ^ 0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}
