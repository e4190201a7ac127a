//! The built-in catalogue of benign enumerators (`benign_enumerators.toml`, compiled in):
//! which identities and user agents Terraform, Pulumi, CloudFormation, the posture scanners,
//! cost and backup tools and CI/CD deploy roles really use. Data, not code: a new tool is a
//! new `[[tool]]` with the sources of its patterns.

use serde::Deserialize;

const CATALOGUE: &str = include_str!("benign_enumerators.toml");

/// One tool of the catalogue.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BenignTool {
    pub name: String,
    /// Globs over the identity and its principal name (role, user, service account),
    /// case-insensitive.
    pub identities: Vec<String>,
    /// Globs over a user agent, case-insensitive; empty when the tool has none of its own.
    pub user_agents: Vec<String>,
    /// Where the patterns come from (documentation, templates, provider source, fixtures).
    pub sources: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    tool: Vec<BenignTool>,
}

/// The compiled-in catalogue. The file is part of the binary and tested, so a parse error
/// is a build defect, not a user error.
pub fn benign_tools() -> Vec<BenignTool> {
    let file: File = toml::from_str(CATALOGUE).expect("benign_enumerators.toml is valid");
    file.tool
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_names_every_tool_of_the_spec_with_sources() {
        let tools = benign_tools();
        for name in [
            "Terraform",
            "Pulumi",
            "CloudFormation",
            "Wiz",
            "Prisma Cloud",
            "Orca Security",
            "CloudHealth",
            "Spot.io",
            "Veeam",
            "Cohesity",
            "GitHub Actions",
            "GitLab CI",
            "Jenkins",
        ] {
            let t = tools.iter().find(|t| t.name == name);
            let t = t.unwrap_or_else(|| panic!("{name} missing from the catalogue"));
            assert!(!t.identities.is_empty(), "{name}: no identity pattern");
            assert!(!t.sources.is_empty(), "{name}: no source cited");
            for p in t.identities.iter().chain(&t.user_agents) {
                assert!(
                    !p.trim().is_empty() && p != "*",
                    "{name}: pattern {p:?} matches anything"
                );
            }
        }
    }
}
