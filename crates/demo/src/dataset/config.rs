//! The `tripline.toml` written beside the data, and its Tor exit list: what the
//! organisation looks like to the rules (the keys of SPEC §6).

use crate::attacks::TOR_EXITS;
use crate::cloudtrail::demo::AwsEstate;
use crate::network::{AWS_PREFIXES, CI_PREFIXES, ISP_PREFIXES};

pub(crate) const CONFIG_FILE: &str = "tripline.toml";
pub(crate) const TOR_FILE: &str = "tor-exits.txt";

fn cidrs(prefixes: &[(u8, u8)]) -> String {
    prefixes
        .iter()
        .map(|(a, b)| format!("\"{a}.{b}.0.0/16\""))
        .collect::<Vec<_>>()
        .join(", ")
}

pub(crate) fn config_text(aws: &AwsEstate) -> String {
    let regions = aws
        .regions
        .iter()
        .map(|r| format!("\"{r}\""))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "# Written by `tripline demo`: the demo organisation, Northwind, as tripline sees it.
# Check it with `tripline config check tripline.toml`; `tripline config default` explains
# every key.

[organisation]
# Bucket names start with the company name (bucket-enumeration counts guesses of these).
bucket_prefixes = [\"northwind\"]
# The VPCs; the office and VPN egress ranges (staff reach AWS through them); the NAT and
# Lambda egress ranges; the CI runners. Object reads from anywhere else are external.
internal_cidrs = [\"10.0.0.0/8\", {isp}, {aws}, {ci}]
# Where CI/CD (Terraform) and the security scanner (Wiz) run: with their role names, a
# suppression signal for the built-in benign-enumerator catalogue.
automation_cidrs = [{ci}]
# The regions the company uses; activity anywhere else is unused-region-activity.
regions = [{regions}]
high_privilege = [\"*admin*\", \"arn:aws:iam::*:root\", \"*AWSReservedSSO_AdministratorAccess*\"]

[working_hours]
timezone = \"Europe/London\"
days = [\"mon\", \"tue\", \"wed\", \"thu\", \"fri\"]
start = \"08:00\"
end = \"18:00\"

[lists]
# Tor exit addresses (here documentation addresses, as the demo's Tor sign-in uses one).
tor_exits = \"{TOR_FILE}\"
",
        isp = cidrs(&ISP_PREFIXES),
        aws = cidrs(&AWS_PREFIXES),
        ci = cidrs(&CI_PREFIXES),
    )
}

pub(crate) fn tor_exits_text() -> String {
    let mut s =
        String::from("# Tor exit addresses, one per line (the demo's: documentation addresses)\n");
    for ip in TOR_EXITS {
        s.push_str(ip);
        s.push('\n');
    }
    s
}
