//! Offensive tooling named by a user agent (SPEC §4: +15 on an incident's risk): the cited
//! catalogue in `offensive_tooling.toml`, compiled in.

use crate::config::glob_match;
use serde::Deserialize;
use std::sync::OnceLock;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tool {
    pub name: String,
    /// Globs against the whole user agent, case-insensitive.
    pub patterns: Vec<String>,
    /// Where each string is documented or set in the tool's source.
    pub sources: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    tool: Vec<Tool>,
}

const CATALOGUE: &str = include_str!("offensive_tooling.toml");

/// The catalogue, parsed once. It is compiled in and a test parses it, so a broken entry
/// fails the build's tests, never a user's run.
pub fn catalogue() -> &'static [Tool] {
    static TOOLS: OnceLock<Vec<Tool>> = OnceLock::new();
    TOOLS.get_or_init(|| {
        toml::from_str::<File>(CATALOGUE)
            .unwrap_or_else(|e| panic!("built-in offensive_tooling.toml is invalid: {e}"))
            .tool
    })
}

/// The tool a user agent names, if any (the first catalogue entry that matches).
pub fn tool_in(user_agent: &str) -> Option<&'static str> {
    catalogue()
        .iter()
        .find(|t| t.patterns.iter().any(|p| glob_match(p, user_agent, true)))
        .map(|t| t.name.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_entry_has_patterns_and_a_cited_source() {
        assert!(catalogue().len() >= 6);
        for t in catalogue() {
            assert!(!t.patterns.is_empty(), "{}", t.name);
            assert!(
                !t.sources.is_empty() && t.sources.iter().all(|s| s.starts_with("https://")),
                "{} needs a source URL",
                t.name
            );
        }
    }

    #[test]
    fn real_user_agents_of_offensive_tools_are_recognised() {
        let cases = [
            (
                "aws-cli/2.13.25 Python/3.11.5 Linux/6.5.0-kali3-amd64 exe/x86_64.kali.2023 prompt/off command/sts.get-caller-identity",
                "Kali Linux",
            ),
            (
                "aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/linux#6.6.9-amd64 md/arch#x86_64 lang/python#3.11.8 md/pyimpl#CPython distrib#kali.2024 md/distrib#kali.2024",
                "Kali Linux",
            ),
            (
                "aws-cli/1.19.1 Python/3.9.2 Linux/6.0.0-2parrot1-amd64 botocore/1.29.58",
                "Parrot Security",
            ),
            (
                "Scout Suite/5.12.0 Python/3.9.2 Linux/6.0.0-2parrot1-amd64 Scout Suite/5.12.0",
                "Parrot Security",
            ),
            (
                "Boto3/1.34.0 md/Botocore#1.34.0 ua/2.0 os/linux lang/python#3.12 Scout Suite/5.14.0 (https://github.com/nccgroup/ScoutSuite)",
                "ScoutSuite",
            ),
            ("TruffleHog", "TruffleHog"),
            (
                "APN/1.0 HashiCorp/1.0 Terraform/1.1.2 (+https://www.terraform.io) terraform-provider-aws/3.76.1 aws-sdk-go/1.44.157 (go1.19.3; linux; amd64) stratus-red-team_11a6ef34-e130-4579-a1d3-79c915cee6ec HashiCorp-terraform-exec/0.17.3",
                "Stratus Red Team",
            ),
        ];
        for (ua, tool) in cases {
            assert_eq!(tool_in(ua), Some(tool), "{ua}");
        }
    }

    #[test]
    fn ordinary_user_agents_are_not_offensive_tooling() {
        for ua in [
            "aws-cli/2.15.0 Python/3.11.6 Linux/6.2.0-1017-aws exe/x86_64.ubuntu.22 prompt/off",
            "APN/1.0 HashiCorp/1.0 Terraform/1.1.2 (+https://www.terraform.io) terraform-provider-aws/4.67.0 aws-sdk-go/1.44.261 (go1.19.8; linux; amd64) HashiCorp-terraform-exec/0.17.3",
            "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:102.0) Gecko/20100101 Firefox/102.0",
            "[S3Console/0.4, aws-internal/3 aws-sdk-java/1.12.488]",
            "",
        ] {
            assert_eq!(tool_in(ua), None, "{ua}");
        }
    }
}
