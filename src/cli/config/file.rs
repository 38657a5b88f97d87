//! Reading the config file: each key checked against the command of its section and turned
//! into the arguments it stands for, every mistake an error naming the file and line.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use clap::{Arg, ArgAction, Command};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// Ids of the options about the config file itself, which the file cannot set.
const SELF_IDS: [&str; 2] = ["config", "no_config"];

/// An error of the config file.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ConfigError {
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
pub(super) struct Setting {
    /// Its section (a subcommand), `None` above the first section.
    pub(super) section: Option<String>,
    /// The key as written.
    pub(super) key: String,
    /// The id of the argument it sets.
    pub(super) id: String,
    /// Its line.
    pub(super) line: usize,
    /// The arguments: `--port=4010`, `--no-auth`, or a positional's values.
    pub(super) args: Vec<OsString>,
    /// The index of a positional argument.
    pub(super) index: Option<usize>,
    /// How clap names the argument in its errors (`--port <PORT>`).
    pub(super) shown: String,
}

impl Setting {
    /// `port in [serve]`.
    pub(super) fn place(&self) -> String {
        match &self.section {
            Some(section) => format!("`{}` in [{section}]", self.key),
            None => format!("`{}`", self.key),
        }
    }
}

/// A config file read and checked against the commands.
pub(super) struct ConfigFile {
    pub(super) path: PathBuf,
    pub(super) settings: Vec<Setting>,
}

impl ConfigFile {
    pub(super) fn error(&self, line: usize, message: String) -> ConfigError {
        ConfigError::At {
            file: self.path.clone(),
            line,
            message,
        }
    }
}

/// Reads `path` and turns every key into arguments, checking each against its command.
pub(super) fn read(path: &Path, command: &Command) -> Result<ConfigFile, ConfigError> {
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
                setting.args = self.switch_args(arg, &flag, &place, value)?;
            }
            ArgAction::Set | ArgAction::Append => {
                setting.args = self.value_args(arg, &flag, &place, value)?;
            }
            _ => return self.at(key.span(), self.unknown(section, command, name)),
        }
        Ok(setting)
    }

    /// The arguments of switch `arg` (`flag`) set to `value` in `place`: the flag once,
    /// or never, or (a count) as many times as given.
    fn switch_args(
        &self,
        arg: &Arg,
        flag: &str,
        place: &str,
        value: &Spanned<DeValue<'_>>,
    ) -> Result<Vec<OsString>, ConfigError> {
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
        Ok(vec![OsString::from(flag); times])
    }

    /// The arguments of option `arg` (`flag`) set to `value` (one, or a list where it
    /// takes several) in `place`.
    fn value_args(
        &self,
        arg: &Arg,
        flag: &str,
        place: &str,
        value: &Spanned<DeValue<'_>>,
    ) -> Result<Vec<OsString>, ConfigError> {
        let many = matches!(arg.get_action(), ArgAction::Append)
            || arg.get_num_args().is_some_and(|n| n.max_values() > 1);
        let items: Vec<&Spanned<DeValue<'_>>> = match value.get_ref() {
            DeValue::Array(items) if many => items.iter().collect(),
            DeValue::Array(_) => {
                return self.at(value.span(), format!("{place} takes one value, not a list"));
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
        Ok(if arg.is_positional() {
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
            std::iter::once(flag.to_string())
                .chain(texts)
                .map(OsString::from)
                .collect()
        })
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
pub(super) fn keyed(command: &Command) -> impl Iterator<Item = &Arg> {
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
pub(super) fn key_name(arg: &Arg) -> String {
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
}
