//! The attack stage a rule's alerts stand for (SPEC §4): each catalogue entry names one, and
//! incidents count the distinct stages among their alerts (+10 risk per further stage) and
//! tell them in their story. The names follow the ATT&CK tactics the rules' techniques sit
//! under, spelled as SPEC §4 spells them.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Stage {
    Reconnaissance,
    CredentialAccess,
    InitialAccess,
    Discovery,
    Persistence,
    DefenceEvasion,
    Collection,
}

impl Stage {
    /// The catalogue and JSON spelling (`credential-access`).
    pub fn id(self) -> &'static str {
        match self {
            Stage::Reconnaissance => "reconnaissance",
            Stage::CredentialAccess => "credential-access",
            Stage::InitialAccess => "initial-access",
            Stage::Discovery => "discovery",
            Stage::Persistence => "persistence",
            Stage::DefenceEvasion => "defence-evasion",
            Stage::Collection => "collection",
        }
    }

    /// As a person reads it (`credential access`): the table, the story, `rules show`.
    pub fn label(self) -> &'static str {
        match self {
            Stage::Reconnaissance => "reconnaissance",
            Stage::CredentialAccess => "credential access",
            Stage::InitialAccess => "initial access",
            Stage::Discovery => "discovery",
            Stage::Persistence => "persistence",
            Stage::DefenceEvasion => "defence evasion",
            Stage::Collection => "collection",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Stage;

    #[test]
    fn catalogue_spelling_round_trips() {
        for s in [
            Stage::Reconnaissance,
            Stage::CredentialAccess,
            Stage::InitialAccess,
            Stage::Discovery,
            Stage::Persistence,
            Stage::DefenceEvasion,
            Stage::Collection,
        ] {
            let json = serde_json::to_string(&s).unwrap();
            assert_eq!(json, format!("\"{}\"", s.id()));
            assert_eq!(serde_json::from_str::<Stage>(&json).unwrap(), s);
        }
        assert!(serde_json::from_str::<Stage>("\"defense-evasion\"").is_err());
    }
}
