//! Where alerts go. The engine never formats: it pushes each alert into an [`AlertSink`] and
//! calls `finish` once at the end, the way ripgrep's searcher drives its `Sink`. Every
//! printer (table, JSON lines, JSON) is one sink, so adding a format touches nothing upstream.

use std::io;

use crate::event::Alert;
use crate::incidents::Incident;

/// What a scan found besides the alerts a sink is given: the incidents (highest risk first)
/// and how many suppressed alerts were left out (`--show-suppressed` shows them).
#[derive(Clone, Copy, Debug, Default)]
pub struct Overview<'a> {
    pub incidents: &'a [Incident],
    pub hidden_suppressed: u64,
}

/// Receives alerts in the order the engine emits them.
pub trait AlertSink {
    /// Called once before the first alert when incidents were built. The table groups its
    /// alerts under them; the JSON printers need nothing (each alert carries `incident`).
    fn overview(&mut self, _o: &Overview<'_>) -> io::Result<()> {
        Ok(())
    }

    /// One alert. An error (a closed pipe, a full disk) should stop the run.
    fn alert(&mut self, a: &Alert) -> io::Result<()>;

    /// Every alert of a batch scan, in order: one call, so that a sink may render them on
    /// several threads (JSON lines does; each alert's activity makes it kilobytes long).
    fn alerts(&mut self, alerts: &[&Alert]) -> io::Result<()> {
        for a in alerts {
            self.alert(a)?;
        }
        Ok(())
    }

    /// Called once after the last alert. Sinks that buffer (the table, the JSON array)
    /// write here, and every sink flushes, so output is incomplete until this returns.
    fn finish(&mut self) -> io::Result<()> {
        Ok(())
    }
}

// As in ripgrep, a sink can be lent (`&mut sink`) or boxed and still be a sink.
impl<S: AlertSink + ?Sized> AlertSink for &mut S {
    fn overview(&mut self, o: &Overview<'_>) -> io::Result<()> {
        (**self).overview(o)
    }
    fn alert(&mut self, a: &Alert) -> io::Result<()> {
        (**self).alert(a)
    }
    fn alerts(&mut self, alerts: &[&Alert]) -> io::Result<()> {
        (**self).alerts(alerts)
    }
    fn finish(&mut self) -> io::Result<()> {
        (**self).finish()
    }
}

impl<S: AlertSink + ?Sized> AlertSink for Box<S> {
    fn overview(&mut self, o: &Overview<'_>) -> io::Result<()> {
        (**self).overview(o)
    }
    fn alert(&mut self, a: &Alert) -> io::Result<()> {
        (**self).alert(a)
    }
    fn alerts(&mut self, alerts: &[&Alert]) -> io::Result<()> {
        (**self).alerts(alerts)
    }
    fn finish(&mut self) -> io::Result<()> {
        (**self).finish()
    }
}

/// Collects alerts, for tests and for callers that post-process them.
impl AlertSink for Vec<Alert> {
    fn alert(&mut self, a: &Alert) -> io::Result<()> {
        self.push(a.clone());
        Ok(())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::event::alert::ALERT_SCHEMA;
    use crate::event::{Fields, Provider, Severity, Timestamp};
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    /// A hand-built cloud-discovery-burst alert, shaped like SPEC §4's example.
    pub(crate) fn sample_alert() -> Alert {
        let t = |s: &str| Timestamp::parse(s).unwrap();
        let mut group = Fields::default();
        group.push("identity", "arn:aws:iam::123456789012:user/alice");
        group.push("account", "123456789012");
        let mut fields = Fields::default();
        fields.push("TimeGenerated", "2024-05-06T10:00:00Z");
        fields.push("CloudProvider", "AWS");
        fields.push("Identity", "arn:aws:iam::123456789012:user/alice");
        fields.push("AccountId", "123456789012");
        fields.push("DiscoveryCount", 12);
        fields.push("DistinctAPIs", 6);
        fields.push(
            "APIList",
            serde_json::json!([
                "DescribeInstances",
                "ListBuckets",
                "ListUsers",
                "ListRoles",
                "GetCallerIdentity",
                "DescribeVpcs"
            ]),
        );
        fields.push("DistinctRegions", 2);
        fields.push("SourceIPs", serde_json::json!(["198.51.100.7"]));
        fields.push("FirstSeen", "2024-05-06T10:01:02Z");
        fields.push("LastSeen", "2024-05-06T10:09:40Z");
        fields.push("RiskScore", 50);
        Alert {
            schema: ALERT_SCHEMA,
            id: "9b1f00000000000000000000000000ab".into(),
            rule: "cloud-discovery-burst".into(),
            title: "Cloud infrastructure discovery burst".into(),
            attack: vec!["T1580".into()],
            severity: Severity::Low,
            risk_score: 50,
            provider: Provider::Aws,
            group,
            window_start: t("2024-05-06T10:00:00Z"),
            window_end: t("2024-05-06T10:15:00Z"),
            first_seen: t("2024-05-06T10:01:02Z"),
            last_seen: t("2024-05-06T10:09:40Z"),
            count: 12,
            fields,
            evidence: vec![
                "AWSLogs/123456789012/CloudTrail/eu-west-1/x.json.gz#Records[17]".into(),
            ],
            suppressed: false,
            reason: None,
            notes: vec![],
            activity: None,
            next_steps: vec![],
            signals: Default::default(),
            incident: None,
        }
    }

    /// A `Write` whose bytes the test can still read after the sink (which owns it) is done.
    #[derive(Clone, Default)]
    pub(crate) struct Shared(pub Arc<Mutex<Vec<u8>>>);
    impl Write for Shared {
        fn write(&mut self, b: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    impl Shared {
        pub(crate) fn text(&self) -> String {
            String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
        }
    }

    #[test]
    fn a_vec_collects_and_a_borrowed_sink_is_a_sink() {
        fn drive<S: AlertSink>(mut sink: S) {
            sink.alert(&sample_alert()).unwrap();
            sink.finish().unwrap();
        }
        let mut got: Vec<Alert> = Vec::new();
        drive(&mut got);
        assert_eq!(got, vec![sample_alert()]);
    }
}
