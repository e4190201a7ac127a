//! Azure Activity Log in the diagnostic-settings export shape (`{"records":[...]}` with
//! `operationName`, `resultType`, `callerIpAddress`, `identity.claims`), hourly `PT1H.json`
//! files. The background is writes and actions only: the Activity Log rarely records reads,
//! so it never feeds the discovery rules.

use crate::org::Org;
use crate::rng::{push_u64, push_uuid, Rng};
use crate::time::push_time;

/// Writes and actions of everyday operations: (operation, resource provider path, kind).
const OPERATIONS: [(&str, &str); 7] = [
    (
        "MICROSOFT.COMPUTE/VIRTUALMACHINES/WRITE",
        "MICROSOFT.COMPUTE/VIRTUALMACHINES/vm-",
    ),
    (
        "MICROSOFT.COMPUTE/VIRTUALMACHINES/START/ACTION",
        "MICROSOFT.COMPUTE/VIRTUALMACHINES/vm-",
    ),
    (
        "MICROSOFT.COMPUTE/VIRTUALMACHINES/DEALLOCATE/ACTION",
        "MICROSOFT.COMPUTE/VIRTUALMACHINES/vm-",
    ),
    (
        "MICROSOFT.RESOURCES/DEPLOYMENTS/WRITE",
        "MICROSOFT.RESOURCES/DEPLOYMENTS/deploy-",
    ),
    (
        "MICROSOFT.NETWORK/NETWORKSECURITYGROUPS/WRITE",
        "MICROSOFT.NETWORK/NETWORKSECURITYGROUPS/nsg-",
    ),
    (
        "MICROSOFT.STORAGE/STORAGEACCOUNTS/WRITE",
        "MICROSOFT.STORAGE/STORAGEACCOUNTS/stnorthwind",
    ),
    (
        "MICROSOFT.WEB/SITES/RESTART/ACTION",
        "MICROSOFT.WEB/SITES/app-",
    ),
];
const RESOURCE_GROUPS: [&str; 4] = ["RG-PROD-WEB", "RG-PROD-DATA", "RG-SHARED-NET", "RG-STAGING"];

/// The Terraform service principal that deploys Azure (its application id).
pub(crate) const TERRAFORM_APP_ID: &str = "6f1d2a8e-3b4c-4d5e-8f90-a1b2c3d4e5f6";

pub(crate) fn background(buf: &mut String, rng: &mut Rng, org: &Org, ms: i64) {
    let (operation, path) = rng.pick(&OPERATIONS);
    let rg = rng.pick(&RESOURCE_GROUPS);
    // Most changes are Terraform's; people make the rest from the office or home.
    let automation = rng.chance(600);
    let person = &org.users[5 + rng.index(20)];
    let ip = if automation {
        "20.171.44.18"
    } else {
        person.addresses[rng.index(2)].as_str()
    };
    let status = if rng.chance(500) { "Start" } else { "Success" };
    buf.push_str("{\"time\":\"");
    push_time(buf, ms, 7);
    buf.push_str("\",\"resourceId\":\"/SUBSCRIPTIONS/");
    buf.push_str(&org.subscription_id.to_ascii_uppercase());
    buf.push_str("/RESOURCEGROUPS/");
    buf.push_str(rg);
    buf.push_str("/PROVIDERS/");
    buf.push_str(path);
    push_u64(buf, rng.range(1, 40));
    buf.push_str("\",\"operationName\":\"");
    buf.push_str(operation);
    buf.push_str("\",\"category\":\"Administrative\",\"resultType\":\"");
    buf.push_str(status);
    buf.push_str("\",\"resultSignature\":\"");
    buf.push_str(if status == "Start" {
        "Started."
    } else {
        "Succeeded."
    });
    buf.push_str("\",\"durationMs\":\"");
    push_u64(buf, rng.range(0, 4000));
    buf.push_str("\",\"callerIpAddress\":\"");
    buf.push_str(ip);
    buf.push_str("\",\"correlationId\":\"");
    push_uuid(buf, rng, None);
    buf.push_str("\",\"identity\":{\"authorization\":{\"scope\":\"/subscriptions/");
    buf.push_str(&org.subscription_id);
    buf.push_str("\",\"action\":\"");
    buf.push_str(operation);
    buf.push_str(
        "\",\"evidence\":{\"role\":\"Contributor\",\"roleAssignmentScope\":\"/subscriptions/",
    );
    buf.push_str(&org.subscription_id);
    buf.push_str("\",\"principalType\":\"");
    buf.push_str(if automation {
        "ServicePrincipal"
    } else {
        "User"
    });
    buf.push_str("\"}},\"claims\":{\"aud\":\"https://management.core.windows.net/\",\"iss\":\"https://sts.windows.net/");
    buf.push_str(&org.tenant_id);
    buf.push_str("/\",\"appid\":\"");
    if automation {
        buf.push_str(TERRAFORM_APP_ID);
        buf.push_str("\",\"http://schemas.microsoft.com/identity/claims/objectidentifier\":\"");
        buf.push_str(TERRAFORM_APP_ID);
    } else {
        buf.push_str("c44b4083-3bb0-49c1-b47d-974e53cbdf3c\",\"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn\":\"");
        buf.push_str(&person.upn);
        buf.push_str("\",\"http://schemas.microsoft.com/identity/claims/objectidentifier\":\"");
        buf.push_str(&person.object_id);
    }
    buf.push_str(
        "\"}},\"level\":\"Information\",\"location\":\"global\",\"properties\":{\"statusCode\":\"",
    );
    buf.push_str(if status == "Start" { "Accepted" } else { "OK" });
    buf.push_str("\",\"serviceRequestId\":\"");
    push_uuid(buf, rng, None);
    buf.push_str("\",\"eventCategory\":\"Administrative\",\"entity\":\"/subscriptions/");
    buf.push_str(&org.subscription_id);
    buf.push_str("\",\"message\":\"");
    buf.push_str(&operation.to_ascii_lowercase());
    buf.push_str("\",\"hierarchy\":\"");
    buf.push_str(&org.tenant_id);
    buf.push('/');
    buf.push_str(&org.subscription_id);
    buf.push_str("\"}}");
}
