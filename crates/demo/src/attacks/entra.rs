//! Entra ID and Azure: tenant enumeration, a password spray, the sprayed account signing in
//! over IMAP and then through Tor, a credential added to a service principal, and the Azure
//! reads that follow — one incident, linked through the sprayer's address.

use super::plan::{uuid, Planted, MIN_MS, SPRAYER_IP, TOR_EXIT_IP};
use crate::entra::audit::{push_change, Change};
use crate::entra::signin::{push_signin, SignIn, AZURE_PORTAL, BROWSER_UA};
use crate::org::Org;
use crate::perimeter::{push_line, Line};
use crate::rng::{push_uuid, Rng};
use crate::time::push_time;

/// The sprayed person who had a weak password (an ordinary user, not the helpdesk).
const VICTIM: usize = 42;

pub(crate) fn story(p: &mut Planted, ids: &mut Rng, day: i64, org: &Org) {
    let t0 = day + 5 * 60 * MIN_MS;
    // 1. Tenant enumeration through the proxied sign-in page, 05:00–05:06: 30 POSTs to
    //    GetCredentialType from one address — tenant-enumeration (more than 20 within 10
    //    minutes).
    for k in 0..30i64 {
        let ms = t0 + k * 12_000;
        let mut buf = String::with_capacity(300);
        push_line(
            &mut buf,
            &Line {
                ip: SPRAYER_IP,
                ms,
                request: "POST /common/GetCredentialType?mkt=en-US HTTP/1.1",
                status: 200,
                bytes: 1_312,
                referer: "-",
                user_agent: "python-requests/2.31.0",
            },
        );
        p.perimeter.push((ms, buf));
    }
    // 2. Password spray, 05:20–05:28: 10 wrong passwords (AADSTS50126) over 8 accounts from
    //    the same address — password-spray (at least 6 failures over at least 4 accounts
    //    within 10 minutes).
    let tenant = &org.tenant_id;
    for k in 0..10i64 {
        let person = &org.users[(VICTIM + 7 * k as usize) % org.users.len()];
        let person = if k >= 8 {
            &org.users[VICTIM + 7 * (k as usize - 8)]
        } else {
            person
        };
        let ms = t0 + 20 * MIN_MS + k * 50_000;
        let mut buf = String::with_capacity(1500);
        push_signin(
            &mut buf,
            &SignIn {
                ms,
                tenant,
                upn: &person.upn,
                display: &person.display,
                user_id: &person.object_id,
                ip: SPRAYER_IP,
                app: "Office 365 Exchange Online",
                app_id: "00000002-0000-0ff1-ce00-000000000000",
                client_app: "Other clients",
                error_code: 50126,
                user_agent: "BAV2ROPC",
                country: "NL",
                city: "Amsterdam",
            },
            ids,
        );
        p.signin.push((ms, buf));
    }
    let victim = &org.users[VICTIM];
    // 3. The guessed password works over IMAP at 05:31: legacy-auth-signin (IMAP4 is a
    //    legacy protocol) and new-source-signin (198.51.100.0/24 is new to the tenant, whose
    //    history covers ten days).
    let t1 = t0 + 31 * MIN_MS;
    let mut buf = String::with_capacity(1500);
    push_signin(
        &mut buf,
        &SignIn {
            ms: t1,
            tenant,
            upn: &victim.upn,
            display: &victim.display,
            user_id: &victim.object_id,
            ip: SPRAYER_IP,
            app: "Office 365 Exchange Online",
            app_id: "00000002-0000-0ff1-ce00-000000000000",
            client_app: "IMAP4",
            error_code: 0,
            user_agent: "BAV2ROPC",
            country: "NL",
            city: "Amsterdam",
        },
        ids,
    );
    p.signin.push((t1, buf));
    // 4. At 05:45 the same account signs in through a Tor exit to the Azure portal, which it
    //    never used: anonymizer-signin (the address is in tor-exits.txt), new-source-signin
    //    (192.0.2.0/24 is new), and first-seen-api (a new application within 30 minutes
    //    after a new-source sign-in).
    let t2 = t0 + 45 * MIN_MS;
    let mut buf = String::with_capacity(1500);
    push_signin(
        &mut buf,
        &SignIn {
            ms: t2,
            tenant,
            upn: &victim.upn,
            display: &victim.display,
            user_id: &victim.object_id,
            ip: TOR_EXIT_IP,
            app: AZURE_PORTAL.0,
            app_id: AZURE_PORTAL.1,
            client_app: "Browser",
            error_code: 0,
            user_agent: BROWSER_UA,
            country: "DE",
            city: "Frankfurt am Main",
        },
        ids,
    );
    p.signin.push((t2, buf));
    // 5. 05:52: a new secret on the billing-sync service principal — access-key-created
    //    (an Entra service principal credential).
    let t3 = t0 + 52 * MIN_MS;
    let sp_id = uuid(ids);
    let mut buf = String::with_capacity(1500);
    push_change(
        &mut buf,
        &Change {
            ms: t3,
            tenant,
            activity: "Add service principal credentials",
            category: "ApplicationManagement",
            operation_type: "Update",
            actor_upn: &victim.upn,
            actor_id: &victim.object_id,
            ip: TOR_EXIT_IP,
            target_id: &sp_id,
            target_name: "northwind-billing-sync",
            target_type: "ServicePrincipal",
        },
        ids,
    );
    p.audit.push((t3, buf));
    // 6. 05:55–05:57: the account reads the subscription's resources through the portal: 7
    //    distinct seed operations — cloud-discovery-burst over Azure (DistinctAPIs >= 5) and
    //    post-auth-enumeration (more than 5 distinct `*/read` within 2 minutes).
    let reads = [
        (
            "MICROSOFT.RESOURCES/SUBSCRIPTIONS/RESOURCES/READ",
            "RG-PROD-WEB",
        ),
        ("MICROSOFT.COMPUTE/VIRTUALMACHINES/READ", "RG-PROD-WEB"),
        ("MICROSOFT.STORAGE/STORAGEACCOUNTS/READ", "RG-PROD-DATA"),
        ("MICROSOFT.KEYVAULT/VAULTS/READ", "RG-PROD-DATA"),
        ("MICROSOFT.SQL/SERVERS/READ", "RG-PROD-DATA"),
        ("MICROSOFT.NETWORK/VIRTUALNETWORKS/READ", "RG-SHARED-NET"),
        (
            "MICROSOFT.CONTAINERSERVICE/MANAGEDCLUSTERS/READ",
            "RG-PROD-WEB",
        ),
    ];
    for (k, (op, rg)) in reads.iter().enumerate() {
        let ms = t0 + 55 * MIN_MS + k as i64 * 15_000;
        let mut buf = String::with_capacity(1200);
        push_azure_read(
            &mut buf,
            ids,
            org,
            ms,
            op,
            rg,
            &victim.upn,
            &victim.object_id,
        );
        p.azure.push((ms, buf));
    }
}

#[allow(clippy::too_many_arguments)]
fn push_azure_read(
    buf: &mut String,
    ids: &mut Rng,
    org: &Org,
    ms: i64,
    op: &str,
    rg: &str,
    upn: &str,
    oid: &str,
) {
    let sub = &org.subscription_id;
    buf.push_str("{\"time\":\"");
    push_time(buf, ms, 7);
    buf.push_str("\",\"resourceId\":\"/SUBSCRIPTIONS/");
    buf.push_str(&sub.to_ascii_uppercase());
    buf.push_str("/RESOURCEGROUPS/");
    buf.push_str(rg);
    buf.push_str("\",\"operationName\":\"");
    buf.push_str(op);
    buf.push_str("\",\"category\":\"Administrative\",\"resultType\":\"Success\",\"resultSignature\":\"Succeeded.OK\",\"durationMs\":\"212\",\"callerIpAddress\":\"");
    buf.push_str(TOR_EXIT_IP);
    buf.push_str("\",\"correlationId\":\"");
    push_uuid(buf, ids, None);
    buf.push_str("\",\"identity\":{\"claims\":{\"appid\":\"c44b4083-3bb0-49c1-b47d-974e53cbdf3c\",\"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn\":\"");
    buf.push_str(upn);
    buf.push_str("\",\"http://schemas.microsoft.com/identity/claims/objectidentifier\":\"");
    buf.push_str(oid);
    buf.push_str("\"}},\"level\":\"Information\",\"location\":\"global\",\"properties\":{\"statusCode\":\"OK\",\"eventCategory\":\"Administrative\"}}");
}
