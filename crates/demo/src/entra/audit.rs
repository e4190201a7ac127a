//! Entra audit records: the template, and a day of background directory changes made by the
//! helpdesk from the office.

use crate::org::Org;
use crate::rng::{push_uuid, Rng};
use crate::time::push_time;

/// One directory change.
pub(crate) struct Change<'a> {
    pub(crate) ms: i64,
    pub(crate) tenant: &'a str,
    pub(crate) activity: &'a str,
    pub(crate) category: &'a str,
    pub(crate) operation_type: &'a str,
    pub(crate) actor_upn: &'a str,
    pub(crate) actor_id: &'a str,
    pub(crate) ip: &'a str,
    pub(crate) target_id: &'a str,
    pub(crate) target_name: &'a str,
    /// `User`, `Group`, `ServicePrincipal`, `Application`.
    pub(crate) target_type: &'a str,
}

pub(crate) fn push_change(buf: &mut String, c: &Change, rng: &mut Rng) {
    buf.push_str("{\"time\":\"");
    push_time(buf, c.ms, 7);
    buf.push_str("\",\"resourceId\":\"/tenants/");
    buf.push_str(c.tenant);
    buf.push_str("/providers/Microsoft.aadiam\",\"operationName\":\"");
    buf.push_str(c.activity);
    buf.push_str("\",\"operationVersion\":\"1.0\",\"category\":\"AuditLogs\",\"tenantId\":\"");
    buf.push_str(c.tenant);
    buf.push_str("\",\"resultSignature\":\"None\",\"durationMs\":0,\"callerIpAddress\":\"");
    buf.push_str(c.ip);
    buf.push_str("\",\"correlationId\":\"");
    push_uuid(buf, rng, None);
    buf.push_str("\",\"Level\":4,\"properties\":{\"id\":\"Directory_");
    push_uuid(buf, rng, None);
    buf.push_str("\",\"category\":\"");
    buf.push_str(c.category);
    buf.push_str("\",\"correlationId\":\"");
    push_uuid(buf, rng, None);
    buf.push_str("\",\"result\":\"success\",\"resultReason\":\"\",\"activityDisplayName\":\"");
    buf.push_str(c.activity);
    buf.push_str("\",\"activityDateTime\":\"");
    push_time(buf, c.ms, 7);
    buf.push_str("\",\"loggedByService\":\"Core Directory\",\"operationType\":\"");
    buf.push_str(c.operation_type);
    buf.push_str("\",\"initiatedBy\":{\"user\":{\"id\":\"");
    buf.push_str(c.actor_id);
    buf.push_str("\",\"displayName\":null,\"userPrincipalName\":\"");
    buf.push_str(c.actor_upn);
    buf.push_str("\",\"ipAddress\":\"");
    buf.push_str(c.ip);
    buf.push_str("\"}},\"targetResources\":[{\"id\":\"");
    buf.push_str(c.target_id);
    buf.push_str("\",\"displayName\":\"");
    buf.push_str(c.target_name);
    buf.push_str("\",\"type\":\"");
    buf.push_str(c.target_type);
    buf.push_str("\",\"userPrincipalName\":");
    if c.target_type == "User" {
        buf.push('"');
        buf.push_str(c.target_name);
        buf.push('"');
    } else {
        buf.push_str("null");
    }
    buf.push_str(",\"modifiedProperties\":[]}],\"additionalDetails\":[]}}");
}

/// What the helpdesk does all day: (activity, category, operation type, target type).
const CHANGES: [(&str, &str, &str, &str); 6] = [
    ("Update user", "UserManagement", "Update", "User"),
    ("Add member to group", "GroupManagement", "Assign", "Group"),
    ("Reset user password", "UserManagement", "Update", "User"),
    (
        "Remove member from group",
        "GroupManagement",
        "Unassign",
        "Group",
    ),
    ("Update group", "GroupManagement", "Update", "Group"),
    ("Add user", "UserManagement", "Add", "User"),
];

/// The helpdesk: the first five people of the tenant.
const HELPDESK: usize = 5;

pub(crate) fn background(buf: &mut String, rng: &mut Rng, org: &Org, ms: i64) {
    let actor = &org.users[rng.index(HELPDESK)];
    let (activity, category, operation_type, target_type) = rng.pick(&CHANGES);
    let target = &org.users[rng.index(org.users.len())];
    let group_names = [
        "sg-finance",
        "sg-engineering",
        "sg-all-staff",
        "sg-vpn-users",
    ];
    let (target_id, target_name) = if target_type == "User" {
        (target.object_id.as_str(), target.upn.as_str())
    } else {
        (org.tenant_id.as_str(), rng.pick(&group_names))
    };
    push_change(
        buf,
        &Change {
            ms,
            tenant: &org.tenant_id,
            activity,
            category,
            operation_type,
            actor_upn: &actor.upn,
            actor_id: &actor.object_id,
            ip: &org.office[0],
            target_id,
            target_name,
            target_type,
        },
        rng,
    );
}
