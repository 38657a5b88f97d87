//! The config file: `mockdown.toml` in the working folder, or `--config FILE`.
//!
//! A section per command (`[serve]`, `[verify]`, `[proxy]`, ...) whose keys are the long
//! flag names of that command (`port`, `no-auth`, `state-store`; `snake_case` works too)
//! and its positional arguments by name (`docs`); keys above the first section are the
//! global flags (`log-format`). Values are typed TOML: strings, numbers, `true`/`false`
//! for switches, arrays for repeatable flags. Nothing here knows a flag by name: a key is
//! looked up among the flags clap knows, so a flag added to a command is a key at once.
//!
//! The file turns into arguments placed before the user's own, parsed with
//! `args_override_self`: what the command line says wins. A key the command line also
//! gives (or that a set environment variable gives, or that conflicts with a flag the
//! command line gives) is left out, so a repeatable flag on the command line replaces the
//! file's list rather than adding to it. Precedence: command line, environment, file,
//! defaults. A `false` switch is a switch not set. Relative paths are taken from the file's
//! folder.

mod file;

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use clap::error::{ContextKind, ContextValue};
use clap::parser::ValueSource;
use clap::{Arg, ArgMatches, Command, CommandFactory, FromArgMatches};

use super::Cli;
pub(super) use file::ConfigError;
use file::{ConfigFile, Setting, key_name, read};

/// The file read from the working folder when `--config` is not given.
pub(super) const DEFAULT_FILE: &str = "mockdown.toml";

/// Why the command line could not be parsed.
#[derive(Debug)]
pub(super) enum Failure {
    /// clap's own error, or help or version output: `Error::exit` prints it.
    Clap(clap::Error),
    /// The config file cannot be read, or says something wrong.
    Config(ConfigError),
}

/// Parses the command line with the config file merged in.
pub(super) fn parse(args: impl IntoIterator<Item = OsString>) -> Result<Cli, Failure> {
    let raw: Vec<OsString> = args.into_iter().collect();
    let command = command();
    // A first look at what the user typed, forgiving (a required flag may be in the file):
    // which command, which config file, which flags are given.
    let Ok(typed) = command
        .clone()
        .ignore_errors(true)
        .try_get_matches_from(&raw)
    else {
        // Help or version: nothing to merge.
        return finish(command, raw, None, &[]);
    };
    let Some(path) = chosen_file(&typed) else {
        return finish(command, raw, None, &[]);
    };
    let file = read(&path, &command).map_err(Failure::Config)?;
    let (argv, applied) = merge(&command, &raw, &typed, &file).map_err(Failure::Config)?;
    finish(command, argv, Some(&file), &applied)
}

/// The clap command with later occurrences of a flag overriding earlier ones.
fn command() -> Command {
    let mut command = Cli::command()
        .args_override_self(true)
        .mut_subcommands(|sub| sub.args_override_self(true));
    command.build();
    command
}

/// The matches of the command the user chose, else the top level's.
fn chosen(typed: &ArgMatches) -> &ArgMatches {
    typed.subcommand().map_or(typed, |(_, sub)| sub)
}

/// Whether the user gave argument `id` on the command line.
fn typed_in(matches: &ArgMatches, id: &str) -> bool {
    matches.ids().any(|known| known == id)
        && matches.value_source(id) == Some(ValueSource::CommandLine)
}

/// The config file to read: `--config FILE`, else `./mockdown.toml` when present; none
/// with `--no-config`.
fn chosen_file(typed: &ArgMatches) -> Option<PathBuf> {
    let levels = [chosen(typed), typed];
    let flag = |id: &str| {
        levels
            .iter()
            .any(|m| m.try_get_one::<bool>(id).ok().flatten() == Some(&true))
    };
    if flag("no_config") {
        return None;
    }
    let explicit = levels
        .iter()
        .find_map(|m| m.try_get_one::<PathBuf>("config").ok().flatten());
    match explicit {
        Some(path) => Some(path.clone()),
        None => Path::new(DEFAULT_FILE)
            .is_file()
            .then(|| PathBuf::from(DEFAULT_FILE)),
    }
}

/// The command line with the file's settings put in: top-level keys before the command,
/// the command's options right after its name, its positionals at the end after `--`.
/// Returns the settings that were used.
fn merge<'f>(
    command: &Command,
    raw: &[OsString],
    typed: &ArgMatches,
    file: &'f ConfigFile,
) -> Result<(Vec<OsString>, Vec<&'f Setting>), ConfigError> {
    let sub = typed
        .subcommand_name()
        .and_then(|name| command.find_subcommand(name));
    let sub_typed = chosen(typed);
    let given = |id: &str| typed_in(typed, id) || typed_in(sub_typed, id);
    let from_env = |target: &Command, id: &str| {
        target
            .get_arguments()
            .find(|arg| arg.get_id() == id)
            .and_then(Arg::get_env)
            .is_some_and(|name| std::env::var_os(name).is_some())
    };
    let mut top = Vec::new();
    let mut options = Vec::new();
    let mut positionals: Vec<&Setting> = Vec::new();
    for setting in &file.settings {
        let target = match (&setting.section, sub) {
            (None, _) => command,
            (Some(section), Some(sub)) if sub.get_name() == section => sub,
            _ => continue,
        };
        if given(&setting.id)
            || from_env(target, &setting.id)
            || conflicts_with_typed(target, sub_typed, &setting.id)
        {
            continue;
        }
        if setting.section.is_none() {
            top.push(setting);
        } else if setting.index.is_some() {
            positionals.push(setting);
        } else {
            options.push(setting);
        }
    }
    positionals.sort_by_key(|s| s.index);
    if let Some(sub) = sub {
        check_no_gap(sub, sub_typed, &positionals, file)?;
    }
    let mut argv: Vec<OsString> = raw.first().cloned().into_iter().collect();
    argv.extend(top.iter().flat_map(|s| s.args.iter().cloned()));
    let rest = raw.get(1..).unwrap_or_default();
    match sub.and_then(|sub| command_at(command, rest, sub.get_name())) {
        Some(at) => {
            let (head, tail) = rest.split_at(at + 1);
            argv.extend_from_slice(head);
            argv.extend(options.iter().flat_map(|s| s.args.iter().cloned()));
            argv.extend_from_slice(tail);
            if !positionals.is_empty() {
                if !tail.iter().any(|arg| arg == "--") {
                    argv.push("--".into());
                }
                argv.extend(positionals.iter().flat_map(|s| s.args.iter().cloned()));
            }
        }
        None => {
            argv.extend_from_slice(rest);
            options.clear();
            positionals.clear();
        }
    }
    let applied = top.into_iter().chain(options).chain(positionals).collect();
    Ok((argv, applied))
}

/// Whether argument `id` of `command` conflicts with one the user typed.
fn conflicts_with_typed(command: &Command, typed: &ArgMatches, id: &str) -> bool {
    let find = |id: &str| command.get_arguments().find(|arg| arg.get_id() == id);
    let Some(arg) = find(id).filter(|arg| !arg.is_global_set()) else {
        return false;
    };
    let mine = command.get_arg_conflicts_with(arg);
    typed
        .ids()
        .filter(|other| typed_in(typed, other.as_str()))
        .filter_map(|other| find(other.as_str()))
        .filter(|other| !other.is_global_set())
        .any(|other| {
            mine.iter().any(|m| m.get_id() == other.get_id())
                || command
                    .get_arg_conflicts_with(other)
                    .iter()
                    .any(|o| o.get_id() == arg.get_id())
        })
}

/// A positional set in the file lands in its own place only when every positional before
/// it is set too (on the command line or in the file).
fn check_no_gap(
    sub: &Command,
    typed: &ArgMatches,
    positionals: &[&Setting],
    file: &ConfigFile,
) -> Result<(), ConfigError> {
    for setting in positionals {
        let Some(index) = setting.index else { continue };
        let missing = sub.get_positionals().find(|arg| {
            arg.get_index().is_some_and(|i| i < index)
                && !typed_in(typed, arg.get_id().as_str())
                && !positionals.iter().any(|s| s.id == arg.get_id().as_str())
        });
        if let Some(missing) = missing {
            return Err(file.error(
                setting.line,
                format!(
                    "{} needs `{}` set too (it comes first on the command line)",
                    setting.place(),
                    key_name(missing)
                ),
            ));
        }
    }
    Ok(())
}

/// Where the command named `name` is in the arguments (after the program name): the first
/// word that is neither an option nor an option's value.
fn command_at(command: &Command, args: &[OsString], name: &str) -> Option<usize> {
    let mut i = 0;
    while i < args.len() {
        let word = args[i].to_str()?;
        if word == "--" {
            return None;
        }
        if let Some(long) = word.strip_prefix("--") {
            let takes_value = command
                .get_arguments()
                .any(|arg| arg.get_long() == Some(long) && arg.get_action().takes_values());
            if takes_value {
                i += 1;
            }
        } else if !word.starts_with('-') {
            return (word == name).then_some(i);
        }
        i += 1;
    }
    None
}

/// Parses the final arguments; an error about a value from the file names the file's line.
fn finish(
    mut command: Command,
    argv: Vec<OsString>,
    file: Option<&ConfigFile>,
    applied: &[&Setting],
) -> Result<Cli, Failure> {
    let matches = match command.try_get_matches_from_mut(argv) {
        Ok(matches) => matches,
        Err(err) => return Err(blame(file, applied, err)),
    };
    Cli::from_arg_matches(&matches).map_err(|err| Failure::Clap(err.format(&mut command)))
}

/// clap's error, or the file's when the argument at fault came from the file.
fn blame(file: Option<&ConfigFile>, applied: &[&Setting], err: clap::Error) -> Failure {
    let Some(file) = file else {
        return Failure::Clap(err);
    };
    let Some(ContextValue::String(shown)) = err.get(ContextKind::InvalidArg) else {
        return Failure::Clap(err);
    };
    let Some(setting) = applied.iter().find(|s| s.shown == *shown) else {
        return Failure::Clap(err);
    };
    let rendered = err.render().to_string();
    let first = rendered.lines().next().unwrap_or_default();
    let what = first.strip_prefix("error: ").unwrap_or(first);
    Failure::Config(file.error(setting.line, format!("{}: {what}", setting.place())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_is_found_after_global_options() {
        let command = command();
        let args: Vec<OsString> = [
            "--config",
            "serve",
            "--log-format=json",
            "serve",
            "--port",
            "1",
        ]
        .map(OsString::from)
        .to_vec();
        assert_eq!(command_at(&command, &args, "serve"), Some(3));
        assert_eq!(command_at(&command, &args[..2], "serve"), None);
    }

    /// A flag added to a command is a key of its section with no more code.
    #[test]
    fn every_flag_of_every_command_is_a_key() {
        let command = command();
        let mut text = String::from("log-format = \"json\"\n");
        let mut keys = 1;
        for sub in command.get_subcommands().filter(|s| s.get_name() != "help") {
            text.push_str(&format!("[{}]\n", sub.get_name()));
            for arg in file::keyed(sub) {
                let value = if arg.get_action().takes_values() {
                    "\"x\""
                } else {
                    "true"
                };
                text.push_str(&format!("{} = {value}\n", key_name(arg)));
                keys += 1;
            }
        }
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("all.toml");
        std::fs::write(&path, &text).expect("writes");
        let file = read(&path, &command).unwrap_or_else(|e| panic!("{e}\n{text}"));
        assert_eq!(file.settings.len(), keys);
        for key in [
            "port",
            "no-auth",
            "journal-bytes",
            "header",
            "upstream",
            "target",
        ] {
            assert!(file.settings.iter().any(|s| s.key == key), "{key}");
        }
    }
}
