//! `tripline baseline show|prune|learn`: inspect and age the baseline store.

use super::args::BaselineCommand;
use crate::output::escape;
use crate::state::Store;
use anyhow::{Context, Result};
use std::io::Write;

fn open(state: Option<String>) -> Result<Store> {
    let path = state.unwrap_or_else(|| Store::default_path().to_string_lossy().into_owned());
    Store::open(&path).with_context(|| format!("opening the baseline store {path}"))
}

pub fn baseline(c: BaselineCommand) -> Result<i32> {
    match c {
        BaselineCommand::Show { state, identity } => {
            let store = open(state)?;
            let rows = store.dump(identity.as_deref());
            let newest = store.newest();
            store.check_reads().context("reading the baseline store")?;
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            writeln!(
                out,
                "{:<14} {:<50} {:<40} {:<22} {:<22} days",
                "kind", "scope", "value", "first_seen", "last_seen"
            )?;
            for r in &rows {
                writeln!(
                    out,
                    "{:<14} {:<50} {:<40} {:<22} {:<22} {}",
                    escape::terminal(&r.kind),
                    escape::terminal(&r.scope),
                    escape::terminal(&r.value),
                    r.first_seen,
                    r.last_seen,
                    r.days
                )?;
            }
            out.flush()?;
            match newest {
                Some(t) => eprintln!("{} rows; newest event stored {t}", rows.len()),
                None => eprintln!("the store is empty"),
            }
            Ok(0)
        }
        BaselineCommand::Prune { state, config } => {
            let retention = super::scan_cmd::load_config(config.as_deref())?
                .state
                .retention;
            let mut store = open(state)?;
            let n = store.prune(retention).context("pruning")?;
            eprintln!("pruned {n} rows older than {retention} before the newest stored event");
            Ok(0)
        }
        BaselineCommand::Learn(args) => {
            // A scan with the history rules whose alerts are discarded: the store learns
            // what normal looks like, in event time, and nothing is reported.
            let mut args = args;
            if args.rules.is_empty() {
                args.rules = crate::rules::registry::history_rules()
                    .map(str::to_string)
                    .collect();
            }
            super::scan_cmd::learn(&args)
        }
    }
}
