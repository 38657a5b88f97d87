//! The contract bundle on disk: `index.json`, `operations/<operationId>.json`,
//! `types/<Name>.json` and `profile.json` (the API's facts), pretty JSON with stable key order, so a docs change is a small diff.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use anyhow::Context;
use rayon::prelude::*;
use serde_json::{Value, json};

use super::model::{Contract, Operation};
use super::types::file_stem;

/// The file of the API profile.
const PROFILE: &str = "profile.json";
/// Longest operation file stem, in bytes (file systems refuse names over 255).
const MAX_STEM: usize = 120;

/// An operation written under another file name than its operationId gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Renamed {
    /// The operationId.
    pub operation_id: String,
    /// The file it is written to.
    pub file: String,
    /// Why: `too long`, or the operation whose file name it would share.
    pub reason: String,
}

/// The file of each operation (in contract order), unique even on case-insensitive file
/// systems, and the operations renamed for that. Operations whose id is its own file name
/// keep it; the others take theirs in id order, with a hash of the id where needed.
pub(crate) fn operation_files(contract: &Contract) -> (Vec<String>, Vec<Renamed>) {
    let ops = &contract.operations;
    let mut files = vec![String::new(); ops.len()];
    let mut taken: BTreeMap<String, String> = BTreeMap::new();
    let mut order: Vec<usize> = (0..ops.len()).collect();
    let plain = |i: usize| {
        let id = &ops[i].operation_id;
        file_stem(id) == *id && id.len() <= MAX_STEM
    };
    order.sort_by(|&a, &b| {
        plain(b)
            .cmp(&plain(a))
            .then_with(|| ops[a].operation_id.cmp(&ops[b].operation_id))
    });
    let mut renamed = Vec::new();
    for i in order {
        let id = &ops[i].operation_id;
        let hash = format!("{:016x}", xxhash_rust::xxh3::xxh3_64(id.as_bytes()));
        let mut stem = file_stem(id);
        let mut reason = None;
        if stem.len() > MAX_STEM {
            stem = format!("{}-{hash}", &stem[..MAX_STEM - 17]);
            reason = Some("too long for a file name".to_string());
        }
        if let Some(owner) = taken.get(&stem.to_ascii_lowercase()) {
            reason = Some(format!("its file name would be that of `{owner}`"));
            stem = format!("{}-{hash}", &stem[..stem.len().min(MAX_STEM - 17)]);
            let base = stem.clone();
            let mut n = 2;
            while taken.contains_key(&stem.to_ascii_lowercase()) {
                stem = format!("{base}-{n}");
                n += 1;
            }
        }
        taken.insert(stem.to_ascii_lowercase(), id.clone());
        files[i] = format!("operations/{stem}.json");
        if let Some(reason) = reason {
            renamed.push(Renamed {
                operation_id: id.clone(),
                file: files[i].clone(),
                reason,
            });
        }
    }
    renamed.sort_by(|a, b| a.operation_id.cmp(&b.operation_id));
    (files, renamed)
}

/// Renders the bundle: relative file name → file content.
pub(crate) fn render(contract: &Contract) -> anyhow::Result<BTreeMap<String, String>> {
    let (names, _) = operation_files(contract);
    let rendered: Vec<(String, String)> = contract
        .operations
        .par_iter()
        .zip(names.par_iter())
        .map(|(op, name)| {
            let name = name.clone();
            let mut text = serde_json::to_string_pretty(op)?;
            text.push('\n');
            anyhow::Ok((name, text))
        })
        .collect::<anyhow::Result<_>>()?;
    let mut files: BTreeMap<String, String> = rendered.into_iter().collect();
    let mut index_ops = Vec::new();
    for (op, file) in contract.operations.iter().zip(&names) {
        index_ops.push(json!({
            "operationId": op.operation_id,
            "method": op.method,
            "path": op.path,
            "file": file,
        }));
    }
    let mut index_types = Vec::new();
    for (type_name, schema) in &contract.types {
        let name = format!("types/{}.json", file_stem(type_name));
        index_types.push(json!({"name": type_name, "file": name}));
        files.insert(name, pretty(schema)?);
    }
    let index = json!({
        "generator": "mockdown",
        "operations": index_ops,
        "types": index_types,
    });
    files.insert("index.json".to_string(), pretty(&index)?);
    files.insert(
        PROFILE.to_string(),
        pretty(&serde_json::to_value(&contract.profile)?)?,
    );
    Ok(files)
}

fn pretty(value: &Value) -> anyhow::Result<String> {
    let mut text = serde_json::to_string_pretty(value)?;
    text.push('\n');
    Ok(text)
}

/// Writes the bundle into `dir`, removing stale operation and type files; files whose
/// content did not change are left untouched.
pub(crate) fn write(contract: &Contract, dir: &Path) -> anyhow::Result<usize> {
    let files = render(contract)?;
    for sub in ["operations", "types"] {
        let folder = dir.join(sub);
        fs::create_dir_all(&folder)
            .with_context(|| format!("cannot create {}", folder.display()))?;
        for entry in fs::read_dir(&folder)? {
            let path = entry?.path();
            let rel = format!(
                "{sub}/{}",
                path.file_name().unwrap_or_default().to_string_lossy()
            );
            if path.extension().is_some_and(|e| e == "json") && !files.contains_key(&rel) {
                fs::remove_file(&path)
                    .with_context(|| format!("cannot remove {}", path.display()))?;
            }
        }
    }
    files.par_iter().try_for_each(|(rel, content)| {
        let path = dir.join(rel);
        if fs::read(&path).ok().as_deref() != Some(content.as_bytes()) {
            fs::write(&path, content)
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
        anyhow::Ok(())
    })?;
    Ok(files.len())
}

/// Differences between the bundle in `dir` and the one `contract` renders:
/// (file, what changed) pairs, empty when the bundle is up to date.
pub(crate) fn diff(contract: &Contract, dir: &Path) -> anyhow::Result<Vec<(String, &'static str)>> {
    let files = render(contract)?;
    let mut changes = Vec::new();
    for (rel, content) in &files {
        match fs::read_to_string(dir.join(rel)) {
            Ok(old) if old == *content => {}
            Ok(_) => changes.push((rel.clone(), "changed")),
            Err(_) => changes.push((rel.clone(), "missing")),
        }
    }
    for sub in ["operations", "types"] {
        let Ok(entries) = fs::read_dir(dir.join(sub)) else {
            continue;
        };
        for entry in entries.flatten() {
            let rel = format!("{sub}/{}", entry.file_name().to_string_lossy());
            if rel.ends_with(".json") && !files.contains_key(&rel) {
                changes.push((rel, "stale"));
            }
        }
    }
    changes.sort();
    Ok(changes)
}

/// Reads a bundle written by [`write`] back into a contract.
pub(crate) fn read(dir: &Path) -> anyhow::Result<Contract> {
    let index_path = dir.join("index.json");
    let index: Value = serde_json::from_str(
        &fs::read_to_string(&index_path)
            .with_context(|| format!("cannot read {}", index_path.display()))?,
    )
    .with_context(|| format!("{} is not JSON", index_path.display()))?;
    let mut contract = Contract::default();
    let entries = |key: &str| index[key].as_array().cloned().unwrap_or_default();
    for entry in entries("operations") {
        let file = entry["file"].as_str().context("index entry without file")?;
        let text =
            fs::read_to_string(dir.join(file)).with_context(|| format!("cannot read {file}"))?;
        let op: Operation =
            serde_json::from_str(&text).with_context(|| format!("{file} is not an operation"))?;
        contract.operations.push(op);
    }
    for entry in entries("types") {
        let name = entry["name"].as_str().context("index entry without name")?;
        let file = entry["file"].as_str().context("index entry without file")?;
        let text =
            fs::read_to_string(dir.join(file)).with_context(|| format!("cannot read {file}"))?;
        contract
            .types
            .insert(name.to_string(), serde_json::from_str(&text)?);
    }
    // A bundle written before profiles: inferred again from what it holds.
    contract.profile = match fs::read_to_string(dir.join(PROFILE)) {
        Ok(text) => {
            serde_json::from_str(&text).with_context(|| format!("{PROFILE} is not a profile"))?
        }
        Err(_) => super::infer_profile::infer(&contract.operations, &contract.types, &[]),
    };
    Ok(contract)
}
