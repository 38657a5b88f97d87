//! The `mockdown` binary.

/// mimalloc: the build and the server allocate many small JSON values from several threads.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    mockdown::cli::run()
}
