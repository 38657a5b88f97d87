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

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use clap::error::{ContextKind, ContextValue};
use clap::parser::ValueSource;
use clap::{Arg, ArgAction, ArgMatches, Command, CommandFactory, FromArgMatches};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::Cli;

/// The file read from the working folder when `--config` is not given.
pub const DEFAULT_FILE: &str = "mockdown.toml";

/// Ids of the options about the config file itself, which the file cannot set.
const SELF_IDS: [&str; 2] = ["config", "no_config"];

/// Why the command line could not be parsed.
#[derive(Debug)]
pub enum Failure {
    /// clap's own error, or help or version output: `Error::exit` prints it.
    Clap(clap::Error),
    /// The config file cannot be read, or says something wrong.
    Config(ConfigError),
}

/// An error of the config file.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// What is wrong, where: `mockdown.toml:7: unknown key `prot` in [serve] ...`.
    #[error("{}:{line}: {message}", file.display())]
    At {
        /// The file.
        file: PathBuf,
        /// Its line (from 1).
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// The file cannot be read (`--config` names a missing file).
    #[error("cannot read the config file {}: {source}", file.display())]
    Read {
        /// The file.
        file: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
}

/// One key of the file, as command-line arguments.
#[derive(Debug)]
struct Setting {
    /// Its section (a subcommand), `None` above the first section.
    section: Option<String>,
    /// The key as written.
    key: String,
    /// The id of the argument it sets.
    id: String,
    /// Its line.
    line: usize,
    /// The arguments: `--port=4010`, `--no-auth`, or a positional's values.
    args: Vec<OsString>,
    /// The index of a positional argument.
    index: Option<usize>,
    /// How clap names the argument in its errors (`--port <PORT>`).
    shown: String,
}

impl Setting {
    /// `port in [serve]`.
    fn place(&self) -> String {
        match &self.section {
            Some(section) => format!("`{}` in [{section}]", self.key),
            None => format!("`{}`", self.key),
        }
    }
}

/// A config file read and checked against the commands.
struct ConfigFile {
    path: PathBuf,
    settings: Vec<Setting>,
}

impl ConfigFile {
    fn error(&self, line: usize, message: String) -> ConfigError {
        ConfigError::At {
            file: self.path.clone(),
            line,
            message,
        }
    }
}

/// Parses the command line with the config file merged in.
pub fn parse(args: impl IntoIterator<Item = OsString>) -> Result<Cli, Failure> {
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

/// Reads `path` and turns every key into arguments, checking each against its command.
fn read(path: &Path, command: &Command) -> Result<ConfigFile, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        file: path.to_path_buf(),
        source,
    })?;
    let mut file = ConfigFile {
        path: path.to_path_buf(),
        settings: Vec::new(),
    };
    let line = |offset: usize| text[..offset.min(text.len())].matches('\n').count() + 1;
    let root = DeTable::parse(&text).map_err(|err| {
        let at = err.span().map_or(0, |span| span.start);
        file.error(line(at), err.message().to_string())
    })?;
    let base = path.parent().unwrap_or(Path::new(""));
    let reader = Reader {
        file: &file,
        line: &line,
        base,
        command,
    };
    let mut settings = Vec::new();
    for (key, value) in in_order(root.get_ref()) {
        match value.get_ref() {
            DeValue::Table(table) => {
                let section = reader.section(key)?;
                let mut keys: Vec<Setting> = Vec::new();
                for (key_in, value_in) in in_order(table) {
                    let setting = reader.setting(Some(key.get_ref()), section, key_in, value_in)?;
                    if let Some(first) = keys.iter().find(|s| s.id == setting.id) {
                        return Err(file.error(
                            setting.line,
                            format!(
                                "{} sets the same option as `{}` on line {}",
                                setting.place(),
                                first.key,
                                first.line
                            ),
                        ));
                    }
                    keys.push(setting);
                }
                settings.extend(keys);
            }
            _ => settings.push(reader.setting(None, command, key, value)?),
        }
    }
    file.settings = settings;
    Ok(file)
}

/// A table's entries in the order of the file.
fn in_order<'t, 'i>(
    table: &'t DeTable<'i>,
) -> Vec<(
    &'t Spanned<std::borrow::Cow<'i, str>>,
    &'t Spanned<DeValue<'i>>,
)> {
    let mut entries: Vec<_> = table.iter().collect();
    entries.sort_by_key(|(key, _)| key.span().start);
    entries
}

/// What turns keys of one file into settings.
struct Reader<'a> {
    file: &'a ConfigFile,
    line: &'a dyn Fn(usize) -> usize,
    /// The file's folder, which relative paths start from.
    base: &'a Path,
    command: &'a Command,
}

impl Reader<'_> {
    fn at<T>(&self, span: std::ops::Range<usize>, message: String) -> Result<T, ConfigError> {
        Err(self.file.error((self.line)(span.start), message))
    }

    /// The command of section `[name]`.
    fn section(&self, name: &Spanned<std::borrow::Cow<'_, str>>) -> Result<&Command, ConfigError> {
        let commands = || {
            self.command
                .get_subcommands()
                .filter(|sub| sub.get_name() != "help")
        };
        if let Some(sub) = commands().find(|sub| sub.get_name() == name.get_ref()) {
            return Ok(sub);
        }
        let hint = closest(
            name.get_ref(),
            commands().map(|sub| sub.get_name().to_string()),
        )
        .map(|best| format!(" (did you mean [{best}]?)"))
        .unwrap_or_default();
        self.at(
            name.span(),
            format!(
                "unknown section [{}]{hint}; sections are the commands: {}",
                name.get_ref(),
                commands()
                    .map(|sub| format!("[{}]", sub.get_name()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )
    }

    /// Key `key` of `section` (of the top level when `None`), whose command is `command`.
    fn setting(
        &self,
        section: Option<&str>,
        command: &Command,
        key: &Spanned<std::borrow::Cow<'_, str>>,
        value: &Spanned<DeValue<'_>>,
    ) -> Result<Setting, ConfigError> {
        let name = key.get_ref().as_ref();
        let place = match section {
            Some(section) => format!("`{name}` in [{section}]"),
            None => format!("`{name}`"),
        };
        let Some(arg) = keyed(command).find(|arg| names(arg).contains(&normal(name))) else {
            return self.at(key.span(), self.unknown(section, command, name));
        };
        let mut setting = Setting {
            section: section.map(str::to_string),
            key: name.to_string(),
            id: arg.get_id().to_string(),
            line: (self.line)(key.span().start),
            args: Vec::new(),
            index: arg.get_index(),
            shown: arg.to_string(),
        };
        let flag = flag_name(arg);
        match arg.get_action() {
            ArgAction::SetTrue | ArgAction::SetFalse | ArgAction::Count => {
                let times = match value.get_ref() {
                    DeValue::Boolean(on) => {
                        usize::from(*on == !matches!(arg.get_action(), ArgAction::SetFalse))
                    }
                    DeValue::Integer(n) if matches!(arg.get_action(), ArgAction::Count) => {
                        match u8::from_str_radix(n.as_str(), n.radix()) {
                            Ok(n) => usize::from(n),
                            Err(_) => {
                                return self.at(value.span(), format!("{place}: at most 255"));
                            }
                        }
                    }
                    other => {
                        return self.at(
                            value.span(),
                            format!(
                                "{place} is a switch: give true or false, not {}",
                                kind(other)
                            ),
                        );
                    }
                };
                setting.args = vec![OsString::from(flag); times];
            }
            ArgAction::Set | ArgAction::Append => {
                let many = matches!(arg.get_action(), ArgAction::Append)
                    || arg.get_num_args().is_some_and(|n| n.max_values() > 1);
                let items: Vec<&Spanned<DeValue<'_>>> = match value.get_ref() {
                    DeValue::Array(items) if many => items.iter().collect(),
                    DeValue::Array(_) => {
                        return self
                            .at(value.span(), format!("{place} takes one value, not a list"));
                    }
                    _ => vec![value],
                };
                let mut texts = Vec::with_capacity(items.len());
                for item in items {
                    let Some(text) = scalar(item.get_ref()) else {
                        let what = if many {
                            "a value or a list of values"
                        } else {
                            "a value"
                        };
                        return self.at(
                            item.span(),
                            format!("{place} takes {what}, not {}", kind(item.get_ref())),
                        );
                    };
                    texts.push(self.path_from_file(arg, item.get_ref(), text));
                }
                setting.args = if arg.is_positional() {
                    texts.into_iter().map(OsString::from).collect()
                } else if texts.is_empty() && arg.get_value_delimiter().is_some() {
                    // `redact = []`: the empty list, as `--redact ''` says.
                    vec![OsString::from(format!("{flag}="))]
                } else if matches!(arg.get_action(), ArgAction::Append) || texts.len() == 1 {
                    texts
                        .iter()
                        .map(|text| OsString::from(format!("{flag}={text}")))
                        .collect()
                } else {
                    std::iter::once(flag.clone())
                        .chain(texts)
                        .map(OsString::from)
                        .collect()
                };
            }
            _ => return self.at(key.span(), self.unknown(section, command, name)),
        }
        Ok(setting)
    }

    /// A string value of a path argument, relative to the file's folder.
    fn path_from_file(&self, arg: &Arg, value: &DeValue<'_>, text: String) -> String {
        let is_path = arg.get_value_parser().type_id() == std::any::TypeId::of::<PathBuf>();
        let relative = Path::new(&text).is_relative() && !text.is_empty();
        if is_path && relative && matches!(value, DeValue::String(_)) {
            if self.base.as_os_str().is_empty() || self.base == Path::new(".") {
                return text;
            }
            return self.base.join(&text).to_string_lossy().into_owned();
        }
        text
    }

    /// The error of an unknown key, with the nearest known one or the section it belongs to.
    fn unknown(&self, section: Option<&str>, command: &Command, key: &str) -> String {
        let head = match section {
            Some(section) => format!("unknown key `{key}` in [{section}]"),
            None => format!("unknown key `{key}` at the top level"),
        };
        if SELF_IDS.contains(&normal(key).replace('-', "_").as_str()) {
            return format!("{head}: the config file cannot name a config file");
        }
        if let Some(best) = closest(key, keyed(command).map(key_name)) {
            return format!("{head} (did you mean `{best}`?)");
        }
        let homes: Vec<String> = self
            .command
            .get_subcommands()
            .filter(|sub| keyed(sub).any(|arg| names(arg).contains(&normal(key))))
            .map(|sub| format!("[{}]", sub.get_name()))
            .collect();
        if homes.is_empty() {
            head
        } else {
            format!("{head} (an option of {})", homes.join(", "))
        }
    }
}

/// The arguments a key can set: not help, version, or the config file options.
fn keyed(command: &Command) -> impl Iterator<Item = &Arg> {
    command.get_arguments().filter(|arg| {
        !SELF_IDS.contains(&arg.get_id().as_str())
            && matches!(
                arg.get_action(),
                ArgAction::Set
                    | ArgAction::Append
                    | ArgAction::SetTrue
                    | ArgAction::SetFalse
                    | ArgAction::Count
            )
    })
}

/// The key an argument is shown as: its long name, or its id in kebab case.
fn key_name(arg: &Arg) -> String {
    arg.get_long()
        .map_or_else(|| normal(arg.get_id().as_str()), str::to_string)
}

/// The keys that name an argument (kebab case): its long name and its id.
fn names(arg: &Arg) -> Vec<String> {
    let mut names = vec![normal(arg.get_id().as_str())];
    names.extend(arg.get_long().map(normal));
    names
}

/// A key in kebab case.
fn normal(key: &str) -> String {
    key.replace('_', "-")
}

/// How the argument is written on the command line: `--port`, or `-p`.
fn flag_name(arg: &Arg) -> String {
    match (arg.get_long(), arg.get_short()) {
        (Some(long), _) => format!("--{long}"),
        (None, Some(short)) => format!("-{short}"),
        (None, None) => String::new(),
    }
}

/// The text of a string, number or boolean.
fn scalar(value: &DeValue<'_>) -> Option<String> {
    match value {
        DeValue::String(text) => Some(text.to_string()),
        DeValue::Integer(n) => i128::from_str_radix(n.as_str(), n.radix())
            .ok()
            .map(|n| n.to_string()),
        DeValue::Float(x) => Some(x.to_string()),
        DeValue::Boolean(on) => Some(on.to_string()),
        DeValue::Datetime(_) | DeValue::Array(_) | DeValue::Table(_) => None,
    }
}

/// What kind of TOML value this is, for errors.
fn kind(value: &DeValue<'_>) -> &'static str {
    match value {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "a number",
        DeValue::Float(_) => "a number",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a date",
        DeValue::Array(_) => "a list",
        DeValue::Table(_) => "a table",
    }
}

/// The candidate nearest to `word` by edits (a swap of neighbours is one), if near enough.
fn closest(word: &str, candidates: impl Iterator<Item = String>) -> Option<String> {
    let limit = (word.chars().count() / 3).max(2);
    candidates
        .map(|c| (distance(&normal(word), &normal(&c)), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Edit distance with adjacent transpositions (optimal string alignment).
fn distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut rows = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in rows.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in rows[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (rows[i - 1][j] + 1)
                .min(rows[i][j - 1] + 1)
                .min(rows[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = best;
        }
    }
    rows[a.len()][b.len()]
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
    fn near_keys_are_suggested() {
        let keys = || {
            ["port", "host", "seed", "strict"]
                .map(String::from)
                .into_iter()
        };
        assert_eq!(closest("prot", keys()).as_deref(), Some("port"));
        assert_eq!(closest("sede", keys()).as_deref(), Some("seed"));
        assert_eq!(closest("journal", keys()), None);
        assert_eq!(distance("no_auth", "no-auth"), 1);
        assert_eq!(distance("", "abc"), 3);
    }

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
}
