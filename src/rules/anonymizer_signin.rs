//! `anonymizer-signin`: a successful Entra sign-in or AWS console login from an address on
//! an anonymiser list (Tor exits, commercial VPN egress...). The list comes from
//! `[lists] tor_exits` and/or the rule's `list_file`; with neither the rule never fires.
//!
//! List format: one address or network per line (`#` starts a comment; a second column
//! after a space or comma is ignored), or the Tor bulk exit list format, where only the
//! `ExitAddress <ip> <time>` lines carry addresses.
//!
//! One alert per (identity as logged, source address, UTC day), emitted at the first
//! sign-in: a single sign-in from Tor is the whole signal, and holding a high-severity alert
//! until the day ends would delay it by up to 24 hours in `watch`. Later sign-ins of the
//! same key that day add nothing.

use super::catalogue::RuleSpec;
use super::context::{Context, Setup};
use super::external_object_read::parse_address;
use super::rule::{Interest, Rule};
use crate::collections::HashSet;
use crate::config::Cidr;
use crate::event::alert::Signals;
use crate::event::{Duration, Event, Fields, LogFormat, Outcome, Severity, Timestamp};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::net::IpAddr;
use std::path::Path;

const DAY: Duration = Duration::secs(86_400);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// A list file besides `[lists] tor_exits` (empty: none).
    pub list_file: String,
}

/// Day start → (identity, address) already alerted that day.
#[derive(Default, serde::Serialize, serde::Deserialize)]
pub struct State {
    alerted: BTreeMap<Timestamp, HashSet<(String, String)>>,
}

/// The addresses and networks of one or more list files.
#[derive(Default)]
pub struct AnonymiserList {
    addresses: HashSet<IpAddr>,
    networks: Vec<Cidr>,
}

impl AnonymiserList {
    /// Parses list text; `name` is used in messages. Every line that is neither a comment,
    /// a Tor bulk-list header (`ExitNode`, `Published`, `LastStatus`) nor an address or
    /// network is an error: a list that silently loses entries is worse than a refusal.
    pub fn add_text(&mut self, text: &str, name: &str) -> Result<(), String> {
        for (i, raw) in text.lines().enumerate() {
            let line = raw.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            let mut words = line
                .split(|c: char| c.is_whitespace() || c == ',')
                .filter(|w| !w.is_empty());
            let first = words.next().unwrap_or("");
            let entry = match first {
                "ExitAddress" => words.next().unwrap_or(""),
                "ExitNode" | "Published" | "LastStatus" => continue,
                _ => first,
            };
            if entry.contains('/') {
                let net = Cidr::parse(entry).map_err(|e| format!("{name}:{}: {e}", i + 1))?;
                self.networks.push(net);
            } else {
                let ip = parse_address(entry).ok_or_else(|| {
                    format!(
                        "{name}:{}: {entry:?} is neither an IP address nor a network",
                        i + 1
                    )
                })?;
                self.addresses.insert(ip);
            }
        }
        Ok(())
    }

    pub fn add_file(&mut self, path: &Path) -> Result<(), String> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("{name}: cannot read the anonymiser list: {e}"))?;
        self.add_text(&text, &name)
    }

    pub fn is_empty(&self) -> bool {
        self.addresses.is_empty() && self.networks.is_empty()
    }

    /// The matching entry (the address, or the network), if any.
    pub fn matching(&self, ip: &IpAddr) -> Option<String> {
        if self.addresses.contains(ip) {
            return Some(ip.to_string());
        }
        self.networks
            .iter()
            .find(|n| n.contains(ip))
            .map(|n| n.to_string())
    }
}

pub struct AnonymizerSignin {
    spec: RuleSpec,
    severity: Severity,
    list: AnonymiserList,
}

impl AnonymizerSignin {
    fn is_signin(e: &Event) -> bool {
        e.outcome == Outcome::Success
            && match e.log() {
                LogFormat::EntraSignin => true,
                LogFormat::CloudTrail => e.action == "ConsoleLogin",
                _ => false,
            }
    }

    fn listed(&self, e: &Event) -> Option<(IpAddr, String)> {
        let ip = parse_address(&e.source_ip)?;
        self.list.matching(&ip).map(|entry| (ip, entry))
    }
}

impl Rule for AnonymizerSignin {
    type Params = Params;
    type State = State;
    const CATALOGUE: &'static str = include_str!("catalogue/anonymizer-signin.toml");

    /// Loads `[lists] tor_exits` and the `list_file` parameter (both, when both are set).
    /// An unreadable or malformed list is an error naming the file and line.
    fn build(spec: RuleSpec, p: Params, setup: &Setup<'_>) -> Result<Self, String> {
        let mut list = AnonymiserList::default();
        if let Some(path) = &setup.config.lists.tor_exits {
            list.add_file(path)?;
        }
        if !p.list_file.trim().is_empty() {
            list.add_file(Path::new(p.list_file.trim()))?;
        }
        Ok(AnonymizerSignin {
            severity: spec.default_severity().unwrap_or(Severity::High),
            spec,
            list,
        })
    }

    fn spec(&self) -> &RuleSpec {
        &self.spec
    }

    fn interest(&self) -> Interest {
        Interest::All
    }

    fn wants(&self, e: &Event) -> bool {
        !self.list.is_empty() && Self::is_signin(e) && self.listed(e).is_some()
    }

    fn observe(&self, st: &mut State, e: &Event, cx: &mut Context<'_>) {
        let Some((ip, entry)) = self.listed(e) else {
            return;
        };
        let day = e.time.bin(DAY);
        let ip = ip.to_string();
        if !st
            .alerted
            .entry(day)
            .or_default()
            .insert((e.identity.clone(), ip.clone()))
        {
            return;
        }
        let mut g = Fields::default();
        g.push("identity", e.identity.as_str());
        g.push("source_ip", ip.as_str());
        let end = day.add(DAY);
        let mut f = Fields::default();
        f.push("Identity", e.identity.as_str());
        f.push("SourceIP", ip);
        f.push("ListEntry", entry);
        if !e.client_app.is_empty() {
            f.push("ClientApp", e.client_app.as_str());
        }
        if !e.user_agent.is_empty() {
            f.push("UserAgent", e.user_agent.as_str());
        }
        f.push("FirstSeen", e.time.to_string());
        let alert = self
            .spec
            .alert(g, day, end)
            .provider(e.provider())
            .severity(self.severity)
            .seen(e.time, e.time, 1)
            .fields(f)
            .evidence(vec![e.origin.to_string()])
            .signals(Signals::of(e))
            .build();
        cx.emit(alert);
    }

    fn advance(&self, st: &mut State, watermark: Timestamp, _: &mut Context<'_>) {
        // No event of an earlier day can come any more.
        let today = watermark.bin(DAY);
        while st
            .alerted
            .first_key_value()
            .is_some_and(|(d, _)| *d < today)
        {
            st.alerted.pop_first();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::AnonymiserList;

    #[test]
    fn list_formats() {
        let mut l = AnonymiserList::default();
        let text = "# Tor exits\n185.220.101.4\n  0198.051.100.007 # padded\n2001:db8::/32\n\nExitNode 0011BD2485AD45D984EC4159C88FC066E5E3300E\nPublished 2024-05-06 03:09:31\nLastStatus 2024-05-06 08:00:00\nExitAddress 162.247.74.201 2024-05-06 08:08:57\n203.0.113.0/24,vpn\n";
        l.add_text(text, "t").unwrap();
        for (ip, hit) in [
            ("185.220.101.4", true),
            ("198.51.100.7", true),
            ("162.247.74.201", true),
            ("203.0.113.99", true),
            ("2001:db8::5", true),
            ("185.220.101.5", false),
        ] {
            assert_eq!(l.matching(&ip.parse().unwrap()).is_some(), hit, "{ip}");
        }
        let err = AnonymiserList::default()
            .add_text("1.2.3.4\nnot-an-ip\n", "tor.txt")
            .unwrap_err();
        assert!(err.starts_with("tor.txt:2: "), "{err}");
    }
}
