//! MITRE ATT&CK names and tactics for the technique ids the rule catalogue uses, for the
//! outputs that spell ATT&CK out (OCSF `finding_info.attacks[]`, the Navigator layer).
//!
//! Source: MITRE ATT&CK Enterprise v16 (<https://attack.mitre.org/techniques/enterprise/>),
//! each technique's page (`https://attack.mitre.org/techniques/T1078/004/` for `T1078.004`)
//! and the tactics list (<https://attack.mitre.org/tactics/enterprise/>). A technique may sit
//! under several tactics; all of them are listed, in the matrix's tactic order.
//!
//! A catalogue id missing here still prints (its id, no name, no tactic): the table is a
//! lookup, never a filter. `every_catalogue_technique_is_named` keeps it complete.

/// ATT&CK Enterprise version the names and tactics below were read from.
pub const ATTACK_VERSION: &str = "16";

/// A tactic: its id (`TA0007`) and name (`Discovery`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tactic {
    pub id: &'static str,
    pub name: &'static str,
}

const RECONNAISSANCE: Tactic = Tactic {
    id: "TA0043",
    name: "Reconnaissance",
};
const INITIAL_ACCESS: Tactic = Tactic {
    id: "TA0001",
    name: "Initial Access",
};
const PERSISTENCE: Tactic = Tactic {
    id: "TA0003",
    name: "Persistence",
};
const PRIVILEGE_ESCALATION: Tactic = Tactic {
    id: "TA0004",
    name: "Privilege Escalation",
};
const DEFENSE_EVASION: Tactic = Tactic {
    id: "TA0005",
    name: "Defense Evasion",
};
const CREDENTIAL_ACCESS: Tactic = Tactic {
    id: "TA0006",
    name: "Credential Access",
};
const DISCOVERY: Tactic = Tactic {
    id: "TA0007",
    name: "Discovery",
};
const COLLECTION: Tactic = Tactic {
    id: "TA0009",
    name: "Collection",
};
const COMMAND_AND_CONTROL: Tactic = Tactic {
    id: "TA0011",
    name: "Command and Control",
};

/// A technique or sub-technique as ATT&CK names it. Sub-techniques inherit their parent's
/// tactics, so tactics are listed on the parent only.
struct Entry {
    id: &'static str,
    name: &'static str,
    tactics: &'static [Tactic],
}

const TECHNIQUES: &[Entry] = &[
    Entry {
        id: "T1078",
        name: "Valid Accounts",
        tactics: &[
            INITIAL_ACCESS,
            PERSISTENCE,
            PRIVILEGE_ESCALATION,
            DEFENSE_EVASION,
        ],
    },
    Entry {
        id: "T1078.004",
        name: "Cloud Accounts",
        tactics: &[],
    },
    Entry {
        id: "T1087",
        name: "Account Discovery",
        tactics: &[DISCOVERY],
    },
    Entry {
        id: "T1087.004",
        name: "Cloud Account",
        tactics: &[],
    },
    Entry {
        id: "T1090",
        name: "Proxy",
        tactics: &[COMMAND_AND_CONTROL],
    },
    Entry {
        id: "T1090.003",
        name: "Multi-hop Proxy",
        tactics: &[],
    },
    Entry {
        id: "T1098",
        name: "Account Manipulation",
        tactics: &[PERSISTENCE, PRIVILEGE_ESCALATION],
    },
    Entry {
        id: "T1098.001",
        name: "Additional Cloud Credentials",
        tactics: &[],
    },
    Entry {
        id: "T1110",
        name: "Brute Force",
        tactics: &[CREDENTIAL_ACCESS],
    },
    Entry {
        id: "T1110.003",
        name: "Password Spraying",
        tactics: &[],
    },
    Entry {
        id: "T1110.004",
        name: "Credential Stuffing",
        tactics: &[],
    },
    Entry {
        id: "T1526",
        name: "Cloud Service Discovery",
        tactics: &[DISCOVERY],
    },
    Entry {
        id: "T1530",
        name: "Data from Cloud Storage",
        tactics: &[COLLECTION],
    },
    Entry {
        id: "T1535",
        name: "Unused/Unsupported Cloud Regions",
        tactics: &[DEFENSE_EVASION],
    },
    Entry {
        id: "T1580",
        name: "Cloud Infrastructure Discovery",
        tactics: &[DISCOVERY],
    },
    Entry {
        id: "T1589",
        name: "Gather Victim Identity Information",
        tactics: &[RECONNAISSANCE],
    },
    Entry {
        id: "T1589.002",
        name: "Email Addresses",
        tactics: &[],
    },
    Entry {
        id: "T1595",
        name: "Active Scanning",
        tactics: &[RECONNAISSANCE],
    },
    Entry {
        id: "T1595.003",
        name: "Wordlist Scanning",
        tactics: &[],
    },
    Entry {
        id: "T1619",
        name: "Cloud Storage Object Discovery",
        tactics: &[DISCOVERY],
    },
];

/// What the outputs need to know about one id of an alert's `attack` list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Technique {
    /// The technique (`T1078`), the parent when `id` is a sub-technique.
    pub technique_id: String,
    pub technique_name: Option<&'static str>,
    /// The sub-technique (`T1078.004`) and its name, when the id is one.
    pub sub_technique: Option<(String, Option<&'static str>)>,
    pub tactics: &'static [Tactic],
}

/// Looks up an id as the catalogue writes it (`T1580`, `T1078.004`).
pub fn technique(id: &str) -> Technique {
    let name = |id: &str| TECHNIQUES.iter().find(|e| e.id == id).map(|e| e.name);
    let parent = id.split_once('.').map_or(id, |(p, _)| p);
    let tactics = TECHNIQUES
        .iter()
        .find(|e| e.id == parent)
        .map_or(&[][..], |e| e.tactics);
    Technique {
        technique_id: parent.to_string(),
        technique_name: name(parent),
        sub_technique: (parent != id).then(|| (id.to_string(), name(id))),
        tactics,
    }
}

/// The ATT&CK page of a technique or sub-technique id (`T1078.004` → `.../T1078/004/`).
pub fn url(id: &str) -> String {
    format!(
        "https://attack.mitre.org/techniques/{}/",
        id.replace('.', "/")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sub_technique_takes_its_parents_name_and_tactics() {
        let t = technique("T1078.004");
        assert_eq!(t.technique_id, "T1078");
        assert_eq!(t.technique_name, Some("Valid Accounts"));
        assert_eq!(
            t.sub_technique,
            Some(("T1078.004".to_string(), Some("Cloud Accounts")))
        );
        assert_eq!(t.tactics.len(), 4);
        assert_eq!(t.tactics[0], INITIAL_ACCESS);
        assert_eq!(
            url("T1078.004"),
            "https://attack.mitre.org/techniques/T1078/004/"
        );
    }

    #[test]
    fn an_unknown_id_keeps_its_id_without_a_name() {
        let t = technique("T9999");
        assert_eq!(t.technique_id, "T9999");
        assert_eq!(t.technique_name, None);
        assert!(t.tactics.is_empty());
    }

    #[test]
    fn every_catalogue_technique_is_named() {
        for rule in crate::rules::catalogue::catalogue() {
            for id in &rule.attack {
                let t = technique(id);
                assert!(
                    t.technique_name.is_some(),
                    "{id} of {} has no name",
                    rule.id
                );
                assert!(!t.tactics.is_empty(), "{id} of {} has no tactic", rule.id);
                if let Some((_, name)) = &t.sub_technique {
                    assert!(
                        name.is_some(),
                        "{id} of {} has no sub-technique name",
                        rule.id
                    );
                }
            }
        }
    }
}
