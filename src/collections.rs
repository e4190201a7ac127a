//! Hash maps for the hot paths. The keys are log values an attacker can choose (user names,
//! addresses), so the hasher must stay randomly keyed; aHash is, and hashes short strings
//! several times faster than the standard SipHash, which was the largest single cost of an
//! all-rules scan after parsing.

pub type HashMap<K, V> = std::collections::HashMap<K, V, ahash::RandomState>;
pub type HashSet<T> = std::collections::HashSet<T, ahash::RandomState>;

/// Strings to values, each string held as a 128-bit digest under keys drawn once per
/// process: a look-up hashes the string and touches the table alone. A map of `String`s
/// compares the key's bytes, elsewhere in memory, on every hit, which with thousands of
/// identities is a cache miss per event (the replay of kept events spent more time there
/// than in the hashing). Two distinct strings share a digest with probability 2⁻¹²⁸, and
/// the keys are secret, so no input can make two collide on purpose.
#[derive(Clone)]
pub struct DigestMap<V> {
    map: HashMap<u128, V>,
}

impl<V> Default for DigestMap<V> {
    fn default() -> DigestMap<V> {
        DigestMap {
            map: HashMap::default(),
        }
    }
}

/// Two hash keys drawn once per process, for digests that must agree within a run (delivery
/// keys, [`DigestMap`], the kept events' shares) and that no input can aim at: nothing stored
/// or printed depends on them.
pub fn process_keys() -> &'static (ahash::RandomState, ahash::RandomState) {
    static KEYS: std::sync::OnceLock<(ahash::RandomState, ahash::RandomState)> =
        std::sync::OnceLock::new();
    KEYS.get_or_init(|| (ahash::RandomState::new(), ahash::RandomState::new()))
}

/// The digest a [`DigestMap`] holds `s` as.
pub fn digest(s: &str) -> u128 {
    let (a, b) = process_keys();
    (u128::from(a.hash_one(s)) << 64) | u128::from(b.hash_one(s))
}

impl<V> DigestMap<V> {
    pub fn get(&self, digest: u128) -> Option<&V> {
        self.map.get(&digest)
    }

    pub fn insert(&mut self, digest: u128, v: V) {
        self.map.insert(digest, v);
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    pub fn clear(&mut self) {
        self.map.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Equal strings find their value, different ones (however alike) do not: the digest
    /// stands for the string.
    #[test]
    fn digest_map_finds_equal_strings_only() {
        let mut m = DigestMap::default();
        let ids: Vec<String> = (0..5000)
            .map(|i| format!("arn:aws:sts::111122223333:assumed-role/R/s{i}"))
            .collect();
        for (i, id) in ids.iter().enumerate() {
            m.insert(digest(id), i);
        }
        assert_eq!(m.len(), ids.len(), "no two digests alike");
        for (i, id) in ids.iter().enumerate() {
            assert_eq!(m.get(digest(&id.clone())), Some(&i));
        }
        for other in [
            "",
            "arn:aws:sts::111122223333:assumed-role/R/s5000",
            "ARN:aws",
        ] {
            assert_eq!(m.get(digest(other)), None, "{other}");
        }
    }
}
