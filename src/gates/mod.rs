//! Room: the corpus gates `.ci/run` runs against a live mock (`mockdown gate NAME ARGS`, a
//! hidden command): the replay of every sample, the stateful round trips, the mutant server.
//! They read the crate's stages, so they live in it rather than as examples.

mod mutant;
mod replay;
mod stateful;

/// Runs gate `name` with `args`; unknown names are an error.
pub(crate) fn run(name: &str, args: &[String]) -> anyhow::Result<()> {
    let argv: Vec<String> = std::iter::once(format!("mockdown gate {name}"))
        .chain(args.iter().cloned())
        .collect();
    match name {
        "replay" => replay::main(argv),
        "stateful" => stateful::main(argv),
        "mutant" => mutant::main(argv),
        other => anyhow::bail!("no gate {other}: replay, stateful or mutant"),
    }
}
