//! The stateful mock (`--stateful`): operations the entity map ties to an entity save,
//! read, patch and delete it in the state store. A save stores what was sent merged onto the
//! generated answer (the answer is what was stored); a read of a stored id answers it, of a
//! deleted one what the page documents for a missing entity; everything stays valid against
//! the contract, or nothing is stored.

use bytes::Bytes;
use serde_json::{Map, Value};

use super::state::{MockState, Prepared};
use crate::entities::{Entity, IdSource, Role};
use crate::generate::{self, Echo, Prefer, Reply};
use crate::http::ErrorKind;
use crate::state::{StoreError, Stored};
use crate::validate::Rejection;

/// What the stateful mock needs of a request that already passed the checks.
pub(crate) struct Ask<'a> {
    pub(crate) path: &'a [(String, String)],
    pub(crate) query: &'a [(String, String)],
    pub(crate) body: &'a [u8],
    pub(crate) prefer: &'a Prefer,
    pub(crate) seed: u64,
}

impl From<StoreError> for Rejection {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Unavailable(why) => Rejection::new(
                ErrorKind::StateUnavailable,
                format!("the state store cannot be reached ({why}); stateless calls still answer"),
            ),
            StoreError::Invalid(why) => Rejection::new(ErrorKind::StateCorrupt, why),
            StoreError::Full(why) => Rejection::new(
                ErrorKind::StateFull,
                format!("{why}; nothing was stored (DELETE /__mockdown/state clears it)"),
            ),
        }
    }
}

/// The answer from state, or `None` when state has nothing to say (the operation keeps no
/// state, `Prefer` asks for an example or a status, an id never saved is read).
pub(crate) async fn answer(
    state: &MockState,
    index: usize,
    prepared: &Prepared,
    ask: &Ask<'_>,
) -> Result<Option<Reply>, Rejection> {
    let Some((entity, role, source)) = state.entities.role(index).cloned() else {
        return Ok(None);
    };
    if ask.prefer.example || ask.prefer.code.is_some() {
        return Ok(None);
    }
    let entity = &state.entities.entities[entity];
    let store = &state.store;
    match role {
        Role::Read | Role::Delete => {
            let Some(id) = id_of(&source, ask, &entity.key) else {
                return Ok(None);
            };
            if role == Role::Delete {
                store.delete(&entity.name, id).await?;
                return Ok(None);
            }
            match store.get(&entity.name, id).await? {
                Stored::Absent => Ok(None),
                Stored::Deleted => missing(prepared, &entity.name, id).map(Some),
                Stored::Value(stored) => {
                    let members = members_of(&stored);
                    reply_with(state, prepared, ask, &members, false).map(Some)
                }
            }
        }
        Role::Save => save(state, prepared, ask, entity, &source).await.map(Some),
        Role::Patch => patch(state, prepared, ask, entity, &source).await,
    }
}

/// Saves the entity sent (under its id, or the next one) and answers it, as stored.
async fn save(
    state: &MockState,
    prepared: &Prepared,
    ask: &Ask<'_>,
    entity: &Entity,
    source: &IdSource,
) -> Result<Reply, Rejection> {
    let sent: Value = serde_json::from_slice(ask.body).unwrap_or(Value::Null);
    let id = match id_of(source, ask, &entity.key) {
        Some(id) => id,
        None => state.store.next_id(&entity.name).await?,
    };
    let mut members = members_of(&sent);
    members.retain(|(k, _)| !k.eq_ignore_ascii_case(&entity.key));
    members.push((entity.key.clone(), id.to_string()));
    let unselected = unselected(ask.query);
    let whole = Ask {
        query: &unselected,
        ..*ask
    };
    let reply = reply_with(state, prepared, &whole, &members, true)?;
    let reply = completed(state, prepared, &whole, reply)?;
    let stored = keep(state, prepared, &reply)?;
    state.store.put(&entity.name, id, &stored).await?;
    selected(state, prepared, ask, reply, &stored)
}

/// Patches the entity the request names (as stored, or as generated when never saved)
/// and answers it; `None` without an id.
async fn patch(
    state: &MockState,
    prepared: &Prepared,
    ask: &Ask<'_>,
    entity: &Entity,
    source: &IdSource,
) -> Result<Option<Reply>, Rejection> {
    let Some(id) = id_of(source, ask, &entity.key) else {
        return Ok(None);
    };
    let unselected = unselected(ask.query);
    let whole = Ask {
        query: &unselected,
        ..*ask
    };
    let mut base = match state.store.get(&entity.name, id).await? {
        Stored::Deleted => return missing(prepared, &entity.name, id).map(Some),
        Stored::Value(stored) => stored,
        // Never saved: the entity this id is generated as.
        Stored::Absent => {
            let reply = reply_with(state, prepared, &whole, &[], false)?;
            reply.body.map(|b| b.to_value()).unwrap_or(Value::Null)
        }
    };
    apply_patch(&mut base, ask.body, &prepared.op)?;
    if let Value::Object(map) = &mut base {
        map.insert(entity.key.clone(), Value::from(id));
    }
    let members = members_of(&base);
    let reply = reply_with(state, prepared, &whole, &members, true)?;
    let stored = keep(state, prepared, &reply)?;
    state.store.put(&entity.name, id, &stored).await?;
    selected(state, prepared, ask, reply, &stored).map(Some)
}

/// The id a request names: its path or query parameter, or the primary key in its body
/// (`None` for 0 or none: a new entity).
fn id_of(source: &IdSource, ask: &Ask<'_>, key: &str) -> Option<i64> {
    let raw = match source {
        IdSource::Path(name) => ask
            .path
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone()),
        IdSource::Query(name) => ask
            .query
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone()),
        IdSource::Body => serde_json::from_slice::<Value>(ask.body)
            .ok()
            .and_then(|v| v.get(key).map(Value::to_string)),
    }?;
    raw.trim().parse::<i64>().ok().filter(|id| *id > 0)
}

/// The root members of a JSON object as raw JSON text, as the echo takes them.
fn members_of(value: &Value) -> Vec<(String, String)> {
    match value {
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| (k.clone(), v.to_string()))
            .collect(),
        _ => Vec::new(),
    }
}

/// The answer generated for this request with `members` in place of generated root fields:
/// every one of them when `all` (a save: what was sent, checked next against the answer's
/// schema), else those that keep the answer's schema (a read of what another operation
/// stored).
fn reply_with(
    state: &MockState,
    prepared: &Prepared,
    ask: &Ask<'_>,
    members: &[(String, String)],
    all: bool,
) -> Result<Reply, Rejection> {
    let borrowed: Vec<(&str, &str)> = members
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let admits = |status: u16, key: &str, value: &str| {
        all || prepared
            .echo
            .get(&status)
            .is_none_or(|check| check.admits_stored(key, value))
    };
    let echo = Echo {
        path: ask.path,
        query: ask.query,
        body: &borrowed,
        admits: &admits,
        always: true,
    };
    Ok(generate::respond(
        &prepared.op,
        &state.faker,
        &prepared.plans,
        prepared.example.as_ref(),
        ask.prefer,
        &echo,
        ask.seed,
    )?)
}

/// The query without `$select`: what is stored is the whole entity, whatever the answer
/// shows of it.
fn unselected(query: &[(String, String)]) -> Vec<(String, String)> {
    query
        .iter()
        .filter(|(k, _)| !k.eq_ignore_ascii_case("$select"))
        .cloned()
        .collect()
}

/// The answer to a save or patch: the whole entity stored, or with `$select` the fields
/// it selects of it.
fn selected(
    state: &MockState,
    prepared: &Prepared,
    ask: &Ask<'_>,
    whole: Reply,
    stored: &Value,
) -> Result<Reply, Rejection> {
    if !ask
        .query
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("$select"))
    {
        return Ok(whole);
    }
    reply_with(state, prepared, ask, &members_of(stored), true)
}

/// A save's answer with the members the sent objects lack filled in from the answer
/// generated without them: what a server stores and answers is the whole entity (an
/// `Emails` item sent as `{"Value": …}` comes back with its `TableRight` too), and a later
/// read of it shows every property the documented answer shows.
fn completed(
    state: &MockState,
    prepared: &Prepared,
    ask: &Ask<'_>,
    reply: Reply,
) -> Result<Reply, Rejection> {
    let Some(mut value) = reply.body.as_ref().map(generate::Body::to_value) else {
        return Ok(reply);
    };
    let generated = reply_with(state, prepared, ask, &[], false)?;
    let Some(whole) = generated.body.as_ref().map(generate::Body::to_value) else {
        return Ok(reply);
    };
    if !fill_missing(&mut value, &whole, 0) {
        return Ok(reply);
    }
    Ok(Reply {
        body: Some(generate::Body::of(&value)),
        ..reply
    })
}

/// Adds to `value` the object members `whole` has at the same place and `value` lacks (the
/// items of a list take the members of the generated item at their place, or its first);
/// whether anything was added.
fn fill_missing(value: &mut Value, whole: &Value, depth: usize) -> bool {
    if depth > 32 {
        return false;
    }
    match (value, whole) {
        (Value::Object(map), Value::Object(full)) => {
            let mut added = false;
            for (key, member) in full {
                match map.get_mut(key) {
                    Some(present) => added |= fill_missing(present, member, depth + 1),
                    None => {
                        map.insert(key.clone(), member.clone());
                        added = true;
                    }
                }
            }
            added
        }
        (Value::Array(items), Value::Array(full)) if !full.is_empty() => {
            let mut added = false;
            for (i, item) in items.iter_mut().enumerate() {
                let template = full.get(i).unwrap_or(&full[0]);
                added |= fill_missing(item, template, depth + 1);
            }
            added
        }
        _ => false,
    }
}

/// The entity to store: the answer, held to its schema first (a save whose stored entity
/// would break the contract is refused and nothing is stored).
fn keep(state: &MockState, prepared: &Prepared, reply: &Reply) -> Result<Value, Rejection> {
    let value = reply
        .body
        .as_ref()
        .map(|b| b.to_value())
        .unwrap_or(Value::Null);
    let found = prepared.answer_violations(&state.schemas, reply.status, &value);
    if found.total() == 0 {
        Ok(value)
    } else {
        Err(Rejection {
            kind: ErrorKind::ValidationError,
            message: format!(
                "the entity to store breaks the answer's contract in {}{} place(s); nothing was stored",
                if found.at_least { "at least " } else { "" },
                found.total()
            ),
            violations: found.list,
            omitted: found.omitted,
        })
    }
}

/// What the page documents for an entity that is no more: 404 where documented, else the
/// agents' `200` with a `null` body.
fn missing(prepared: &Prepared, entity: &str, id: i64) -> Result<Reply, Rejection> {
    if prepared.op.response(404).is_some() {
        return Err(Rejection::new(
            ErrorKind::NotFound,
            format!("{entity} {id} was deleted"),
        ));
    }
    Ok(Reply {
        status: prepared.op.success_status,
        body: Some(generate::Body(Bytes::from_static(b"null"))),
        type_name: entity.to_string(),
    })
}

/// Applies a JSON Patch (RFC 6902; pointers without their leading `/` read as the API's
/// own samples write them) or a merge patch (RFC 7396) to `doc`. A patch that cannot be
/// applied is a 400; a failed `test` the status the page documents for it (409).
fn apply_patch(
    doc: &mut Value,
    body: &[u8],
    op: &crate::contract::Operation,
) -> Result<(), Rejection> {
    let patch: Value = serde_json::from_slice(body).map_err(|e| {
        Rejection::new(
            ErrorKind::InvalidJson,
            format!("the patch is not JSON: {e}"),
        )
    })?;
    match patch {
        Value::Array(items) => {
            let operations: Vec<json_patch::PatchOperation> = items
                .into_iter()
                .map(|mut item| {
                    if let Value::Object(map) = &mut item {
                        normalise_pointers(map);
                    }
                    serde_json::from_value(item)
                })
                .collect::<Result<_, _>>()
                .map_err(|e| {
                    Rejection::new(ErrorKind::InvalidPatch, format!("not a JSON Patch: {e}"))
                })?;
            json_patch::patch(doc, &operations).map_err(|e| {
                if matches!(e.kind, json_patch::PatchErrorKind::TestFailed) {
                    let kind = if op.response(409).is_some() {
                        ErrorKind::Conflict
                    } else {
                        ErrorKind::ConflictUndocumented
                    };
                    Rejection::new(
                        kind,
                        format!(
                            "the patch's test at operation {} ({}) failed",
                            e.operation, e.path
                        ),
                    )
                } else {
                    Rejection::new(
                        ErrorKind::InvalidPatch,
                        format!(
                            "operation {} ({}) cannot be applied: {}",
                            e.operation, e.path, e.kind
                        ),
                    )
                }
            })
        }
        merge @ Value::Object(_) => {
            json_patch::merge(doc, &merge);
            Ok(())
        }
        _ => Err(Rejection::new(
            ErrorKind::InvalidPatch,
            "a patch is a JSON Patch array or a merge-patch object",
        )),
    }
}

fn normalise_pointers(map: &mut Map<String, Value>) {
    for key in ["path", "from"] {
        if let Some(Value::String(pointer)) = map.get_mut(key)
            && !pointer.is_empty()
            && !pointer.starts_with('/')
        {
            pointer.insert(0, '/');
        }
    }
}
