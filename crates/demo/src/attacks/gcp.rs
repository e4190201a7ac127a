//! GCP: a leaked service-account key used from the AWS intruder's address, and the routine
//! bucket listing that makes one service account's `storage.buckets.list` ordinary.

use super::plan::{Planted, DAY_MS, INTRUDER_IP, MIN_MS};
use crate::gcp_audit::{push_entry, Entry};
use crate::org::Org;
use crate::rng::Rng;

/// The inventory job lists the buckets of its project every morning at 06:30 from inside the
/// VPC: its `storage.buckets.list` is learned on the first day and never alerts.
pub(crate) fn routine(p: &mut Planted, ids: &mut Rng, start_ms: i64, days: i64, org: &Org) {
    let (sa, project) = &org.service_accounts[2];
    let project = &org.gcp_projects[*project];
    let resource = format!("projects/_/buckets/{project}");
    for d in 0..days {
        let ms = start_ms + d * DAY_MS + 6 * 60 * MIN_MS + 30 * MIN_MS;
        let mut buf = String::with_capacity(1200);
        push_entry(
            &mut buf,
            &Entry {
                ms,
                project,
                data_access: true,
                principal: sa,
                ip: "10.128.4.19",
                user_agent:
                    "gcloud-python/3.15.0 gl-python/3.11.8 grpc/1.62.1 gax/2.17.1 gccl/2.16.0",
                service: "storage.googleapis.com",
                method: "storage.buckets.list",
                resource_name: &resource,
                resource_type: "gcs_bucket",
                labels: "\"bucket_name\":\"\",\"location\":\"global\"",
            },
            ids,
        );
        p.gcp_data.push((ms, buf));
    }
}

/// 03:05 on the attack day: the billing service account's key, from the intruder's address,
/// lists the project's buckets for the first time — first-seen-api (storage.buckets.list by a
/// service account that never enumerates storage; the project's history covers ten days) —
/// then reads four exports — external-object-read (a real address outside the internal
/// networks) — and at 03:12 creates a key for the orders service account —
/// access-key-created (a service-account key; escalated: outside working hours).
pub(crate) fn leaked_key(p: &mut Planted, ids: &mut Rng, day: i64, org: &Org) {
    let (sa, project) = &org.service_accounts[7];
    let project = &org.gcp_projects[*project];
    let ua = "google-cloud-sdk gcloud/470.0.0 command/gcloud.storage.buckets.list invocation-id/9d2c0b1a";
    let t0 = day + 3 * 60 * MIN_MS + 5 * MIN_MS;
    let resource = format!("projects/_/buckets/{project}");
    let mut buf = String::with_capacity(1200);
    push_entry(
        &mut buf,
        &Entry {
            ms: t0,
            project,
            data_access: true,
            principal: sa,
            ip: INTRUDER_IP,
            user_agent: ua,
            service: "storage.googleapis.com",
            method: "storage.buckets.list",
            resource_name: &resource,
            resource_type: "gcs_bucket",
            labels: "\"bucket_name\":\"\",\"location\":\"global\"",
        },
        ids,
    );
    p.gcp_data.push((t0, buf));
    let bucket = format!("{project}-exports");
    let labels = format!("\"bucket_name\":\"{bucket}\",\"location\":\"europe-west2\"");
    for k in 0..4i64 {
        let ms = t0 + 2 * MIN_MS + k * 25_000;
        let name = format!(
            "projects/_/buckets/{bucket}/objects/invoices/2024-0{}.csv",
            k + 1
        );
        let mut buf = String::with_capacity(1200);
        push_entry(
            &mut buf,
            &Entry {
                ms,
                project,
                data_access: true,
                principal: sa,
                ip: INTRUDER_IP,
                user_agent: "google-cloud-sdk gcloud/470.0.0 command/gcloud.storage.cp",
                service: "storage.googleapis.com",
                method: "storage.objects.get",
                resource_name: &name,
                resource_type: "gcs_bucket",
                labels: &labels,
            },
            ids,
        );
        p.gcp_data.push((ms, buf));
    }
    let (target, _) = &org.service_accounts[4];
    let ms = t0 + 7 * MIN_MS;
    let resource = format!("projects/-/serviceAccounts/{target}");
    let labels = format!("\"email_id\":\"{target}\",\"unique_id\":\"104729384756102938475\"");
    let mut buf = String::with_capacity(1200);
    push_entry(
        &mut buf,
        &Entry {
            ms,
            project,
            data_access: false,
            principal: sa,
            ip: INTRUDER_IP,
            user_agent:
                "google-cloud-sdk gcloud/470.0.0 command/gcloud.iam.service-accounts.keys.create",
            service: "iam.googleapis.com",
            method: "google.iam.admin.v1.CreateServiceAccountKey",
            resource_name: &resource,
            resource_type: "service_account",
            labels: &labels,
        },
        ids,
    );
    p.gcp_activity.push((ms, buf));
}
