//! The kind of log a record came from, finer than its format (SPEC §2 names formats; a
//! format's logs are not all alike). Coverage needs it: CloudTrail data events, GCP Data
//! Access logs and Entra non-interactive sign-ins are each switched on separately, so a
//! format can be present while the kind a rule reads is not. Only `normalize` decides it,
//! from the record's own fields (never from an action's name).

use serde::{Deserialize, Serialize};

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum LogKind {
    /// The record does not say (older CloudTrail without `eventCategory` or
    /// `managementEvent`, a Graph sign-in without `isInteractive`, other formats).
    #[default]
    Unknown,
    /// CloudTrail management events (`eventCategory` `Management`).
    Management,
    /// CloudTrail data events (S3 `GetObject`, Lambda `Invoke`...), a trail's separate choice.
    Data,
    /// CloudTrail Insights events.
    Insight,
    /// CloudTrail network activity events (VPC endpoints).
    NetworkActivity,
    /// GCP Admin Activity audit log (`cloudaudit.googleapis.com%2Factivity`): always on.
    AdminActivity,
    /// GCP Data Access audit log (`%2Fdata_access`): off unless enabled per service.
    DataAccess,
    /// GCP System Event audit log.
    SystemEvent,
    /// GCP Policy Denied audit log.
    PolicyDenied,
    /// Entra interactive user sign-ins (`SignInLogs`, `SigninLogs`).
    Interactive,
    /// Entra non-interactive user sign-ins (token refreshes, by a client on the user's behalf).
    NonInteractive,
    /// Entra service principal sign-ins.
    ServicePrincipal,
    /// Entra managed identity sign-ins.
    ManagedIdentity,
}

impl LogKind {
    pub const ALL: [LogKind; 13] = [
        LogKind::Unknown,
        LogKind::Management,
        LogKind::Data,
        LogKind::Insight,
        LogKind::NetworkActivity,
        LogKind::AdminActivity,
        LogKind::DataAccess,
        LogKind::SystemEvent,
        LogKind::PolicyDenied,
        LogKind::Interactive,
        LogKind::NonInteractive,
        LogKind::ServicePrincipal,
        LogKind::ManagedIdentity,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            LogKind::Unknown => "unknown",
            LogKind::Management => "management",
            LogKind::Data => "data",
            LogKind::Insight => "insight",
            LogKind::NetworkActivity => "network-activity",
            LogKind::AdminActivity => "admin-activity",
            LogKind::DataAccess => "data-access",
            LogKind::SystemEvent => "system-event",
            LogKind::PolicyDenied => "policy-denied",
            LogKind::Interactive => "interactive",
            LogKind::NonInteractive => "non-interactive",
            LogKind::ServicePrincipal => "service-principal",
            LogKind::ManagedIdentity => "managed-identity",
        }
    }

    pub fn parse(s: &str) -> Option<LogKind> {
        LogKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn is_unknown(&self) -> bool {
        *self == LogKind::Unknown
    }

    /// CloudTrail: `eventCategory` when logged (since eventVersion 1.08), else
    /// `managementEvent` (since 1.06), else Insights by `eventType`.
    pub fn of_cloudtrail(category: &str, management_event: &str, event_type: &str) -> LogKind {
        // Compared case-blind in place: every CloudTrail record comes here.
        let category = category.trim();
        for (name, kind) in [
            ("management", LogKind::Management),
            ("data", LogKind::Data),
            ("insight", LogKind::Insight),
            ("networkactivity", LogKind::NetworkActivity),
        ] {
            if category.eq_ignore_ascii_case(name) {
                return kind;
            }
        }
        if event_type.eq_ignore_ascii_case("AwsCloudTrailInsight") {
            return LogKind::Insight;
        }
        match management_event.trim() {
            m if m.eq_ignore_ascii_case("true") => LogKind::Management,
            m if m.eq_ignore_ascii_case("false") => LogKind::Data,
            _ => LogKind::Unknown,
        }
    }

    /// GCP: the audit log's name, the last segment of `logName`
    /// (`projects/p/logs/cloudaudit.googleapis.com%2Fdata_access`).
    pub fn of_gcp_log_name(log_name: &str) -> LogKind {
        let log = log_name.rsplit('/').next().unwrap_or("");
        let log = log.strip_prefix("cloudaudit.googleapis.com").unwrap_or(log);
        match log.trim_start_matches("%2F").trim_start_matches("%2f") {
            "activity" => LogKind::AdminActivity,
            "data_access" => LogKind::DataAccess,
            "system_event" => LogKind::SystemEvent,
            "policy" => LogKind::PolicyDenied,
            _ => LogKind::Unknown,
        }
    }

    /// Entra sign-ins: the diagnostic category or Sentinel table name
    /// (`NonInteractiveUserSignInLogs`, `AADNonInteractiveUserSignInLogs`), else Graph's
    /// `signInEventTypes` / `isInteractive`.
    pub fn of_entra_signin(
        category_or_table: &str,
        event_type: &str,
        interactive: &str,
    ) -> LogKind {
        let c = category_or_table.to_ascii_lowercase();
        let c = c.strip_prefix("aad").unwrap_or(&c);
        match c {
            "signinlogs" => return LogKind::Interactive,
            "noninteractiveusersigninlogs" => return LogKind::NonInteractive,
            "serviceprincipalsigninlogs" => return LogKind::ServicePrincipal,
            "managedidentitysigninlogs" => return LogKind::ManagedIdentity,
            _ => {}
        }
        match event_type.to_ascii_lowercase().as_str() {
            "interactiveuser" => return LogKind::Interactive,
            "noninteractiveuser" => return LogKind::NonInteractive,
            "serviceprincipal" => return LogKind::ServicePrincipal,
            "managedidentity" => return LogKind::ManagedIdentity,
            _ => {}
        }
        match interactive.trim().to_ascii_lowercase().as_str() {
            "true" => LogKind::Interactive,
            "false" => LogKind::NonInteractive,
            _ => LogKind::Unknown,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::LogKind;

    #[test]
    fn cloudtrail_kind_prefers_event_category_then_management_event() {
        assert_eq!(LogKind::of_cloudtrail("Data", "true", ""), LogKind::Data);
        assert_eq!(LogKind::of_cloudtrail("", "false", ""), LogKind::Data);
        assert_eq!(LogKind::of_cloudtrail("", "true", ""), LogKind::Management);
        assert_eq!(LogKind::of_cloudtrail("", "", ""), LogKind::Unknown);
        assert_eq!(
            LogKind::of_cloudtrail("", "", "AwsCloudTrailInsight"),
            LogKind::Insight
        );
    }

    #[test]
    fn gcp_kind_comes_from_the_log_name() {
        let p = "projects/p/logs/cloudaudit.googleapis.com";
        assert_eq!(
            LogKind::of_gcp_log_name(&format!("{p}%2Factivity")),
            LogKind::AdminActivity
        );
        assert_eq!(
            LogKind::of_gcp_log_name(&format!("{p}%2Fdata_access")),
            LogKind::DataAccess
        );
        assert_eq!(
            LogKind::of_gcp_log_name("projects/p/logs/syslog"),
            LogKind::Unknown
        );
    }

    #[test]
    fn entra_kind_from_category_table_or_graph() {
        assert_eq!(
            LogKind::of_entra_signin("SignInLogs", "", ""),
            LogKind::Interactive
        );
        assert_eq!(
            LogKind::of_entra_signin("AADNonInteractiveUserSignInLogs", "", ""),
            LogKind::NonInteractive
        );
        assert_eq!(
            LogKind::of_entra_signin("", "", "false"),
            LogKind::NonInteractive
        );
        assert_eq!(LogKind::of_entra_signin("", "", ""), LogKind::Unknown);
    }

    #[test]
    fn every_kind_round_trips_its_name() {
        for k in LogKind::ALL {
            assert_eq!(LogKind::parse(k.as_str()), Some(k));
        }
    }
}
