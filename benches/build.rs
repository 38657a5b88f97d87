//! Full corpus build: parse every page, build the contract (named types, schemas, sample
//! self-check) and render the bundle, in memory. Reads `../shared/corpus` (or
//! `MOCKDOWN_CORPUS`); the seed pages in `docs/` are benched too.

use std::path::PathBuf;

use criterion::{Criterion, criterion_group, criterion_main};

use mockdown::contract::{self, bundle};
use mockdown::docs;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn build_bundle(dir: &std::path::Path) -> usize {
    let set = docs::load_dir(dir, &|| {}).expect("docs load");
    let build = contract::build(set);
    bundle::render(&build.contract).expect("renders").len()
}

fn bench_build(c: &mut Criterion) {
    let mut group = c.benchmark_group("build");
    group.sample_size(10);
    group.bench_function("seed docs/", |b| {
        b.iter(|| build_bundle(std::path::Path::new("docs")))
    });
    let corpus = std::env::var("MOCKDOWN_CORPUS")
        .map_or_else(|_| PathBuf::from("../shared/corpus"), PathBuf::from);
    if corpus.is_dir() {
        group.bench_function("full corpus", |b| b.iter(|| build_bundle(&corpus)));
        group.bench_function("full corpus: parse pages only", |b| {
            b.iter(|| {
                docs::load_dir(&corpus, &|| {})
                    .expect("docs load")
                    .pages
                    .len()
            })
        });
    } else {
        eprintln!(
            "no corpus at {}: full corpus bench skipped",
            corpus.display()
        );
    }
    group.finish();
}

criterion_group!(benches, bench_build);
criterion_main!(benches);
