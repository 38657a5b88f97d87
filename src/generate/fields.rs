//! What a field's name says about its value: the periods whose end must not come before
//! their start, and the measures whose range is fixed (latitude, percent, minutes, ...).

use super::node::{Node, Pair};

/// Ties the end of each period to its start among an object's date-time properties
/// (`EndDate`/`StartDate`, `EndDate`/`Date`, `ValidTo`/`ValidFrom`, `StopTime`/`StartTime`),
/// so that an end is never drawn before its start.
pub(super) fn pair_periods(props: &mut [(String, String, Node)]) {
    let is_date = |node: &Node| matches!(node, Node::DateTime { .. });
    for end in 0..props.len() {
        if !is_date(&props[end].2) {
            continue;
        }
        let name = props[end].1.to_ascii_lowercase();
        let mut starts = Vec::new();
        for (from, to) in [("end", "start"), ("stop", "start"), ("finish", "start")] {
            if name.contains(from) {
                starts.push(name.replacen(from, to, 1));
                starts.push(name.replacen(from, "", 1));
            }
        }
        if let Some(stem) = name.strip_suffix("to") {
            starts.push(format!("{stem}from"));
        }
        let start = starts.iter().filter(|s| !s.is_empty()).find_map(|wanted| {
            props
                .iter()
                .position(|(_, key, node)| is_date(node) && key.eq_ignore_ascii_case(wanted))
        });
        if let Some(start) = start.filter(|&s| s != end) {
            props[end].2 = Node::DateTime {
                pair: Pair::EndOf(start),
            };
            if matches!(props[start].2, Node::DateTime { pair: Pair::None }) {
                props[start].2 = Node::DateTime {
                    pair: Pair::StartOf(end),
                };
            }
        }
    }
}

/// What a number's name says it measures, and so its range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Measure {
    Latitude,
    Longitude,
    Percent,
    Minutes,
    Seconds,
}

impl Measure {
    pub(super) fn of(lower_name: &str) -> Option<Self> {
        let has = |w: &str| lower_name.contains(w);
        Some(if has("latitude") {
            Measure::Latitude
        } else if has("longitude") {
            Measure::Longitude
        } else if has("percent") {
            Measure::Percent
        } else if has("minutes") {
            Measure::Minutes
        } else if has("seconds") {
            Measure::Seconds
        } else {
            return None;
        })
    }

    /// The values it takes.
    pub(super) fn range(self) -> (f64, f64) {
        match self {
            Measure::Latitude => (-90.0, 90.0),
            Measure::Longitude => (-180.0, 180.0),
            Measure::Percent => (0.0, 100.0),
            Measure::Minutes => (0.0, 1_440.0),
            Measure::Seconds => (0.0, 86_400.0),
        }
    }
}
