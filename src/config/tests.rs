use super::*;

/// The example from SPEC §6, verbatim.
const SPEC_EXAMPLE: &str = r#"[organisation]
bucket_prefixes = ["acme"]            # bucket-enumeration
internal_cidrs  = ["10.0.0.0/8"]      # external-object-read
high_privilege  = ["*admin*", "arn:aws:iam::*:root"]

[working_hours]                       # access-key-created escalation
timezone = "Europe/London"            # IANA name
days  = ["mon", "tue", "wed", "thu", "fri"]
start = "08:00"
end   = "18:00"

[rules.password-spray]                # one table per rule id: its thresholds and windows
min_failures = 6
min_accounts = 4
window = "10m"

[[suppress]]                          # any number; all given fields must match
rule = "cloud-discovery-burst"        # optional: all rules when absent
identity = "arn:aws:iam::*:role/terraform-*"
user_agent = "Terraform/*"
source_cidr = "10.1.0.0/16"
reason = "nightly terraform plan"
"#;

fn problems(text: &str) -> Vec<(Option<usize>, String)> {
    match parse(text, "t.toml") {
        Ok(_) => Vec::new(),
        Err(e) => e.errors.into_iter().map(|e| (e.line, e.message)).collect(),
    }
}

/// Asserts exactly one problem, on `line`, whose message contains `needle`.
fn one_problem(text: &str, line: usize, needle: &str) {
    let p = problems(text);
    assert_eq!(p.len(), 1, "expected one problem, got {p:#?}");
    assert_eq!(p[0].0, Some(line), "{p:#?}");
    assert!(
        p[0].1.contains(needle),
        "{:?} does not mention {needle:?}",
        p[0].1
    );
}

#[test]
fn spec_example_loads() {
    let cfg = parse(SPEC_EXAMPLE, "spec.toml").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(cfg.organisation.bucket_prefixes, ["acme"]);
    assert_eq!(
        cfg.organisation.internal_cidrs,
        [Cidr::parse("10.0.0.0/8").unwrap()]
    );
    assert!(cfg.is_internal(&"10.9.8.7".parse().unwrap()));
    assert!(cfg.is_high_privilege("arn:aws:iam::123456789012:root"));
    assert!(cfg.is_high_privilege("arn:aws:iam::1:user/sysadmin"));
    assert!(!cfg.is_high_privilege("arn:aws:iam::1:user/alice"));

    let wh = cfg.working_hours.as_ref().unwrap();
    assert_eq!(wh.timezone, "Europe/London");
    assert_eq!(wh.days, Weekday::ALL[..5]);
    assert_eq!((wh.start, wh.end), ((8, 0), (18, 0)));

    let spray = crate::rules::catalogue::spec("password-spray").unwrap();
    let params = cfg.params(&spray);
    assert_eq!(params.int("min_failures"), 6);
    assert_eq!(params.duration("window"), Duration::minutes(10));
    assert_eq!(
        params.int("spray_median_max"),
        2,
        "keys not overridden keep the catalogue default"
    );

    assert_eq!(cfg.suppress.len(), 1);
    let s = &cfg.suppress[0];
    assert_eq!(s.rule.as_deref(), Some("cloud-discovery-burst"));
    assert!(s.applies_to_rule("cloud-discovery-burst") && !s.applies_to_rule("password-spray"));
    assert_eq!(
        s.identity.as_deref(),
        Some("arn:aws:iam::*:role/terraform-*")
    );
    assert_eq!(s.user_agent.as_deref(), Some("Terraform/*"));
    assert_eq!(s.source_cidr, Some(Cidr::parse("10.1.0.0/16").unwrap()));
    assert_eq!(s.account, None);
    assert_eq!(s.reason, "nightly terraform plan");
    assert_eq!(cfg.lists, Lists::default());
    assert_eq!(cfg.state, StateSettings::default());
}

#[test]
fn empty_file_is_the_default() {
    assert_eq!(parse("", "t.toml").unwrap(), Config::default());
    assert_eq!(
        parse("# only a comment\n", "t.toml").unwrap(),
        Config::default()
    );
    let d = Config::default();
    assert!(d.working_hours.is_none() && d.suppress.is_empty() && d.rules.is_empty());
    assert_eq!(d.state.retention, Duration::parse("30d").unwrap());
    assert_eq!(d.stream.lateness, Duration::minutes(15));
}

#[test]
fn every_problem_is_reported_with_its_line() {
    let text = r#"# three problems, each on its own line
title = "acme tuning"

[organisation]
bucket_prefixes = ["acme"]

[rules.password-spray]
min_failures = 6
window = "10 minutes"

[rules.password-spary]
window = "10m"
"#;
    let err = parse(text, "bad.toml").unwrap_err();
    assert_eq!(err.len(), 3, "{err}");
    let lines: Vec<Option<usize>> = err.iter().map(|e| e.line).collect();
    assert_eq!(lines, [Some(2), Some(9), Some(11)], "{err}");
    let shown = err.to_string();
    let shown: Vec<&str> = shown.lines().collect();
    assert_eq!(shown.len(), 3);
    assert!(
        shown[0].starts_with("bad.toml:2: unknown key `title` in the top level"),
        "{}",
        shown[0]
    );
    assert!(
        shown[1].starts_with("bad.toml:9: `window` of rule password-spray: invalid duration"),
        "{}",
        shown[1]
    );
    assert!(
        shown[2].starts_with("bad.toml:11: unknown rule id `password-spary`"),
        "{}",
        shown[2]
    );
    assert!(
        shown[2].contains("did you mean `password-spray`"),
        "{}",
        shown[2]
    );
}

#[test]
fn unknown_top_level_tables_and_keys() {
    let err = parse("title = \"x\"\n[organisation]\nbucket_prefixes = []\n\n[alerts]\nx = 1\n[[hooks]]\ny = 2\n", "t.toml").unwrap_err();
    let lines: Vec<_> = err
        .iter()
        .map(|e| (e.line, e.message.split(';').next().unwrap().to_string()))
        .collect();
    assert_eq!(
        lines,
        [
            (Some(1), "unknown key `title` in the top level".to_string()),
            (Some(5), "unknown key `alerts` in the top level".to_string()),
            (Some(7), "unknown key `hooks` in the top level".to_string()),
        ]
    );
    one_problem(
        "[organisation]\nbucket_prefix = [\"acme\"]\n",
        2,
        "did you mean `bucket_prefixes`",
    );
    one_problem(
        "[organisation]\n[organisation.extra]\na = 1\n",
        2,
        "unknown key `extra` in [organisation]",
    );
    one_problem(
        "[state]\nretention = \"30d\"\nlateness = \"1m\"\n",
        3,
        "unknown key `lateness` in [state]",
    );
}

#[test]
fn syntax_errors_report_their_line() {
    let err = parse("[organisation]\nbucket_prefixes = [\"acme\"]\ninternal_cidrs = [\"10.0.0.0/8\"\n\n[state]\n", "t.toml").unwrap_err();
    assert_eq!(err.len(), 1);
    let line = err.errors[0].line.unwrap();
    assert!((3..=5).contains(&line), "{err}");
    assert!(
        err.to_string()
            .starts_with(&format!("t.toml:{line}: invalid TOML")),
        "{err}"
    );

    let err = parse("a = 1\nb = = 2\n", "t.toml").unwrap_err();
    assert_eq!(err.errors[0].line, Some(2), "{err}");
    assert!(
        !err.to_string().contains('\n'),
        "one line per problem: {err}"
    );

    let err = parse(
        "[organisation]\nbucket_prefixes = []\nbucket_prefixes = []\n",
        "t.toml",
    )
    .unwrap_err();
    assert_eq!(
        err.errors[0].line,
        Some(3),
        "a duplicate key is a syntax error: {err}"
    );
}

#[test]
fn organisation_values_are_checked() {
    one_problem(
        "[organisation]\ninternal_cidrs = [\"10.0.0.0/8\", \"10.1.2.3/8\"]\n",
        2,
        "did you mean 10.0.0.0/8",
    );
    one_problem(
        "[organisation]\ninternal_cidrs = \"10.0.0.0/8\"\n",
        2,
        "must be a list of strings",
    );
    one_problem(
        "[organisation]\nbucket_prefixes = [\"Acme\"]\n",
        2,
        "lower case",
    );
    one_problem("organisation = 3\n", 1, "must be a table");
    let cfg = parse(
        "organisation.internal_cidrs = [\"192.0.2.1\", \"2001:db8::/32\"]\n",
        "t.toml",
    )
    .unwrap();
    assert!(cfg.is_internal(&"2001:db8::5".parse().unwrap()));
    assert!(!cfg.is_internal(&"192.0.2.2".parse().unwrap()));
}

#[test]
fn working_hours_are_checked() {
    let base = |tz: &str, days: &str, start: &str, end: &str| {
        format!("[working_hours]\ntimezone = \"{tz}\"\ndays = {days}\nstart = \"{start}\"\nend = \"{end}\"\n")
    };
    assert!(parse(&base("UTC", "[\"sat\", \"sun\"]", "00:00", "24:00"), "t").is_ok());
    one_problem(&base("London", "[\"mon\"]", "08:00", "18:00"), 2, "IANA");
    one_problem(
        &base("UTC", "[\"monday\"]", "08:00", "18:00"),
        3,
        "not a day",
    );
    one_problem(
        &base("UTC", "[\"mon\", \"mon\"]", "08:00", "18:00"),
        3,
        "twice",
    );
    one_problem(&base("UTC", "[]", "08:00", "18:00"), 3, "empty");
    one_problem(&base("UTC", "[\"mon\"]", "8am", "18:00"), 4, "HH:MM");
    one_problem(
        &base("UTC", "[\"mon\"]", "18:00", "08:00"),
        5,
        "after `start`",
    );
    one_problem(
        &base("UTC", "[\"mon\"]", "08:00", "08:00"),
        5,
        "after `start`",
    );
    // Several problems in one table are all reported.
    assert_eq!(problems(&base("utc", "[\"x\"]", "25:00", "99:99")).len(), 4);

    let cfg = parse(
        "[working_hours]\ntimezone = \"America/New_York\"\nstart = \"09:30\"\nend = \"17:00\"\n",
        "t",
    )
    .unwrap();
    assert_eq!(
        cfg.working_hours.unwrap().days,
        Weekday::ALL[..5],
        "days default to mon-fri"
    );
    one_problem(
        "[working_hours]\ntimezone = \"UTC\"\nstart = \"09:00\"\n",
        1,
        "missing `end`",
    );
}

#[test]
fn rule_overrides_are_checked() {
    one_problem(
        "[rules.password-spray]\nmin_failures = 6\nnope = 1\n",
        3,
        "unknown key `nope`",
    );
    one_problem(
        "[rules.password-spray]\nmin_accounts = \"4\"\n",
        2,
        "non-negative integer",
    );
    one_problem("[rules]\npassword-spray = 5\n", 2, "must be a table");
    one_problem(
        "[rules.no-such-rule]\n",
        1,
        "unknown rule id `no-such-rule`",
    );
    one_problem("rules.password-spray.window = \"1y\"\n", 1, "unit must be");
    let cfg = parse("[rules.\"bucket-enumeration\"]\nmin_responses = 3\n", "t").unwrap();
    assert_eq!(
        cfg.rules["bucket-enumeration"]["min_responses"].as_integer(),
        Some(3)
    );
}

#[test]
fn suppressions_are_checked() {
    let ok = "[[suppress]]\naccount = \"123456789012\"\nreason = \"sandbox\"\n[[suppress]]\nuser_agent = \"*Wiz*\"\nreason = \"CSPM\"\n";
    let cfg = parse(ok, "t").unwrap();
    assert_eq!(cfg.suppress.len(), 2);
    assert!(cfg.suppress[1].applies_to_rule("anything"));

    // Line numbers point into the right entry.
    let text = "[[suppress]]\nidentity = \"a\"\nreason = \"x\"\n\n[[suppress]]\nidentity = \"b\"\nsource_cidr = \"10.0.0.0/33\"\nreason = \"y\"\n";
    one_problem(text, 7, "prefix length");
    one_problem("[[suppress]]\nidentity = \"a\"\n", 1, "missing `reason`");
    one_problem(
        "[[suppress]]\nrule = \"password-spray\"\nreason = \"x\"\n",
        1,
        "at least one of",
    );
    one_problem(
        "[[suppress]]\nrule = \"pasword-spray\"\nidentity = \"a\"\nreason = \"x\"\n",
        2,
        "did you mean `password-spray`",
    );
    one_problem(
        "[[suppress]]\nidentity = \"a\"\nreason = \"x\"\nuser = \"b\"\n",
        4,
        "unknown key `user`",
    );
    one_problem(
        "[[suppress]]\nidentity = \"\"\nuser_agent = \"x\"\nreason = \"x\"\n",
        2,
        "empty",
    );
    one_problem(
        "[suppress]\nidentity = \"a\"\nreason = \"x\"\n",
        1,
        "[[suppress]]",
    );
    one_problem(
        "[[suppress]]\nidentity = \"a\"\nreason = \" \"\n",
        3,
        "`reason` is empty",
    );
}

#[test]
fn state_and_stream_durations() {
    let cfg = parse(
        "[state]\nretention = \"90d\"\n[stream]\nlateness = \"0s\"\n",
        "t",
    )
    .unwrap();
    assert_eq!(cfg.state.retention, Duration::parse("90d").unwrap());
    assert_eq!(cfg.stream.lateness, Duration(0));
    one_problem("[state]\nretention = \"30 days\"\n", 2, "retention");
    one_problem("[stream]\nlateness = 15\n", 2, "must be a string");
    one_problem("[state]\nretention = \"0d\"\n", 2, "longer than 0s");
}

#[test]
fn lists_resolve_against_the_config_directory() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("tor.txt"), "198.51.100.1\n").unwrap();
    let cfg_path = dir.path().join("tripline.toml");
    std::fs::write(&cfg_path, "[lists]\ntor_exits = \"tor.txt\"\n").unwrap();
    let cfg = load(&cfg_path).unwrap();
    assert_eq!(cfg.lists.tor_exits, Some(dir.path().join("tor.txt")));

    std::fs::write(
        &cfg_path,
        "[lists]\ntor_exits = \"tor.txt\"\ngeoip = \"missing.mmdb\"\ncountry = \"x\"\n",
    )
    .unwrap();
    let err = load(&cfg_path).unwrap_err();
    let lines: Vec<_> = err.iter().map(|e| e.line).collect();
    assert_eq!(lines, [Some(3), Some(4)], "{err}");
    assert!(
        err.to_string()
            .starts_with(&format!("{}:3: `geoip`: no such file", cfg_path.display())),
        "{err}"
    );

    // `parse` does not touch the file system.
    let cfg = parse(
        "[lists]\ngeoip = \"GeoLite2-Country.mmdb\"\nasn = \"a.mmdb\"\n",
        "t",
    )
    .unwrap();
    assert_eq!(
        cfg.lists.geoip_country,
        Some(PathBuf::from("GeoLite2-Country.mmdb"))
    );
    assert_eq!(cfg.lists.geoip_asn, Some(PathBuf::from("a.mmdb")));

    let err = load(dir.path().join("absent.toml")).unwrap_err();
    assert_eq!(err.errors[0].line, None);
    assert!(err.to_string().contains("cannot read"), "{err}");
}

/// Removes `# ` from every commented block whose header line starts with `prefix`, up to the
/// next blank line, as a user enabling those tables would.
fn uncomment_blocks(text: &str, prefix: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for line in text.lines() {
        if line.starts_with(prefix) {
            inside = true;
        } else if line.trim().is_empty() {
            inside = false;
        }
        let line = if inside {
            line.strip_prefix("# ")
                .unwrap_or_else(|| panic!("not commented: {line:?}"))
        } else {
            line
        };
        out.push_str(line);
        out.push('\n');
    }
    out
}

#[test]
fn annotated_default_loads_as_printed_and_uncommented() {
    let text = default_annotated();
    assert_eq!(
        parse(&text, "default.toml").unwrap_or_else(|e| panic!("{e}")),
        Config::default()
    );

    let rules = uncomment_blocks(&text, "# [rules.");
    let cfg = parse(&rules, "default.toml").unwrap_or_else(|e| panic!("{e}\n{rules}"));
    let all = crate::rules::catalogue::catalogue();
    assert_eq!(cfg.rules.len(), all.len(), "every rule has a block");
    for spec in &all {
        assert_eq!(
            cfg.rules[&spec.id], spec.params,
            "{}: the block lists every default",
            spec.id
        );
    }

    // The other commented examples are valid too.
    let everything = uncomment_blocks(&text, "# [");
    let cfg = parse(&everything, "default.toml").unwrap_or_else(|e| panic!("{e}\n{everything}"));
    assert!(cfg.working_hours.is_some());
    assert_eq!(cfg.suppress.len(), 1);
    assert!(
        cfg.lists.tor_exits.is_some()
            && cfg.lists.geoip_country.is_some()
            && cfg.lists.geoip_asn.is_some()
    );
}

#[test]
fn annotated_default_explains_every_key() {
    let text = default_annotated();
    for key in [
        "bucket_prefixes",
        "internal_cidrs",
        "high_privilege",
        "timezone",
        "days",
        "start",
        "end",
        "retention",
        "lateness",
        "tor_exits",
        "geoip",
        "asn",
        "rule",
        "identity",
        "user_agent",
        "source_cidr",
        "account",
        "reason",
    ] {
        let line = text
            .lines()
            .find(|l| l.trim_start_matches("# ").starts_with(&format!("{key} =")))
            .unwrap_or_else(|| panic!("{key} is not in the default"));
        let explained = line.contains("   # ") || {
            let i = text.lines().position(|l| l == line).unwrap();
            text.lines()
                .nth(i - 1)
                .is_some_and(|prev| prev.starts_with("# ") && !prev.contains(" = "))
        };
        assert!(explained, "{key} has no explanation: {line}");
    }
    for l in text.lines() {
        assert!(l.chars().count() <= 120, "line too long: {l}");
    }
}

/// Issue 11: `[organisation] automation_cidrs` and `regions` (SPEC §6) are accepted and
/// checked, each problem with its line.
#[test]
fn automation_cidrs_and_regions_are_checked() {
    let ok = "[organisation]\nautomation_cidrs = [\"10.20.0.0/16\", \"2001:db8::/32\"]\nregions = [\"eu-west-1\", \"US-East-1\"]\n";
    let cfg = parse(ok, "t").unwrap();
    assert_eq!(cfg.organisation.automation_cidrs.len(), 2);
    assert_eq!(cfg.organisation.regions, ["eu-west-1", "us-east-1"]);
    one_problem(
        "[organisation]\nregions = [\"eu-west-1\"]\nautomation_cidrs = [\"10.20.0.1/16\"]\n",
        3,
        "host bits",
    );
    one_problem(
        "[organisation]\n\nregions = [\"eu-west-1\", \"eu west 2\"]\n",
        3,
        "not a region name",
    );
    one_problem("[organisation]\nregions = [\"\"]\n", 2, "not a region name");
}
