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
    /// What the everyday traffic looks like (the planted bursts are alike in both).
    pub profile: Profile,
    /// How long the corpus lasts, seconds: `events` are spread evenly over it. `None`: as long
    /// as the profile's spacing makes it (`events` × spacing).
    pub span_secs: Option<i64>,
    /// Which slice of a larger corpus this is, so slices can be written in parallel: the same
    /// seed (the same accounts, identities, addresses and keys) with a schedule and event ids
    /// of the slice's own. Part 0 is the corpus as it always was.
    pub part: u64,
}

/// What the everyday traffic looks like.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Profile {
    /// The benchmark table's corpus since the engine issue, byte for byte: one address and one
    /// long-lived key per identity, calls 20 ms apart (a day in 4.3 M records), a busiest
    /// identity making a few per cent of the calls, the seed list's discovery calls about 2 %
    /// of them (1.2 % planted).
    #[default]
    Classic,
    /// Realistic cardinality (see [`CorpusSpec::realistic`]): two to four /24 blocks per
    /// identity, a fresh temporary key per assumed-role and console session (one to twelve
    /// hours by kind), the seed list's Describe/List/Get calls about 30 % of everyday calls
    /// (each identity still under the discovery thresholds), 2 % access denied, calls 100 ms
    /// apart (a day in 864,000 records).
    Realistic,
}

impl Profile {
    /// The profile named `classic` or `realistic`.
    pub fn from_name(name: &str) -> Option<Profile> {
        match name {
            "classic" => Some(Profile::Classic),
            "realistic" => Some(Profile::Realistic),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Profile::Classic => "classic",
            Profile::Realistic => "realistic",
        }
    }
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
            profile: Profile::Classic,
            span_secs: None,
            part: 0,
        }
    }
}

impl CorpusSpec {
    /// `events` records at the cardinality of a mid-sized organisation, the memory benchmark's
    /// corpus: 3,000 identities (IAM users with long-term keys, assumed-role and console
    /// sessions with a key per session), 30 of them enumerators, in three accounts and six
    /// regions ([`Profile::Realistic`]).
    pub fn realistic(events: u64) -> CorpusSpec {
        CorpusSpec {
            events,
            identities: 3_000,
            enumerators: 30,
            profile: Profile::Realistic,
            ..CorpusSpec::default()
        }
    }
}
