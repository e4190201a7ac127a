//! Typed rule parameters: a rule's catalogue `params` merged key by key with the config's
//! `[rules.<id>]`, deserialised into the rule's own `Params` struct. A missing or misspelt
//! key, or a value of the wrong type, is an error here (and so in `config check`), never a
//! panic at the first event.

use super::catalogue::RuleSpec;
use super::context::Setup;
use super::rule::Rule;
use serde::de::DeserializeOwned;
use std::fmt;

/// Why a rule's parameters could not be read.
#[derive(Debug, Clone, PartialEq)]
pub struct ParamsError {
    pub rule: String,
    pub message: String,
}

impl fmt::Display for ParamsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "rule {}: {}", self.rule, self.message)
    }
}

impl std::error::Error for ParamsError {}

pub fn typed_params<P: DeserializeOwned>(
    spec: &RuleSpec,
    overrides: Option<&toml::Table>,
) -> Result<P, ParamsError> {
    toml::Value::Table(spec.merged_params(overrides))
        .try_into::<P>()
        .map_err(|e| ParamsError {
            rule: spec.id.clone(),
            message: e.message().trim().to_string(),
        })
}

/// Another rule's parameters as this configuration sets them (the sliding discovery rule
/// shares the seed rule's lists).
pub fn params_of<R: Rule>(setup: &Setup<'_>) -> Result<R::Params, String> {
    let spec = RuleSpec::parse(R::CATALOGUE);
    typed_params::<R::Params>(&spec, setup.config.rules.get(&spec.id)).map_err(|e| e.to_string())
}
