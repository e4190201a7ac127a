//! Validation of `--output ocsf` objects against the vendored OCSF 1.1.0 Detection Finding
//! schema (tests/fixtures/ocsf, with the `cloud`, `datetime` and `host` profiles that
//! tripline lists in `metadata.profiles`). Included with
//! `#[path = "support/ocsf_schema.rs"] mod ocsf_schema;`.
#![allow(dead_code)]

use serde_json::Value;

const SCHEMA: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/ocsf/detection_finding.cloud_datetime_host.schema.json"
);

pub fn validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string(SCHEMA).expect("the vendored OCSF schema");
    let schema: Value = serde_json::from_str(&text).expect("schema is JSON");
    jsonschema::validator_for(&schema).expect("schema compiles")
}

/// Panics with every schema error of `finding`, each with where it is.
pub fn assert_valid(v: &jsonschema::Validator, finding: &Value, what: &str) {
    let errors: Vec<String> = v
        .iter_errors(finding)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(
        errors.is_empty(),
        "{what}: not a valid OCSF 1.1.0 Detection Finding:\n{}",
        errors.join("\n")
    );
}
