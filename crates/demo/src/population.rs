//! The company behind the logs, shared by every cloud: its name, environments, people and
//! applications.

use std::fmt::Write as _;

pub(crate) const ENVS: [&str; 3] = ["prod", "staging", "shared"];
pub(crate) const COMPANY: &str = "northwind";

const FIRST: [&str; 40] = [
    "alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy", "mallory",
    "niaj", "olivia", "peggy", "rupert", "sybil", "trent", "victor", "wendy", "yusuf", "amara",
    "bruno", "chen", "dmitri", "elif", "fatima", "goran", "hana", "ines", "jonas", "kenji", "lena",
    "mateo", "noor", "oscar", "priya", "quinn", "rosa", "sanjay", "tomas",
];
const LAST: [&str; 40] = [
    "adams",
    "baker",
    "clark",
    "davis",
    "evans",
    "fischer",
    "garcia",
    "hughes",
    "ito",
    "jensen",
    "kowalski",
    "lopez",
    "muller",
    "nakamura",
    "okafor",
    "patel",
    "quist",
    "rossi",
    "schmidt",
    "tanaka",
    "ueda",
    "vargas",
    "weber",
    "xu",
    "yilmaz",
    "zhang",
    "andersen",
    "bianchi",
    "costa",
    "dubois",
    "eriksson",
    "fernandes",
    "gupta",
    "horvat",
    "ivanova",
    "janssen",
    "kim",
    "larsen",
    "moreau",
    "novak",
];

pub(crate) fn gen_human_name(i: usize) -> String {
    let combos = FIRST.len() * LAST.len();
    // 7919 is prime and coprime with 1600: a bijection on the first 1600 indices.
    let c = (i * 7919) % combos;
    let mut s = format!("{}.{}", FIRST[c % FIRST.len()], LAST[c / FIRST.len()]);
    if i >= combos {
        let _ = write!(s, "{}", i / combos);
    }
    s
}

pub(crate) const APPS: [&str; 12] = [
    "orders",
    "payments",
    "search",
    "billing",
    "catalog",
    "auth",
    "notifications",
    "inventory",
    "analytics",
    "checkout",
    "reporting",
    "shipping",
];
