//! What to generate: [`CorpusSpec`].

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorpusSpec {
    /// Number of CloudTrail records.
    pub events: u64,
    /// Distinct identities (IAM users and assumed-role sessions).
    pub identities: u32,
    /// How many of those identities perform discovery bursts (at most `identities`).
    pub enumerators: u32,
    /// Seed of the generator: the same spec gives byte-identical output.
    pub seed: u64,
    /// Time of the first record, seconds since the Unix epoch.
    pub start_epoch_secs: i64,
}

/// 2024-05-06T00:00:00Z.
pub(crate) const DEFAULT_START: i64 = 1_714_953_600;

impl Default for CorpusSpec {
    fn default() -> Self {
        CorpusSpec {
            events: 200_000,
            identities: 1_000,
            enumerators: 10,
            seed: 1,
            start_epoch_secs: DEFAULT_START,
        }
    }
}
