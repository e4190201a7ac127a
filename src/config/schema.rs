//! The fixed keys of the config file (SPEC §6), written down once. The loader rejects every key
//! not listed here, and `config default` prints every key listed here with its explanation, so
//! a key added for one is there for the other. `[rules.<id>]` keys are not listed: they are the
//! catalogue's parameters (`rules::catalogue`), which both sides read the same way.
//!
//! A key listed here that no check reads would be accepted and ignored; the test
//! `every_listed_key_is_checked` gives each one a value of the wrong type and expects a problem.

/// One `[table]` or `[[array of tables]]` of the config.
pub(super) struct Section {
    pub name: &'static str,
    /// Written `[[name]]`, any number of times.
    pub many: bool,
    /// Printed commented out by `config default`: the feature is off (or the list empty)
    /// unless the user writes the section, so its values are examples, not defaults.
    pub off_by_default: bool,
    /// Printed above the header.
    pub about: &'static str,
    pub keys: &'static [Key],
}

pub(super) struct Key {
    pub name: &'static str,
    /// As `config default` prints it (TOML): the default in a live section, an example in one
    /// that is off by default.
    pub value: &'static str,
    pub about: &'static str,
}

impl Section {
    pub fn key_names(&self) -> Vec<&'static str> {
        self.keys.iter().map(|k| k.name).collect()
    }
}

/// The `[rules]` table: one sub-table per catalogue id.
pub(super) const RULES: &str = "rules";

/// Every top-level key the loader accepts, in the order `config default` prints them.
pub(super) fn top_level() -> Vec<&'static str> {
    SECTIONS.iter().map(|s| s.name).chain([RULES]).collect()
}

pub(super) fn section(name: &str) -> &'static Section {
    SECTIONS
        .iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no config section {name}"))
}

pub(super) const SECTIONS: &[Section] = &[
    Section {
        name: "organisation",
        many: false,
        off_by_default: false,
        about: "",
        keys: &[
            Key {
                name: "bucket_prefixes",
                value: "[]",
                about: "Prefixes of your bucket names (lower case). bucket-enumeration counts \
                        403/404 answers to listing requests only for buckets whose names start \
                        with one of these.",
            },
            Key {
                name: "internal_cidrs",
                value: "[]",
                about: "Your own networks, as \"10.0.0.0/8\", \"2001:db8::/32\" or a bare \
                        address. external-object-read ignores object reads from these.",
            },
            Key {
                name: "automation_cidrs",
                value: "[]",
                about: "Networks where your CI/CD and scanners run. An alert whose identity is \
                        a known automation role (the built-in catalogue: Terraform, Wiz, ...) \
                        and whose every source address is inside one of these is suppressed; \
                        the user agent alone never suffices.",
            },
            Key {
                name: "regions",
                value: "[]",
                about: "Regions you use, such as \"eu-west-1\". unused-region-activity alerts on \
                        AWS activity anywhere else (instead of learning the set from history) \
                        unless [rules.unused-region-activity] regions is set.",
            },
            Key {
                name: "high_privilege",
                value: "[]",
                about: "Identity patterns of high-privilege principals, such as \"*admin*\" or \
                        \"arn:aws:iam::*:root\". A new access key for one of them escalates \
                        access-key-created.",
            },
        ],
    },
    Section {
        name: "working_hours",
        many: false,
        off_by_default: true,
        about: "Working hours: access-key-created escalates keys created outside them. Off \
                when absent.",
        keys: &[
            Key {
                name: "timezone",
                value: "\"Europe/London\"",
                about: "IANA time zone name: Area/Location, or UTC",
            },
            Key {
                name: "days",
                value: "[\"mon\", \"tue\", \"wed\", \"thu\", \"fri\"]",
                about: "mon .. sun; this list is the default",
            },
            Key {
                name: "start",
                value: "\"08:00\"",
                about: "HH:MM local time, inclusive",
            },
            Key {
                name: "end",
                value: "\"18:00\"",
                about: "HH:MM local time, exclusive, after start; \"24:00\" is midnight",
            },
        ],
    },
    Section {
        name: "state",
        many: false,
        off_by_default: false,
        about: "The baseline store (--state).",
        keys: &[Key {
            name: "retention",
            value: "\"30d\"",
            about: "baseline history kept, counted back from the newest event stored (not the \
                    clock)",
        }],
    },
    Section {
        name: "stream",
        many: false,
        off_by_default: false,
        about: "Streaming (watch, serve).",
        keys: &[Key {
            name: "lateness",
            value: "\"15m\"",
            about: "the watermark trails the newest event by this; later events count as late",
        }],
    },
    Section {
        name: "lists",
        many: false,
        off_by_default: true,
        about: "List files for enrichment. Relative paths are resolved against this file's \
                directory.",
        keys: &[
            Key {
                name: "tor_exits",
                value: "\"tor-exits.txt\"",
                about: "Tor exit addresses, one per line (anonymizer-signin)",
            },
            Key {
                name: "geoip",
                value: "\"GeoLite2-Country.mmdb\"",
                about: "MaxMind DB country database (new-source-signin countries)",
            },
            Key {
                name: "asn",
                value: "\"GeoLite2-ASN.mmdb\"",
                about: "MaxMind DB ASN database (new-source-signin ASNs)",
            },
        ],
    },
    Section {
        name: "suppress",
        many: true,
        off_by_default: true,
        about: "Suppressions, any number. An alert that matches every field given is kept but \
                marked `suppressed` with the reason (shown with --show-suppressed), never \
                dropped. Give a reason and at least one of identity, user_agent, source_cidr, \
                account.",
        keys: &[
            Key {
                name: "rule",
                value: "\"cloud-discovery-burst\"",
                about: "a rule id; all rules when absent",
            },
            Key {
                name: "identity",
                value: "\"arn:aws:iam::*:role/terraform-*\"",
                about: "identity glob, case-sensitive",
            },
            Key {
                name: "user_agent",
                value: "\"Terraform/*\"",
                about: "glob, case-insensitive; every contributing event must match",
            },
            Key {
                name: "source_cidr",
                value: "\"10.1.0.0/16\"",
                about: "network or address the activity came from",
            },
            Key {
                name: "account",
                value: "\"123456789012\"",
                about: "account, subscription or project glob",
            },
            Key {
                name: "reason",
                value: "\"nightly terraform plan\"",
                about: "required: shown on the suppressed alert",
            },
        ],
    },
];
