//! Deterministic data sets: the benchmark corpus (and, later, `tripline demo`).

pub mod corpus;
