//! Command-line interface definition: every subcommand and option of SPEC §1, with help
//! text written for the person at the terminal.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "tripline",
    version,
    about = "Detect cloud reconnaissance and initial access in AWS, Azure / Entra ID and GCP logs",
    long_about = "tripline reads the logs security teams already export (CloudTrail, Azure Activity, Entra ID \
sign-in and audit logs, GCP Cloud Audit Logs, S3 access logs, perimeter HTTP/WAF logs), normalizes them \
into one event model, and raises alerts for cloud enumeration, password spraying, bucket and tenant \
enumeration, sign-ins from new sources and access-key creation.\n\nFormats and gzip are detected from the \
content, never from file names. Folders are read recursively; `-` reads standard input.\n\nExit status: 0 \
done, 1 --fail-on triggered, 2 usage or fatal error (or, with --strict, any skipped record or unreadable file).",
    after_help = "Examples:\n  tripline scan AWSLogs/\n  tripline scan --output jsonl --rules cloud-discovery-burst trail.json.gz\n  \
zcat *.json.gz | tripline normalize -\n  tripline demo"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Batch scan: read files, folders (recursive) or `-` (stdin), run every enabled rule, print alerts.
    Scan(ScanArgs),
    /// Stream: follow growing files or stdin and print alerts as soon as their window allows.
    Watch(ScanArgs),
    /// Scale-out worker on NATS JetStream.
    Serve(ServeArgs),
    /// Print the normalized events as JSON lines (one per record; see README "Normalized event").
    Normalize(NormalizeArgs),
    /// Timeline of one identity: what it read, what it changed, from where.
    Investigate(InvestigateArgs),
    /// Prime, inspect and age the baseline store without alerting.
    #[command(subcommand)]
    Baseline(BaselineCommand),
    /// The rule catalogue.
    #[command(subcommand)]
    Rules(RulesCommand),
    /// What the logs can and cannot show: sources, accounts, regions, and blind spots.
    Coverage(CoverageArgs),
    /// Validate a configuration file, or print the annotated default.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Read, normalize and publish events to the JetStream stream that `serve` workers consume.
    Publish(PublishArgs),
    /// Generate a realistic multi-cloud data set with planted attacks, and scan it.
    Demo(DemoArgs),
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Table,
    Jsonl,
    Json,
    Ocsf,
    Csv,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, ValueEnum)]
pub enum Severity {
    Low,
    Medium,
    High,
    Critical,
}

impl From<Severity> for crate::event::Severity {
    fn from(s: Severity) -> Self {
        match s {
            Severity::Low => crate::event::Severity::Low,
            Severity::Medium => crate::event::Severity::Medium,
            Severity::High => crate::event::Severity::High,
            Severity::Critical => crate::event::Severity::Critical,
        }
    }
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum Progress {
    Auto,
    Always,
    Never,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    Auto,
    Cloudtrail,
    AzureActivity,
    EntraSignin,
    EntraAudit,
    GcpAudit,
    S3Access,
    HttpAccess,
}

impl FormatArg {
    pub fn log_format(self) -> Option<crate::event::LogFormat> {
        use crate::event::LogFormat as F;
        match self {
            FormatArg::Auto => None,
            FormatArg::Cloudtrail => Some(F::CloudTrail),
            FormatArg::AzureActivity => Some(F::AzureActivity),
            FormatArg::EntraSignin => Some(F::EntraSignin),
            FormatArg::EntraAudit => Some(F::EntraAudit),
            FormatArg::GcpAudit => Some(F::GcpAudit),
            FormatArg::S3Access => Some(F::S3Access),
            FormatArg::HttpAccess => Some(F::HttpAccess),
        }
    }
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum CsvDateOrder {
    Auto,
    /// Day first: 21/04/2025.
    Dmy,
    /// Month first: 4/21/2025.
    Mdy,
}

impl CsvDateOrder {
    pub fn forced(self) -> Option<crate::event::time::DateOrder> {
        match self {
            CsvDateOrder::Auto => None,
            CsvDateOrder::Dmy => Some(crate::event::time::DateOrder::Dmy),
            CsvDateOrder::Mdy => Some(crate::event::time::DateOrder::Mdy),
        }
    }
}

/// Options shared by everything that reads logs.
#[derive(Args, Debug, Clone)]
pub struct ReadArgs {
    /// Input format; `auto` detects it per file and per record.
    #[arg(long, value_enum, default_value = "auto")]
    pub format: FormatArg,
    /// Records larger than this many bytes are reported and skipped without being held in memory.
    #[arg(long, default_value_t = crate::input::DEFAULT_MAX_RECORD, value_name = "BYTES")]
    pub max_record_size: usize,
    /// Worker threads, for the scan and the steps after it (0 = one per core).
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// Day/month order of zone-less dates in CSV exports (`21/04/2025, 09:45`): `auto`
    /// decides per file from its first 10,000 rows; rows that contradict it are bad records.
    #[arg(long, value_enum, default_value = "auto", value_name = "ORDER")]
    pub csv_date_order: CsvDateOrder,
    /// Exit with status 2 if any record was skipped or any file could not be read.
    #[arg(long)]
    pub strict: bool,
    /// Print nothing on stderr but errors.
    #[arg(long, short)]
    pub quiet: bool,
    /// Progress bar on stderr (bytes and ETA, events/s, files done of found): `auto` on a
    /// terminal once a scan has run a second, `always` on a terminal from the start,
    /// `never`. Nothing is drawn when stderr is not a terminal.
    #[arg(long, value_enum, default_value = "auto")]
    pub progress: Progress,
}

#[derive(Args, Debug, Clone)]
pub struct NormalizeArgs {
    /// Files, folders (read recursively) or `-` for standard input.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<String>,
    #[command(flatten)]
    pub read: ReadArgs,
}

#[derive(Args, Debug, Clone)]
pub struct ScanArgs {
    /// Files, folders (read recursively) or `-` for standard input.
    #[arg(value_name = "PATH")]
    pub paths: Vec<String>,
    #[command(flatten)]
    pub read: ReadArgs,
    /// Configuration file (TOML): thresholds, organisation, working hours, suppressions.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Baseline store (SQLite file); `:memory:` leaves nothing behind.
    #[arg(long, value_name = "FILE")]
    pub state: Option<String>,
    /// How alerts are printed: `table` for a person; `jsonl` / `json` (tripline's alert
    /// schema); `ocsf`, OCSF 1.1.0 Detection Findings one per line; `csv`, one alert a row
    /// under a fixed header (README, "Output formats").
    #[arg(long, value_enum, default_value = "table")]
    pub output: OutputFormat,
    /// Show the times of the table and of the HTML report (`--report`) in this IANA time
    /// zone (`Europe/London`) instead of UTC. JSON, OCSF and CSV stay UTC.
    #[arg(long, value_name = "IANA", default_value = "UTC")]
    pub timezone: String,
    /// Also write an ATT&CK Navigator layer (format 4.5) of the techniques that fired:
    /// score = alerts, comment = the rules.
    #[arg(long, value_name = "FILE.json")]
    pub navigator: Option<PathBuf>,
    /// Also write the scan as one self-contained HTML page: summary, incidents with their
    /// timelines, alerts with evidence, activity and next steps, filters. It loads nothing
    /// from any network and escapes every log value (README, "The HTML report").
    #[arg(long, value_name = "FILE.html")]
    pub report: Option<PathBuf>,
    /// Run only these rules (comma-separated ids).
    #[arg(long, value_delimiter = ',', value_name = "ID,...")]
    pub rules: Vec<String>,
    /// Do not run these rules (comma-separated ids).
    #[arg(long, value_delimiter = ',', value_name = "ID,...")]
    pub disable: Vec<String>,
    /// Only events at or after this time: RFC 3339, or a duration (`2h`) back from the newest event.
    #[arg(long, value_name = "TIME|DURATION")]
    pub since: Option<String>,
    /// Only events before this time: RFC 3339, or a duration back from the newest event.
    #[arg(long, value_name = "TIME|DURATION")]
    pub until: Option<String>,
    /// Print only alerts whose id the store has not recorded as emitted before.
    #[arg(long)]
    pub new_only: bool,
    /// Also print alerts that a suppression matched (marked `suppressed` with the reason).
    #[arg(long)]
    pub show_suppressed: bool,
    /// Write incidents instead of alerts, highest risk first: alerts grouped by actor and
    /// chained in time, with their combined risk, the reasons for it, stages and a one-line
    /// story (README, "Incidents"). JSON lines for `jsonl` and `json`; incident headers for
    /// `table`.
    #[arg(long)]
    pub incidents: bool,
    /// Table: print every row on one line with every value in full, whatever the terminal
    /// width (by default the table fits `COLUMNS` or the terminal by wrapping).
    #[arg(long)]
    pub wide: bool,
    /// Exit with status 1 when an alert at or above this severity fires.
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub fail_on: Option<Severity>,
    /// Events held in memory for event-time ordering before sorted runs spill to temporary
    /// files (in `$TMPDIR`, removed at exit, on Ctrl-C / SIGTERM, or by the next run after a
    /// kill -9).
    #[arg(long, value_name = "EVENTS", default_value_t = crate::engine::order::DEFAULT_RUN_EVENTS)]
    pub sort_budget: usize,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum CoverageOutput {
    Table,
    Json,
}

/// `coverage`: what the input's logs can and cannot show.
#[derive(Args, Debug)]
#[command(
    long_about = "What the logs can and cannot show. Reads the inputs as `scan` does and reports, per \
provider, the accounts / subscriptions / tenants / projects, regions and logs present (CloudTrail \
management and data events, GCP Admin Activity and Data Access, Entra interactive and \
non-interactive sign-ins...), each with its event count and first and last time; then the blind \
spots, each with the rules it silences (from the rule catalogue's `sources`): AWS regions in \
`[organisation] regions` (else every AWS region seen in any log) where an account has no \
CloudTrail while it has it elsewhere, GCP projects without Data Access logs for Cloud Storage, \
and logs a rule reads that are absent (Entra sign-ins, perimeter logs for GetCredentialType, S3 \
access logs, CloudTrail data events...); and what no log here can show.\n\nExit status: 0 \
done, 2 a named path that cannot be read (or, with --strict, any skipped record).",
    after_help = "Examples:\n  tripline coverage AWSLogs/ gcp-audit.json signins.json\n  \
tripline coverage --config tripline.toml --output json logs/ | jq .blind_spots"
)]
pub struct CoverageArgs {
    /// Files, folders (read recursively) or `-` for standard input.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<String>,
    #[command(flatten)]
    pub read: ReadArgs,
    /// Configuration file (TOML): `[organisation] regions` are the AWS regions CloudTrail is
    /// expected in.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// `table` for a person; `json`, one JSON object.
    #[arg(long, value_enum, default_value = "table")]
    pub output: CoverageOutput,
}

#[derive(Args, Debug)]
pub struct ServeArgs {
    /// NATS server URL(s).
    #[arg(long, required = true)]
    pub nats: String,
    #[command(flatten)]
    pub scan: ScanArgs,
}

#[derive(Args, Debug)]
pub struct PublishArgs {
    #[arg(long, required = true)]
    pub nats: String,
    #[command(flatten)]
    pub input: NormalizeArgs,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum InvestigateOutput {
    Table,
    Jsonl,
}

/// `investigate`: one actor's timeline.
#[derive(Args, Debug)]
#[command(
    group(clap::ArgGroup::new("target").required(true).args(["identity", "key", "source_ip"])),
    after_help = "Examples:\n  tripline investigate --identity arn:aws:iam::123456789012:user/alice AWSLogs/\n  \
tripline investigate --key AKIAIOSFODNN7EXAMPLE --from 2024-05-06T00:00:00Z trail.json.gz\n  \
tripline investigate --source-ip 203.0.113.7 --output jsonl logs/ | jq .event.action\n  \
tripline investigate --identity Alice@Contoso.com --state tripline.db signins/"
)]
pub struct InvestigateArgs {
    /// The identity to follow: an ARN (an assumed-role session or role gathers every session
    /// of the role; an SSO permission-set session is the person), a UPN or an e-mail
    /// (compared case-folded).
    #[arg(long, value_name = "ID")]
    pub identity: Option<String>,
    /// An access key id: the calls it signed and the call that created it.
    #[arg(long, value_name = "KEYID")]
    pub key: Option<String>,
    /// A source address, as logged.
    #[arg(long, value_name = "IP")]
    pub source_ip: Option<String>,
    /// Only events at or after this time (RFC 3339).
    #[arg(long, value_name = "TIME")]
    pub from: Option<String>,
    /// Only events before this time (RFC 3339).
    #[arg(long, value_name = "TIME")]
    pub to: Option<String>,
    /// `table`: the groups by source and session, then every event (times RFC 3339, UTC or
    /// `--timezone`, log values escaped); `jsonl`: one object per event (always UTC).
    #[arg(long, value_enum, default_value = "table")]
    pub output: InvestigateOutput,
    /// Show the table's times in this IANA time zone (`Europe/London`) instead of UTC, the
    /// zone named on the first line. `--output jsonl` stays UTC.
    #[arg(long, value_name = "IANA", default_value = "UTC")]
    pub timezone: String,
    /// Baseline store: also print what it knew about the actor before the timeline (first
    /// and last seen, per kind of history).
    #[arg(long, value_name = "FILE")]
    pub state: Option<String>,
    #[command(flatten)]
    pub input: NormalizeArgs,
}

#[derive(Subcommand, Debug)]
pub enum BaselineCommand {
    /// Prime the store from historical logs without alerting.
    Learn(ScanArgs),
    /// Print what the store knows (optionally for one identity).
    Show {
        #[arg(long)]
        state: Option<String>,
        #[arg(long)]
        identity: Option<String>,
    },
    /// Apply retention (`[state] retention` in the config, default 30 days), counted from the
    /// newest event stored, not the wall clock.
    Prune {
        #[arg(long)]
        state: Option<String>,
        #[arg(long)]
        config: Option<PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
pub enum RulesCommand {
    /// List every rule with its ATT&CK ids and default severity.
    List {
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// One rule's definition, thresholds and lists.
    Show {
        id: String,
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Run the rules' own example cases: every catalogue entry's true positives (which must
    /// raise the alert they describe) and true negatives (which must raise none), through the
    /// real engine.
    ///
    /// Each rule is reported PASS or FAIL; a failing example is named with what differed
    /// (expected against got). Exit status: 0 all passed, 1 an example failed, 2 an unknown
    /// rule id or an invalid configuration.
    #[command(
        after_help = "Examples:\n  tripline rules test\n  tripline rules test password-spray bucket-enumeration\n  \
tripline rules test --config tripline.toml    # do my thresholds still catch them?"
    )]
    Test {
        /// Rule ids to test (all rules when none is given).
        #[arg(value_name = "ID")]
        ids: Vec<String>,
        /// Run the examples on this configuration (thresholds, organisation facts, lists)
        /// instead of the defaults; each example's own settings still apply on top.
        #[arg(long)]
        config: Option<PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
pub enum ConfigCommand {
    /// Validate a configuration file; every problem is listed with its line.
    Check { file: PathBuf },
    /// Print the annotated default configuration.
    Default,
}

#[derive(Args, Debug)]
pub struct DemoArgs {
    /// Background records to generate over all sources (the planted attacks come on top).
    /// 10,000,000 writes about 13 GB.
    #[arg(long, default_value_t = 100_000, value_name = "N")]
    pub events: u64,
    /// Random seed: the same seed and events write the same files, byte for byte.
    #[arg(long, default_value_t = 1, value_name = "S")]
    pub seed: u64,
    /// Where to write the data set, its `tripline.toml` and `tor-exits.txt`.
    #[arg(long, default_value = "tripline-demo", value_name = "DIR")]
    pub out: PathBuf,
    /// Only write the data set (the benchmark generator); do not scan it.
    #[arg(long)]
    pub no_scan: bool,
    /// Scan options, as for `tripline scan` (the PATH is DIR; `--config` defaults to
    /// DIR/tripline.toml and `--state` to `:memory:`).
    #[command(flatten)]
    pub scan: ScanArgs,
}
