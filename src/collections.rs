//! Hash maps for the hot paths. The keys are log values an attacker can choose (user names,
//! addresses), so the hasher must stay randomly keyed; aHash is, and hashes short strings
//! several times faster than the standard SipHash, which was the largest single cost of an
//! all-rules scan after parsing.

pub type HashMap<K, V> = std::collections::HashMap<K, V, ahash::RandomState>;
pub type HashSet<T> = std::collections::HashSet<T, ahash::RandomState>;
