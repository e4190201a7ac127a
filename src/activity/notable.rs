//! Actions an analyst must see whatever else the actor did: persistence, privilege changes,
//! defence evasion, credential access. Activity lists the first 50 distinct actions (SPEC
//! §8), and a busy identity (the invictus attacker: 242 distinct actions) pushes its
//! `CreateUser` past that; these are listed in full besides, so the list is bounded by this
//! catalogue, not by the input. Sources: MITRE ATT&CK T1136.003 (Create Cloud Account),
//! T1098.001 / .003 (Additional Cloud Credentials / Roles), T1562.008 (Disable or Modify
//! Cloud Logs), T1578 (Modify Cloud Compute Infrastructure), T1537 (Transfer Data to Cloud
//! Account: snapshot and image sharing), T1555.006 (Cloud Secrets Management Stores),
//! T1651 (Cloud Administration Command); names as CloudTrail, the Azure Activity Log, Entra
//! audit logs and GCP audit logs write them.

const NOTABLE: &[&str] = &[
    // AWS: accounts and credentials (T1136.003, T1098.001)
    "CreateUser",
    "CreateLoginProfile",
    "UpdateLoginProfile",
    "CreateAccessKey",
    "DeactivateMFADevice",
    "DeleteVirtualMFADevice",
    // AWS: privileges (T1098.003)
    "AttachUserPolicy",
    "AttachRolePolicy",
    "AttachGroupPolicy",
    "PutUserPolicy",
    "PutRolePolicy",
    "PutGroupPolicy",
    "AddUserToGroup",
    "CreateRole",
    "UpdateAssumeRolePolicy",
    "CreatePolicyVersion",
    "SetDefaultPolicyVersion",
    // AWS: logging and detection (T1562.008)
    "StopLogging",
    "DeleteTrail",
    "UpdateTrail",
    "PutEventSelectors",
    "DeleteFlowLogs",
    "DeleteLogGroup",
    "DeleteDetector",
    "DisableSecurityHub",
    "DeleteConfigurationRecorder",
    "StopConfigurationRecorder",
    // AWS: sharing data out (T1537) and access to it
    "ModifySnapshotAttribute",
    "ModifyImageAttribute",
    "ModifyDBSnapshotAttribute",
    "PutBucketPolicy",
    "PutBucketAcl",
    "DeleteBucketPolicy",
    "PutBucketPublicAccessBlock",
    "DeletePublicAccessBlock",
    // AWS: secrets and remote execution (T1555.006, T1651)
    "GetSecretValue",
    "GetPasswordData",
    "SendCommand",
    "LeaveOrganization",
    // Azure Activity Log
    "Microsoft.Authorization/roleAssignments/write",
    "Microsoft.Insights/diagnosticSettings/delete",
    "Microsoft.KeyVault/vaults/secrets/read",
    "Microsoft.Compute/virtualMachines/runCommand/action",
    "Microsoft.Compute/snapshots/beginGetAccess/action",
    // Entra audit
    "Add user",
    "Add member to role",
    "Add service principal credentials",
    "Add owner to application",
    "Update application – Certificates and secrets management ",
    "Reset user password",
    // GCP
    "google.iam.admin.v1.CreateServiceAccountKey",
    "google.iam.admin.v1.CreateServiceAccount",
    "google.logging.v2.ConfigServiceV2.DeleteSink",
    "google.logging.v2.ConfigServiceV2.UpdateSink",
];

/// Whether an action is in the catalogue (Azure operations compared case-blind, as the
/// Sentinel table upper-cases them; any GCP `...SetIamPolicy`).
pub fn is_notable(action: &str) -> bool {
    NOTABLE.iter().any(|n| n.eq_ignore_ascii_case(action)) || action.ends_with(".SetIamPolicy")
}

#[cfg(test)]
mod tests {
    #[test]
    fn catalogue_names_match_exactly_or_case_blind_for_azure() {
        assert!(super::is_notable("StopLogging"));
        assert!(super::is_notable(
            "MICROSOFT.AUTHORIZATION/ROLEASSIGNMENTS/WRITE"
        ));
        assert!(super::is_notable(
            "google.cloud.resourcemanager.v3.Projects.SetIamPolicy"
        ));
        assert!(!super::is_notable("StopLoggingX"));
        assert!(!super::is_notable("DescribeInstances"));
    }
}
