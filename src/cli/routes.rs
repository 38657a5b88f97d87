//! `mockdown routes`: every documented route, and with `--entities` the entities the
//! stateful mock keeps (which operations save, read, patch and delete each, and why).

use super::out::outln;
use std::path::Path;
use std::process::ExitCode;

use crate::entities::EntityMap;

/// Output format of `mockdown routes`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum RoutesFormat {
    /// One line per route (or entity operation).
    Human,
    /// One JSON document.
    Json,
}

/// Lists the routes of `docs_dir`, or its entities.
pub(super) fn routes(
    docs_dir: &Path,
    entities: bool,
    format: RoutesFormat,
) -> anyhow::Result<ExitCode> {
    let build = super::build::compile(docs_dir)?;
    let contract = &build.contract;
    if entities {
        let map = EntityMap::of(contract);
        match format {
            RoutesFormat::Json => outln!("{}", serde_json::to_string_pretty(&map.entities)?),
            RoutesFormat::Human => {
                for entity in &map.entities {
                    outln!(
                        "{} (key {}; types {})",
                        entity.name,
                        entity.key,
                        entity.types.join(", ")
                    );
                    for op in &entity.operations {
                        let id = match &op.id {
                            crate::entities::IdSource::Path(n) => format!("path {{{n}}}"),
                            crate::entities::IdSource::Query(n) => format!("query {n}"),
                            crate::entities::IdSource::Body => format!("body {}", entity.key),
                        };
                        outln!(
                            "  {:<7} {:<60} {} (id: {id})",
                            format!("{:?}", op.role).to_lowercase(),
                            op.route,
                            op.operation_id
                        );
                    }
                }
                let operations: usize = map.entities.iter().map(|e| e.operations.len()).sum();
                outln!(
                    "{} entities, {operations} of {} operations keep state",
                    map.entities.len(),
                    contract.operations.len()
                );
            }
        }
        return Ok(ExitCode::SUCCESS);
    }
    let mut routes: Vec<(&str, &str, &str)> = contract
        .operations
        .iter()
        .map(|op| {
            (
                op.path.as_str(),
                op.method.as_str(),
                op.operation_id.as_str(),
            )
        })
        .collect();
    routes.sort();
    match format {
        RoutesFormat::Json => {
            let list: Vec<serde_json::Value> = routes
                .iter()
                .map(|(path, method, id)| {
                    serde_json::json!({"method": method, "path": path, "operationId": id})
                })
                .collect();
            outln!("{}", serde_json::to_string_pretty(&list)?);
        }
        RoutesFormat::Human => {
            for (path, method, id) in &routes {
                outln!("{method:<7} {path:<70} {id}");
            }
            outln!("{} routes", routes.len());
        }
    }
    Ok(ExitCode::SUCCESS)
}
