//! Entra sign-in records: the template, and a day of background sign-ins by the tenant's
//! people from their office and home addresses.

use crate::org::Org;
use crate::rng::{push_u64, push_uuid, Rng};
use crate::time::push_time;

/// One sign-in.
pub(crate) struct SignIn<'a> {
    pub(crate) ms: i64,
    pub(crate) tenant: &'a str,
    pub(crate) upn: &'a str,
    pub(crate) display: &'a str,
    pub(crate) user_id: &'a str,
    pub(crate) ip: &'a str,
    pub(crate) app: &'a str,
    pub(crate) app_id: &'a str,
    pub(crate) client_app: &'a str,
    /// 0 for success; an AADSTS code otherwise.
    pub(crate) error_code: u32,
    pub(crate) user_agent: &'a str,
    pub(crate) country: &'a str,
    pub(crate) city: &'a str,
}

/// Applications people sign in to: (name, application id).
pub(crate) const APPS: [(&str, &str); 6] = [
    (
        "Office 365 Exchange Online",
        "00000002-0000-0ff1-ce00-000000000000",
    ),
    ("Microsoft Teams", "1fec8e78-bce4-4aaf-ab1b-5451cc387264"),
    (
        "Office 365 SharePoint Online",
        "00000003-0000-0ff1-ce00-000000000000",
    ),
    ("Microsoft Office", "d3590ed6-52b3-4102-aeff-aad2292ab01c"),
    ("My Apps", "2793995e-0a7d-40d7-bd35-6968ba142197"),
    (
        "Microsoft Authentication Broker",
        "29d9ed98-a469-4536-ade2-f981bc1d605e",
    ),
];

/// The Azure portal: no background sign-in uses it (administrators use PIM and a separate
/// admin account, not part of this tenant's demo population).
pub(crate) const AZURE_PORTAL: (&str, &str) =
    ("Azure Portal", "c44b4083-3bb0-49c1-b47d-974e53cbdf3c");

pub(crate) const BROWSER_UA: &str =
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.0.0";
const MOBILE_UA: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148";
const DESKTOP_UA: &str =
    "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17531; Pro)";

fn description(code: u32) -> &'static str {
    match code {
        0 => "Other.",
        50126 => "Error validating credentials due to invalid username or password.",
        50074 => "Strong Authentication is required.",
        50140 => {
            "This error occurred due to 'Keep me signed in' interrupt when the user was signing in."
        }
        _ => "Other.",
    }
}

pub(crate) fn push_signin(buf: &mut String, s: &SignIn, rng: &mut Rng) {
    let mut id = String::with_capacity(36);
    push_uuid(&mut id, rng, None);
    buf.push_str("{\"time\":\"");
    push_time(buf, s.ms, 7);
    buf.push_str("\",\"resourceId\":\"/tenants/");
    buf.push_str(s.tenant);
    buf.push_str("/providers/Microsoft.aadiam\",\"operationName\":\"Sign-in activity\",\"operationVersion\":\"1.0\",\"category\":\"SignInLogs\",\"tenantId\":\"");
    buf.push_str(s.tenant);
    buf.push_str("\",\"resultType\":\"");
    push_u64(buf, s.error_code.into());
    buf.push_str("\",\"resultSignature\":\"None\",\"resultDescription\":\"");
    buf.push_str(description(s.error_code));
    buf.push_str("\",\"durationMs\":0,\"callerIpAddress\":\"");
    buf.push_str(s.ip);
    buf.push_str("\",\"correlationId\":\"");
    push_uuid(buf, rng, None);
    buf.push_str("\",\"identity\":\"");
    buf.push_str(s.display);
    buf.push_str("\",\"Level\":4,\"location\":\"");
    buf.push_str(s.country);
    buf.push_str("\",\"properties\":{\"id\":\"");
    buf.push_str(&id);
    buf.push_str("\",\"createdDateTime\":\"");
    push_time(buf, s.ms, 7);
    buf.push_str("\",\"userDisplayName\":\"");
    buf.push_str(s.display);
    buf.push_str("\",\"userPrincipalName\":\"");
    buf.push_str(s.upn);
    buf.push_str("\",\"userId\":\"");
    buf.push_str(s.user_id);
    buf.push_str("\",\"appId\":\"");
    buf.push_str(s.app_id);
    buf.push_str("\",\"appDisplayName\":\"");
    buf.push_str(s.app);
    buf.push_str("\",\"ipAddress\":\"");
    buf.push_str(s.ip);
    buf.push_str("\",\"status\":{\"errorCode\":");
    push_u64(buf, s.error_code.into());
    if s.error_code != 0 {
        buf.push_str(",\"failureReason\":\"");
        buf.push_str(description(s.error_code));
        buf.push('"');
    }
    buf.push_str("},\"clientAppUsed\":\"");
    buf.push_str(s.client_app);
    buf.push_str("\",\"userAgent\":\"");
    buf.push_str(s.user_agent);
    buf.push_str("\",\"conditionalAccessStatus\":\"notApplied\",\"isInteractive\":true,\"authenticationRequirement\":\"singleFactorAuthentication\",\"location\":{\"city\":\"");
    buf.push_str(s.city);
    buf.push_str("\",\"countryOrRegion\":\"");
    buf.push_str(s.country);
    buf.push_str("\"},\"resourceDisplayName\":\"");
    buf.push_str(s.app);
    buf.push_str("\",\"homeTenantId\":\"");
    buf.push_str(s.tenant);
    buf.push_str(
        "\",\"userType\":\"Member\",\"riskLevelDuringSignIn\":\"none\",\"riskState\":\"none\"}}",
    );
}

/// Background sign-in `k` of day `day`. On the first day the first records go through every
/// person's every address once (the tenant's history starts complete: no everyday address is
/// new after the learning week); then people and addresses at random. Wrong passwords happen
/// about twenty times a day in all, one person at a time (never a spray).
pub(crate) fn background(
    buf: &mut String,
    rng: &mut Rng,
    org: &Org,
    ms: i64,
    day: u64,
    k: u64,
    n: u64,
) {
    let roll_call = (org.users.len() * 2) as u64;
    let (user, address) = if day == 0 && k < roll_call {
        ((k / 2) as usize, (k % 2) as usize)
    } else {
        let u = rng.index(org.users.len());
        (u, rng.index(org.users[u].addresses.len()))
    };
    let person = &org.users[user];
    let (app, app_id) = rng.pick(&APPS);
    let (client_app, ua) = match rng.below(10) {
        0..=5 => ("Browser", BROWSER_UA),
        6..=7 => ("Mobile Apps and Desktop clients", MOBILE_UA),
        _ => ("Mobile Apps and Desktop clients", DESKTOP_UA),
    };
    let failures_per_million = (20_000_000 / n.max(1)).min(30_000);
    let error_code = if rng.below(1_000_000) < failures_per_million {
        50126
    } else if rng.chance(15) {
        50140
    } else {
        0
    };
    push_signin(
        buf,
        &SignIn {
            ms,
            tenant: &org.tenant_id,
            upn: &person.upn,
            display: &person.display,
            user_id: &person.object_id,
            ip: &person.addresses[address],
            app,
            app_id,
            client_app,
            error_code,
            user_agent: ua,
            country: "GB",
            city: "London",
        },
        rng,
    );
}
