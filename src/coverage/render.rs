//! `tripline coverage` output: a table for a person (every value from a log through
//! `output::escape::terminal`) or one JSON object (`--output json`, terminal-safe like
//! every JSON tripline writes).

use super::blind_spots::{provider_of, BlindSpot, Gap};
use super::tally::Volume;
use super::Report;
use crate::event::{LogFormat, LogKind, Provider};
use crate::output::escape::terminal;
use std::io::{self, Write};

fn provider_title(p: Provider) -> &'static str {
    match p {
        Provider::Aws => "AWS",
        Provider::Azure => "Azure / Entra ID",
        Provider::Gcp => "GCP",
        Provider::Other => "Other (perimeter)",
    }
}

fn account_word(p: Provider) -> &'static str {
    match p {
        Provider::Aws => "accounts",
        Provider::Azure => "subscriptions / tenants",
        Provider::Gcp => "projects",
        Provider::Other => "accounts",
    }
}

/// Formats whose records say which of their logs they came from (`LogKind`).
fn has_kinds(log: LogFormat) -> bool {
    matches!(
        log,
        LogFormat::CloudTrail | LogFormat::GcpAudit | LogFormat::EntraSignin
    )
}

fn span(v: &Volume) -> String {
    match (v.first, v.last) {
        (Some(f), Some(l)) => format!("{f} .. {l}"),
        _ => String::new(),
    }
}

fn volume(v: &Volume) -> String {
    let s = if v.events == 1 { "" } else { "s" };
    format!("{:>9} event{s}  {}", v.events, span(v))
}

fn gap_text(g: &Gap) -> String {
    match g {
        Gap::MissingLog { source } => format!("no {source} logs"),
        Gap::RegionWithoutCloudTrail { account, region } => {
            let account = if account.is_empty() {
                "(no account id)".to_string()
            } else {
                terminal(account)
            };
            format!("account {account}: no CloudTrail in {}", terminal(region))
        }
        Gap::GcpStorageDataAccessOff { project } => format!(
            "project {}: no Data Access logs for Cloud Storage (no storage.objects.* entry)",
            terminal(project)
        ),
    }
}

fn silences_text(b: &BlindSpot) -> String {
    if b.silences.is_empty() {
        return "no enabled rule reads it".into();
    }
    let rules: Vec<String> = b
        .silences
        .iter()
        .map(|s| {
            if s.entirely {
                s.rule.clone()
            } else {
                format!("{} (in part)", s.rule)
            }
        })
        .collect();
    rules.join(", ")
}

pub fn write_table(out: &mut impl Write, r: &Report) -> io::Result<()> {
    let t = &r.tally;
    let total: u64 = t.logs.values().map(|v| v.events).sum();
    let mut all = Volume::default();
    t.logs.values().for_each(|v| all.merge(v));
    writeln!(out, "COVERAGE  {total} events  {}", span(&all))?;
    for p in t.providers() {
        writeln!(out, "\n{}", provider_title(p))?;
        writeln!(out, "  logs")?;
        for ((_, log, kind), v) in t.logs.iter().filter(|((q, _, _), _)| *q == p) {
            let name = match (log, kind) {
                (_, LogKind::Unknown) if has_kinds(*log) => {
                    format!("{} (kind not logged)", log.as_str())
                }
                (_, LogKind::Unknown) => log.as_str().to_string(),
                _ => format!("{} {}", log.as_str(), kind.as_str()),
            };
            writeln!(out, "    {name:<40} {}", volume(v))?;
        }
        let accounts: Vec<_> = t.accounts.iter().filter(|((q, _), _)| *q == p).collect();
        if !accounts.is_empty() {
            writeln!(out, "  {}", account_word(p))?;
            for ((_, name), v) in accounts {
                writeln!(out, "    {:<40} {}", terminal(name), volume(v))?;
            }
        }
        let regions: Vec<_> = t.regions.iter().filter(|((q, _), _)| *q == p).collect();
        if !regions.is_empty() {
            writeln!(out, "  regions")?;
            for ((_, name), v) in regions {
                writeln!(out, "    {:<40} {}", terminal(name), volume(v))?;
            }
        }
        if p == Provider::Aws && !t.cloudtrail.is_empty() {
            writeln!(out, "  cloudtrail by account and region")?;
            for ((account, region), v) in &t.cloudtrail {
                let name = format!("{} {}", terminal(account), terminal(region));
                writeln!(out, "    {name:<40} {}", volume(v))?;
            }
        }
    }
    writeln!(
        out,
        "\nexpected AWS regions: {} (from {})",
        if r.expected_regions.is_empty() {
            "none".to_string()
        } else {
            r.expected_regions
                .iter()
                .map(|x| terminal(x))
                .collect::<Vec<_>>()
                .join(", ")
        },
        r.expected_regions_from,
    )?;
    writeln!(out, "\nBLIND SPOTS ({})", r.blind_spots.len())?;
    for b in &r.blind_spots {
        writeln!(
            out,
            "  {:<6} {}",
            provider_of(&b.gap).as_str(),
            gap_text(&b.gap)
        )?;
        writeln!(out, "         why: {}", b.why)?;
        // A region gap silences the rules there only: say where.
        let label = match &b.gap {
            Gap::RegionWithoutCloudTrail { region, .. } => {
                format!("silences in {}", terminal(region))
            }
            _ => "silences".to_string(),
        };
        writeln!(out, "         {label}: {}", silences_text(b))?;
    }
    writeln!(out, "\nWHAT NO LOG HERE CAN SHOW")?;
    for l in &r.cannot_show {
        writeln!(out, "  - {}: {}", l.topic, l.text)?;
    }
    Ok(())
}

pub fn write_json(out: &mut impl Write, r: &Report) -> io::Result<()> {
    crate::output::jsonl::write_json_line(out, &mut Vec::new(), r)
}
