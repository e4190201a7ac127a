//! The `tripline` binary: clap and dispatch only.

pub mod args;
mod baseline_cmd;
mod catalogue_cmd;
mod coverage_cmd;
mod demo_cmd;
mod investigate_cmd;
mod normalize_cmd;
mod progress_bar;
mod scan_cmd;

use anyhow::Result;
use args::{Cli, Command};
use clap::Parser;

/// Exit status (SPEC §1): 0 done, 1 `--fail-on` triggered, 2 usage or fatal error.
pub fn main() -> i32 {
    let cli = Cli::parse();
    // Interrupted (Ctrl-C, a scheduler's SIGTERM): the temporary files of sorting and
    // set-aside events go with the process; the store needs nothing, every commit is one
    // transaction. (kill -9 cannot be caught: the next run sweeps what it left.)
    let _ = ctrlc::set_handler(|| {
        crate::engine::scratch::remove_all();
        std::process::exit(130);
    });
    let code = match dispatch(cli) {
        Ok(code) => code,
        // A reader that stopped early (`| head`) is a normal end, not a failure: every
        // command writes stdout with `?`, and the broken pipe ends up here.
        Err(e) if is_broken_pipe(&e) => 0,
        Err(e) => {
            report(&e);
            2
        }
    };
    crate::engine::scratch::remove_all();
    code
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// The error on stderr, escaped: messages may quote file names and log text. A config
/// error lists its problems one per line, each escaped on its own.
fn report(e: &anyhow::Error) {
    let terminal = crate::output::escape::terminal;
    let config = e
        .chain()
        .find_map(|c| c.downcast_ref::<crate::config::ConfigErrors>());
    match config {
        Some(problems) => {
            let context: Vec<String> = e
                .chain()
                .take_while(|c| c.downcast_ref::<crate::config::ConfigErrors>().is_none())
                .map(|c| c.to_string())
                .collect();
            eprintln!("tripline: error: {}:", terminal(&context.join(": ")));
            eprint!("{}", problems.for_terminal());
        }
        None => eprintln!("tripline: error: {}", terminal(&format!("{e:#}"))),
    }
}

fn dispatch(cli: Cli) -> Result<i32> {
    match cli.command {
        Command::Normalize(a) => normalize_cmd::normalize(&a),
        Command::Scan(a) => scan_cmd::scan_cmd(&a),
        Command::Watch(_) => not_yet("watch", "streaming mode"),
        Command::Serve(_) => not_yet("serve", "NATS JetStream scale-out"),
        Command::Publish(_) => not_yet("publish", "NATS JetStream scale-out"),
        Command::Investigate(a) => investigate_cmd::investigate(&a),
        Command::Baseline(c) => baseline_cmd::baseline(c),
        Command::Rules(c) => catalogue_cmd::rules(c),
        Command::Coverage(a) => coverage_cmd::coverage(&a),
        Command::Config(c) => catalogue_cmd::config(c),
        Command::Demo(a) => demo_cmd::demo(a),
    }
}

fn not_yet(cmd: &str, feature: &str) -> Result<i32> {
    eprintln!("tripline: `{cmd}` is not implemented yet ({feature} lands in a later release); see README.md, \"Status\"");
    Ok(2)
}
