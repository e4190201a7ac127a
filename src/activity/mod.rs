//! What the actors behind alerts read and changed (SPEC §8), and what to do about it.
//!
//! After detection, the engine reads the input a second time for the actors that have
//! alerts (`engine::activity_read`) and feeds their events to a [`Collector`]; each alert
//! then gets its `activity` (before and after the detection) and its `next_steps`. The same
//! read gives each actor's public address runs, which incidents use to link alerts without
//! an identity to an actor. `investigate` shows one actor's timeline ([`timeline`]).
//!
//! Architecture invariant: nothing here reads vendor fields or files; events come in as
//! normalized `Event`s, in any order, and every result is independent of that order.

pub mod collect;
pub mod next_steps;
pub mod notable;
pub mod shell;
pub mod tally;
pub mod timeline;

pub use collect::{alert_actor, Collector, EventShares, Needles, Wanted, SLICES_PER_SHARE};
pub use next_steps::next_steps;
