//! GCP Cloud Audit Logs: `LogEntry` JSON lines as a Cloud Storage sink writes them, hourly
//! files under `cloudaudit.googleapis.com/activity/` (Admin Activity) and `.../data_access/`
//! (Data Access). The background never calls the discovery methods: the routine listing
//! jobs are planted (`attacks`) so their history is exact.

use crate::org::Org;
use crate::rng::{push_uuid, Rng};
use crate::time::push_time;

/// One audit entry.
pub(crate) struct Entry<'a> {
    pub(crate) ms: i64,
    pub(crate) project: &'a str,
    pub(crate) data_access: bool,
    pub(crate) principal: &'a str,
    pub(crate) ip: &'a str,
    pub(crate) user_agent: &'a str,
    pub(crate) service: &'a str,
    pub(crate) method: &'a str,
    pub(crate) resource_name: &'a str,
    /// `resource.type` and its labels, raw JSON (`"bucket_name":"x","location":"y"`).
    pub(crate) resource_type: &'a str,
    pub(crate) labels: &'a str,
}

pub(crate) fn push_entry(buf: &mut String, e: &Entry, rng: &mut Rng) {
    buf.push_str("{\"insertId\":\"");
    push_uuid(buf, rng, None);
    buf.push_str("\",\"logName\":\"projects/");
    buf.push_str(e.project);
    buf.push_str(if e.data_access {
        "/logs/cloudaudit.googleapis.com%2Fdata_access"
    } else {
        "/logs/cloudaudit.googleapis.com%2Factivity"
    });
    buf.push_str("\",\"protoPayload\":{\"@type\":\"type.googleapis.com/google.cloud.audit.AuditLog\",\"status\":{},\"authenticationInfo\":{\"principalEmail\":\"");
    buf.push_str(e.principal);
    buf.push_str("\"},\"requestMetadata\":{\"callerIp\":\"");
    buf.push_str(e.ip);
    buf.push_str("\",\"callerSuppliedUserAgent\":\"");
    buf.push_str(e.user_agent);
    buf.push_str("\"},\"serviceName\":\"");
    buf.push_str(e.service);
    buf.push_str("\",\"methodName\":\"");
    buf.push_str(e.method);
    buf.push_str("\",\"authorizationInfo\":[{\"resource\":\"");
    buf.push_str(e.resource_name);
    buf.push_str("\",\"permission\":\"");
    buf.push_str(e.method.rsplit('.').nth(1).unwrap_or(""));
    buf.push('.');
    buf.push_str(e.method.rsplit('.').next().unwrap_or(""));
    buf.push_str("\",\"granted\":true}],\"resourceName\":\"");
    buf.push_str(e.resource_name);
    buf.push_str("\"},\"resource\":{\"type\":\"");
    buf.push_str(e.resource_type);
    buf.push_str("\",\"labels\":{\"project_id\":\"");
    buf.push_str(e.project);
    buf.push_str("\",");
    buf.push_str(e.labels);
    buf.push_str("}},\"timestamp\":\"");
    push_time(buf, e.ms, 6);
    buf.push_str("\",\"severity\":\"");
    buf.push_str(if e.data_access { "INFO" } else { "NOTICE" });
    buf.push_str("\",\"receiveTimestamp\":\"");
    push_time(buf, e.ms + 400, 6);
    buf.push_str("\"}");
}

const GCLOUD_UA: &str =
    "google-cloud-sdk gcloud/470.0.0 command/gcloud.storage.cp invocation-id/4f1e2d3c";
const SA_UA: &str = "gcloud-python/3.15.0 gl-python/3.11.8 grpc/1.62.1 gax/2.17.1 gccl/2.16.0";

/// Background entry: service accounts reading and writing objects from inside the VPC
/// (Data Access), and people changing instances and buckets (Admin Activity).
pub(crate) fn background(buf: &mut String, rng: &mut Rng, org: &Org, ms: i64, data_access: bool) {
    let mut name = String::with_capacity(96);
    if data_access {
        let (sa, p) = &org.service_accounts[rng.index(org.service_accounts.len())];
        let project = &org.gcp_projects[*p];
        let bucket = format!(
            "{project}-{}",
            rng.pick(&["exports", "raw", "models", "archive"])
        );
        let method = rng.pick(&[
            "storage.objects.get",
            "storage.objects.create",
            "storage.objects.get",
        ]);
        name.push_str("projects/_/buckets/");
        name.push_str(&bucket);
        name.push_str("/objects/part-");
        name.push_str(&rng.range(0, 99_999).to_string());
        name.push_str(".parquet");
        let ip = format!(
            "10.{}.{}.{}",
            128 + *p,
            rng.range(0, 255),
            rng.range(2, 250)
        );
        let labels = format!("\"bucket_name\":\"{bucket}\",\"location\":\"europe-west2\"");
        push_entry(
            buf,
            &Entry {
                ms,
                project,
                data_access,
                principal: sa,
                ip: &ip,
                user_agent: SA_UA,
                service: "storage.googleapis.com",
                method,
                resource_name: &name,
                resource_type: "gcs_bucket",
                labels: &labels,
            },
            rng,
        );
    } else {
        let p = rng.index(org.gcp_projects.len());
        let project = &org.gcp_projects[p];
        let person = &org.users[20 + rng.index(15)];
        let (method, short) = rng.pick(&[
            ("v1.compute.instances.insert", "instances"),
            ("v1.compute.instances.setMetadata", "instances"),
            ("v1.compute.instances.stop", "instances"),
            ("v1.compute.disks.createSnapshot", "disks"),
        ]);
        name.push_str("projects/");
        name.push_str(project);
        name.push_str("/zones/europe-west2-b/");
        name.push_str(short);
        name.push_str("/vm-");
        name.push_str(&rng.range(1, 60).to_string());
        let labels = "\"zone\":\"europe-west2-b\",\"instance_id\":\"4815162342\"";
        let ip = &person.addresses[rng.index(2)];
        push_entry(
            buf,
            &Entry {
                ms,
                project,
                data_access,
                principal: &person.upn,
                ip,
                user_agent: GCLOUD_UA,
                service: "compute.googleapis.com",
                method,
                resource_name: &name,
                resource_type: "gce_instance",
                labels,
            },
            rng,
        );
    }
}
