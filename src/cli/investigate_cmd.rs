//! `tripline investigate`: one actor's timeline (SPEC §1, §8). Reads the paths once, skipping
//! unparsed every record that does not mention the actor (`Prefilter::mentions`), keeps the
//! actor's events, and prints them grouped by source and session, reads and writes marked.

use super::args::{InvestigateArgs, InvestigateOutput};
use super::normalize_cmd::{finish, pipeline_options};
use crate::activity::timeline::{self, Target};
use crate::engine;
use crate::event::{Access, Event, Outcome, Timestamp};
use crate::input;
use crate::normalize::prefilter::Prefilter;
use crate::output::display_time::DisplayZone;
use crate::output::escape::terminal;
use crate::output::event_json::{write_event, write_str};
use anyhow::{bail, Context, Result};
use std::io::Write;
use std::sync::Arc;

fn time_arg(flag: &str, v: Option<&str>) -> Result<Option<Timestamp>> {
    v.map(|s| {
        Timestamp::parse(s).ok_or_else(|| {
            anyhow::anyhow!(
                "{flag}: {:?} is not an RFC 3339 time (expected e.g. 2024-05-06T10:00:00Z)",
                s
            )
        })
    })
    .transpose()
}

pub fn investigate(a: &InvestigateArgs) -> Result<i32> {
    let target = match (&a.identity, &a.key, &a.source_ip) {
        (Some(id), None, None) if !id.trim().is_empty() => Target::identity(id),
        (None, Some(k), None) if !k.trim().is_empty() => Target::Key(k.trim().to_string()),
        (None, None, Some(ip)) if !ip.trim().is_empty() => Target::SourceIp(ip.trim().to_string()),
        _ => bail!("investigate needs exactly one non-empty --identity, --key or --source-ip"),
    };
    // Checked before reading anything, as `scan` does: a typo must not cost a long read.
    let zone = DisplayZone::named(&a.timezone)
        .map_err(anyhow::Error::msg)
        .context("--timezone")?;
    let from = time_arg("--from", a.from.as_deref())?;
    let to = time_arg("--to", a.to.as_deref())?;
    if let (Some(f), Some(t)) = (from, to) {
        if f >= t {
            bail!("--from {f} is not before --to {t}");
        }
    }
    let mut walk = input::walk_paths(&a.input.paths);
    let inputs = std::mem::take(&mut walk.inputs);
    let mut opts = pipeline_options(&a.input.read);
    let (exact, folded) = target.needles();
    if !a.input.read.strict {
        opts.normalize.prefilter = Some(Arc::new(Prefilter::mentions(exact, folded)));
    }
    let mut events: Vec<Event> = Vec::new();
    let keep = |e: &Event| {
        target.matches(e) && from.is_none_or(|f| e.time >= f) && to.is_none_or(|t| e.time < t)
    };
    let summary = engine::run(
        inputs,
        &opts,
        |evs: Vec<Event>| evs.into_iter().filter(|e| keep(e)).collect::<Vec<_>>(),
        |evs| events.extend(evs),
    );
    let groups = timeline::build(&mut events);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let written = match a.output {
        InvestigateOutput::Table => print_table(&mut out, &target, &groups, &events, zone),
        InvestigateOutput::Jsonl => print_jsonl(&mut out, &events),
    };
    if let Some(path) = &a.state {
        let first = events.first().map(|e| e.time);
        print_baseline(&mut out, path, &target, first, a.output, zone)?;
    }
    if let Err(e) = written.and_then(|_| out.flush()) {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            return Err(e).context("writing standard output");
        }
    }
    let mut summary = summary;
    summary.notes.insert(
        0,
        format!(
            "{} events of {} in {} groups (source, session)",
            events.len(),
            terminal(&target.describe()),
            groups.len()
        ),
    );
    Ok(finish(summary, walk, &a.input.read))
}

fn access_mark(a: Access) -> &'static str {
    match a {
        Access::Read => "read",
        Access::Write => "WRITE",
        Access::SignIn => "sign-in",
        Access::Unknown => "-",
    }
}

fn session_label(e: &Event) -> String {
    timeline::session_of(e)
}

fn print_table(
    out: &mut dyn Write,
    target: &Target,
    groups: &[timeline::Group],
    events: &[Event],
    zone: DisplayZone,
) -> std::io::Result<()> {
    writeln!(
        out,
        "Timeline of {} (times in {})",
        terminal(&target.describe()),
        zone.label()
    )?;
    writeln!(out)?;
    writeln!(out, "By source and session:")?;
    writeln!(
        out,
        "  {:<24} {:<27} {:<27} {:>6} {:>6} {:>6} {:>6}  SESSION",
        "SOURCE", "FIRST", "LAST", "EVENTS", "READS", "WRITES", "FAILED"
    )?;
    for g in groups {
        writeln!(
            out,
            "  {:<24} {:<27} {:<27} {:>6} {:>6} {:>6} {:>6}  {}",
            terminal(if g.source.is_empty() { "-" } else { &g.source }),
            zone.show(g.first),
            zone.show(g.last),
            g.events,
            g.reads,
            g.writes,
            g.failures,
            terminal(&g.session)
        )?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "{:<35} {:<7} {:<8} {:<36} {:<18} {:<28} RESOURCE / ERROR",
        "TIME", "ACCESS", "RESULT", "ACTION", "SOURCE", "SESSION"
    )?;
    for e in events {
        let result = match e.outcome {
            Outcome::Success => "ok",
            Outcome::Failure => "FAILED",
            Outcome::Unknown => "-",
        };
        let mut detail = e.resource.clone();
        if !e.error_code.is_empty() {
            if !detail.is_empty() {
                detail.push_str("  ");
            }
            detail.push_str(&e.error_code);
        }
        writeln!(
            out,
            "{:<35} {:<7} {:<8} {:<36} {:<18} {:<28} {}",
            zone.show(e.time),
            access_mark(e.access),
            result,
            terminal(&e.action),
            terminal(&e.source_ip),
            terminal(&session_label(e)),
            terminal(&detail)
        )?;
    }
    Ok(())
}

/// One object per event: `{"access":..,"session":..,"event":{normalized event}}`, written
/// with `normalize`'s escaping (no control or invisible character raw).
fn print_jsonl(out: &mut dyn Write, events: &[Event]) -> std::io::Result<()> {
    let mut buf = Vec::with_capacity(1024);
    for e in events {
        buf.clear();
        buf.extend_from_slice(b"{\"access\":\"");
        buf.extend_from_slice(e.access.as_str().as_bytes());
        buf.extend_from_slice(b"\",\"session\":");
        write_str(&mut buf, &session_label(e));
        buf.extend_from_slice(b",\"event\":");
        write_event(e, &mut buf);
        buf.extend_from_slice(b"}\n");
        out.write_all(&buf)?;
    }
    Ok(())
}

/// What the baseline store recorded about the target, marked when it predates the timeline.
fn print_baseline(
    out: &mut dyn Write,
    path: &str,
    target: &Target,
    first_event: Option<Timestamp>,
    format: InvestigateOutput,
    zone: DisplayZone,
) -> Result<()> {
    let store = crate::state::Store::open(path)
        .with_context(|| format!("opening the baseline store {path}"))?;
    let needle = match target {
        Target::Identity(a) => a.to_lowercase(),
        Target::Key(s) | Target::SourceIp(s) => s.to_lowercase(),
    };
    let rows: Vec<_> = store
        .dump(None)
        .into_iter()
        .filter(|r| r.scope.to_lowercase().contains(&needle) || r.value.to_lowercase() == needle)
        .collect();
    store
        .check_reads()
        .with_context(|| format!("reading the baseline store {path}"))?;
    let before = |t: Timestamp| first_event.is_none_or(|f| t < f);
    match format {
        InvestigateOutput::Table => {
            writeln!(out)?;
            writeln!(
                out,
                "Baseline store {} ({} rows about it):",
                terminal(path),
                rows.len()
            )?;
            writeln!(
                out,
                "  {:<14} {:<44} {:<30} {:<27} {:<27} {:>4}  BEFORE",
                "KIND", "SCOPE", "VALUE", "FIRST_SEEN", "LAST_SEEN", "DAYS"
            )?;
            for r in &rows {
                writeln!(
                    out,
                    "  {:<14} {:<44} {:<30} {:<27} {:<27} {:>4}  {}",
                    terminal(&r.kind),
                    terminal(&r.scope),
                    terminal(&r.value),
                    zone.show(r.first_seen),
                    zone.show(r.last_seen),
                    r.days,
                    if before(r.first_seen) { "yes" } else { "no" }
                )?;
            }
        }
        InvestigateOutput::Jsonl => {
            let mut buf = Vec::new();
            for r in &rows {
                buf.clear();
                buf.extend_from_slice(b"{\"baseline\":{\"kind\":");
                write_str(&mut buf, &r.kind);
                buf.extend_from_slice(b",\"scope\":");
                write_str(&mut buf, &r.scope);
                buf.extend_from_slice(b",\"value\":");
                write_str(&mut buf, &r.value);
                buf.extend_from_slice(
                    format!(
                        ",\"first_seen\":\"{}\",\"last_seen\":\"{}\",\"days\":{},\"before_timeline\":{}}}}}\n",
                        r.first_seen,
                        r.last_seen,
                        r.days,
                        before(r.first_seen)
                    )
                    .as_bytes(),
                );
                out.write_all(&buf)?;
            }
        }
    }
    Ok(())
}
