//! `--navigator FILE.json`: an ATT&CK Navigator layer (layer format 4.5) of the techniques
//! that fired, for the matrix view analysts and managers already read. Each technique's
//! score is the number of alerts that named it, and its comment lists the rules with their
//! counts. Suppressed alerts are benign by our own judgement and are left out.
//!
//! Format: <https://github.com/mitre-attack/attack-navigator/blob/master/layers/spec/v4.5/layerformat.md>
//! (`name`, `domain` required; `versions.layer` "4.5"; a technique is `techniqueID` with
//! optional `score`, `comment`, `enabled`, `showSubtechniques`).
//!
//! Memory is one entry per (technique, rule): bounded by the catalogue, not by the alerts.

use std::collections::BTreeMap;
use std::io;
use std::path::Path;

use serde_json::{json, Value};

use super::attack::ATTACK_VERSION;
use crate::event::Alert;

/// The Navigator release whose layer format 4.5 this follows.
const NAVIGATOR_VERSION: &str = "5.1.0";

/// Alert counts per technique and rule, gathered as alerts are reported.
#[derive(Debug, Default)]
pub struct NavigatorLayer {
    /// technique id → rule id → alerts.
    counts: BTreeMap<String, BTreeMap<String, u64>>,
}

impl NavigatorLayer {
    pub fn add(&mut self, a: &Alert) {
        if a.suppressed {
            return;
        }
        for technique in &a.attack {
            *self
                .counts
                .entry(technique.clone())
                .or_default()
                .entry(a.rule.clone())
                .or_default() += 1;
        }
    }

    /// The layer as JSON. Techniques in id order; a sub-technique also brings its parent
    /// with `showSubtechniques`, without a score, or the Navigator would keep it folded away.
    pub fn to_json(&self) -> Value {
        let mut techniques = Vec::new();
        let mut max = 0;
        for (id, rules) in &self.counts {
            if let Some((parent, _)) = id.split_once('.') {
                if !self.counts.contains_key(parent)
                    && !techniques
                        .iter()
                        .any(|t: &Value| t["techniqueID"] == parent)
                {
                    techniques.push(json!({
                        "techniqueID": parent,
                        "enabled": true,
                        "showSubtechniques": true,
                    }));
                }
            }
            let score: u64 = rules.values().sum();
            max = max.max(score);
            let comment = rules
                .iter()
                .map(|(rule, n)| format!("{rule}: {n} alert{}", if *n == 1 { "" } else { "s" }))
                .collect::<Vec<_>>()
                .join("; ");
            let has_subs = self.counts.keys().any(|k| k.starts_with(&format!("{id}.")));
            techniques.push(json!({
                "techniqueID": id,
                "score": score,
                "comment": comment,
                "enabled": true,
                "showSubtechniques": has_subs,
            }));
        }
        json!({
            "name": "tripline alerts",
            "versions": {
                "attack": ATTACK_VERSION,
                "navigator": NAVIGATOR_VERSION,
                "layer": "4.5",
            },
            "domain": "enterprise-attack",
            "description": "Techniques named by the alerts of one tripline scan (suppressed alerts left out); score = alerts, comment = rules.",
            "sorting": 3,
            "hideDisabled": false,
            "techniques": techniques,
            "gradient": {
                "colors": ["#ffe766", "#ff6666"],
                "minValue": 0,
                "maxValue": max.max(1),
            },
            "legendItems": [],
            "showTacticRowBackground": false,
            "selectTechniquesAcrossTactics": true,
            "selectSubtechniquesWithParent": false,
        })
    }

    /// Writes the layer to `path`, replacing it; the error names the file.
    pub fn write(&self, path: &Path) -> io::Result<()> {
        let mut text = serde_json::to_string_pretty(&self.to_json())?;
        text.push('\n');
        std::fs::write(path, text).map_err(|e| {
            io::Error::new(
                e.kind(),
                format!("writing the Navigator layer {}: {e}", path.display()),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::sink::tests::sample_alert;

    fn alert(rule: &str, attack: &[&str], suppressed: bool) -> Alert {
        let mut a = sample_alert();
        a.rule = rule.into();
        a.attack = attack.iter().map(|s| s.to_string()).collect();
        a.suppressed = suppressed;
        a
    }

    fn technique<'a>(layer: &'a Value, id: &str) -> &'a Value {
        layer["techniques"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["techniqueID"] == id)
            .unwrap_or_else(|| panic!("{id} missing: {layer}"))
    }

    #[test]
    fn scores_count_alerts_and_comments_name_the_rules() {
        let mut layer = NavigatorLayer::default();
        layer.add(&alert("cloud-discovery-burst", &["T1580"], false));
        layer.add(&alert("cloud-discovery-burst", &["T1580"], false));
        layer.add(&alert(
            "post-auth-enumeration",
            &["T1087.004", "T1526", "T1580"],
            false,
        ));
        layer.add(&alert("cloud-discovery-burst", &["T1580"], true));
        let v = layer.to_json();
        assert_eq!(v["versions"]["layer"], "4.5");
        assert_eq!(v["domain"], "enterprise-attack");
        let t = technique(&v, "T1580");
        assert_eq!(t["score"], 3, "the suppressed alert is left out");
        assert_eq!(
            t["comment"],
            "cloud-discovery-burst: 2 alerts; post-auth-enumeration: 1 alert"
        );
        assert_eq!(technique(&v, "T1526")["score"], 1);
        assert_eq!(technique(&v, "T1087.004")["score"], 1);
        let parent = technique(&v, "T1087");
        assert_eq!(parent["showSubtechniques"], true);
        assert!(parent.get("score").is_none(), "the parent did not fire");
        assert_eq!(v["gradient"]["maxValue"], 3);
    }

    #[test]
    fn no_alert_is_an_empty_layer_that_still_loads() {
        let v = NavigatorLayer::default().to_json();
        assert_eq!(v["techniques"], json!([]));
        assert_eq!(
            v["gradient"]["maxValue"], 1,
            "a zero-width gradient is avoided"
        );
    }
}
