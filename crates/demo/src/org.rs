//! The organisation behind the demo's Azure, Entra, GCP and perimeter logs: its tenant,
//! subscription, projects, people with the addresses they sign in from, and service accounts.
//! (The AWS estate — accounts, buckets, identities — comes from `cloudtrail`.)

use crate::network::{public_ip, ISP_PREFIXES};
use crate::population::{gen_human_name, APPS, COMPANY};
use crate::rng::{push_uuid, Rng};

pub(crate) const DOMAIN: &str = "northwind.example";

/// A person with a work account in the Entra tenant.
pub(crate) struct User {
    pub(crate) upn: String,
    pub(crate) display: String,
    pub(crate) object_id: String,
    /// Where the person signs in from: the office egress, and home.
    pub(crate) addresses: Vec<String>,
}

pub(crate) struct Org {
    pub(crate) tenant_id: String,
    pub(crate) subscription_id: String,
    pub(crate) users: Vec<User>,
    /// Office egress addresses (two sites).
    pub(crate) office: Vec<String>,
    pub(crate) gcp_projects: Vec<String>,
    /// Service accounts: (e-mail, project index).
    pub(crate) service_accounts: Vec<(String, usize)>,
}

/// People in the tenant (the AWS population is separate and larger).
const USERS: usize = 150;

impl Org {
    pub(crate) fn new(seed: u64) -> Org {
        let mut rng = Rng::stream(seed, 100);
        let uuid = |rng: &mut Rng| {
            let mut s = String::with_capacity(36);
            push_uuid(&mut s, rng, None);
            s
        };
        let tenant_id = uuid(&mut rng);
        let subscription_id = uuid(&mut rng);
        let office: Vec<String> = (0..2).map(|_| public_ip(&mut rng, &ISP_PREFIXES)).collect();
        let users = (0..USERS)
            .map(|i| {
                let name = gen_human_name(i);
                let display = name
                    .split('.')
                    .map(|w| {
                        let mut c = w.chars();
                        c.next()
                            .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                            .unwrap_or_default()
                    })
                    .collect::<Vec<_>>()
                    .join(" ");
                User {
                    upn: format!("{name}@{DOMAIN}"),
                    display,
                    object_id: uuid(&mut rng),
                    addresses: vec![
                        office[i % office.len()].clone(),
                        public_ip(&mut rng, &ISP_PREFIXES),
                    ],
                }
            })
            .collect();
        let gcp_projects = ["prod", "analytics", "shared"]
            .iter()
            .map(|env| format!("{COMPANY}-{env}"))
            .collect::<Vec<_>>();
        let mut service_accounts = Vec::new();
        for (p, project) in gcp_projects.iter().enumerate() {
            for app in APPS.iter().take(4) {
                service_accounts.push((format!("{app}-sa@{project}.iam.gserviceaccount.com"), p));
            }
        }
        Org {
            tenant_id,
            subscription_id,
            users,
            office,
            gcp_projects,
            service_accounts,
        }
    }
}
