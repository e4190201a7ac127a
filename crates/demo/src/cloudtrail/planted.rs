//! One CloudTrail record written from a description, for the planted attacks and benign
//! bursts: the same key order and identity block as the background records.

use crate::time::push_rfc3339_secs;

/// Who made a planted call.
pub(crate) struct Caller<'a> {
    /// `IAMUser` or `AssumedRole`.
    pub(crate) kind: &'a str,
    pub(crate) arn: &'a str,
    pub(crate) principal_id: &'a str,
    pub(crate) account: &'a str,
    pub(crate) access_key: &'a str,
    /// IAM user name (users) or the issuing role's ARN (assumed roles).
    pub(crate) name_or_role: &'a str,
}

/// One planted API call.
pub(crate) struct ApiCall<'a> {
    pub(crate) ms: i64,
    pub(crate) caller: &'a Caller<'a>,
    pub(crate) source: &'a str,
    pub(crate) name: &'a str,
    pub(crate) region: &'a str,
    pub(crate) ip: &'a str,
    pub(crate) user_agent: &'a str,
    /// Raw JSON, or `null`.
    pub(crate) request: &'a str,
    pub(crate) response: &'a str,
    pub(crate) read_only: bool,
    pub(crate) data_event: bool,
    pub(crate) event_id: &'a str,
}

pub(crate) fn push_api_call(buf: &mut String, c: &ApiCall) {
    buf.push_str("{\"eventVersion\":\"1.09\",\"userIdentity\":{\"type\":\"");
    buf.push_str(c.caller.kind);
    buf.push_str("\",\"principalId\":\"");
    buf.push_str(c.caller.principal_id);
    buf.push_str("\",\"arn\":\"");
    buf.push_str(c.caller.arn);
    buf.push_str("\",\"accountId\":\"");
    buf.push_str(c.caller.account);
    buf.push_str("\",\"accessKeyId\":\"");
    buf.push_str(c.caller.access_key);
    if c.caller.kind == "IAMUser" {
        buf.push_str("\",\"userName\":\"");
        buf.push_str(c.caller.name_or_role);
        buf.push('"');
    } else {
        buf.push_str(
            "\",\"sessionContext\":{\"sessionIssuer\":{\"type\":\"Role\",\"principalId\":\"",
        );
        buf.push_str(c.caller.principal_id.split(':').next().unwrap_or(""));
        buf.push_str("\",\"arn\":\"");
        buf.push_str(c.caller.name_or_role);
        buf.push_str("\",\"accountId\":\"");
        buf.push_str(c.caller.account);
        buf.push_str("\",\"userName\":\"");
        buf.push_str(c.caller.name_or_role.rsplit('/').next().unwrap_or(""));
        buf.push_str("\"},\"attributes\":{\"creationDate\":\"");
        push_rfc3339_secs(buf, c.ms / 1000 - 600);
        buf.push_str("Z\",\"mfaAuthenticated\":\"false\"}}");
    }
    buf.push_str("},\"eventTime\":\"");
    push_rfc3339_secs(buf, c.ms.div_euclid(1000));
    buf.push_str("Z\",\"eventSource\":\"");
    buf.push_str(c.source);
    buf.push_str("\",\"eventName\":\"");
    buf.push_str(c.name);
    buf.push_str("\",\"awsRegion\":\"");
    buf.push_str(c.region);
    buf.push_str("\",\"sourceIPAddress\":\"");
    buf.push_str(c.ip);
    buf.push_str("\",\"userAgent\":\"");
    buf.push_str(c.user_agent);
    buf.push_str("\",\"requestParameters\":");
    buf.push_str(c.request);
    buf.push_str(",\"responseElements\":");
    buf.push_str(c.response);
    buf.push_str(",\"requestID\":\"");
    buf.push_str(&c.event_id[..c.event_id.len().min(36)].to_ascii_uppercase());
    buf.push_str("\",\"eventID\":\"");
    buf.push_str(c.event_id);
    buf.push_str("\",\"readOnly\":");
    buf.push_str(if c.read_only { "true" } else { "false" });
    if c.data_event {
        buf.push_str(
            ",\"eventType\":\"AwsApiCall\",\"managementEvent\":false,\"recipientAccountId\":\"",
        );
        buf.push_str(c.caller.account);
        buf.push_str("\",\"eventCategory\":\"Data\"}");
    } else {
        buf.push_str(
            ",\"eventType\":\"AwsApiCall\",\"managementEvent\":true,\"recipientAccountId\":\"",
        );
        buf.push_str(c.caller.account);
        buf.push_str("\",\"eventCategory\":\"Management\"}");
    }
}
