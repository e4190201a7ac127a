//! Issue 12, point 3: the HTML report in a real browser. Log records in their real export
//! shapes (raw CloudTrail, an Entra sign-in diagnostic export, S3 server access lines) carry
//! script, markup and `javascript:` payloads in identities, user names, user agents and
//! bucket names; they raise alerts, so the payloads reach every part of the report (summary,
//! incident story, fields, activity, evidence, next steps). The report is rendered by
//! headless Chromium (Debian's `chromium`, installed by `scripts/test.sh`), which must:
//! - run the report's own script (it marks `<body data-filters="ready">`), so a script
//!   injected by a log value would have run too;
//! - keep the report's title (every payload tries `document.title='pwned'`), hold no
//!   element a payload would create and no script but ours, and show the payloads as text;
//! - make no network request: Chromium's only way out is a proxy on a local port that the
//!   test watches, and every host name resolves to nothing. A control page that does load
//!   a remote image proves the watch sees a request. Chromium itself, whatever the page
//!   (`about:blank` too) and despite `--disable-background-networking` and
//!   `--disable-component-update`, asks three Google service hosts for updates, account
//!   state and the time ([`CHROMIUM_OWN`]); those requests are the browser's, not the page's,
//!   and are the only ones allowed: any other host fails the test.
//!
//! Without Chromium the test fails, saying to run `scripts/test.sh`; a developer can skip it
//! explicitly with `TRIPLINE_SKIP_BROWSER=1` (the skip is printed).

use std::io::Read;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

#[path = "support/bounded.rs"]
mod bounded;

const CHROMIUM: &str = "/usr/bin/chromium";

/// Hosts Chromium 156 (Debian) contacts on its own, measured with `about:blank` through the
/// same proxy: the component updater, Google account state, network time. No page content
/// names them; the report's requests would go to hosts its log values name.
const CHROMIUM_OWN: &[&str] = &[
    "update.googleapis.com",
    "accounts.google.com",
    "clients2.google.com",
];

/// The host a proxied request is for: `CONNECT host:443 ...` or `GET http://host/... ...`.
fn host_of(request_line: &str) -> String {
    let target = request_line.split_whitespace().nth(1).unwrap_or("");
    let target = target
        .strip_prefix("http://")
        .or_else(|| target.strip_prefix("https://"))
        .unwrap_or(target);
    let authority = target.split('/').next().unwrap_or("");
    authority
        .rsplit_once(':')
        .map_or(authority, |(h, _)| h)
        .to_ascii_lowercase()
}

/// The requests that are not Chromium's own background traffic.
fn page_requests(requests: &[String]) -> Vec<&String> {
    requests
        .iter()
        .filter(|r| !CHROMIUM_OWN.contains(&host_of(r).as_str()))
        .collect()
}
const ACCT: &str = "123456789012";

/// What a log value would do if the report let it run or become markup: each one tries to
/// change the title.
const PAYLOADS: &[&str] = &[
    "<script>document.title='pwned'</script>",
    "\"><img src=x onerror=\"document.title='pwned'\">",
    "javascript:document.title='pwned'",
    "'><svg onload=document.title='pwned'>",
    "</title></style></script><script>document.title='pwned'</script>",
    "<iframe srcdoc=\"<script>parent.document.title='pwned'</script>\">",
    "<a href=\"javascript:document.title='pwned'\">click</a>",
];

/// S3 access log fields are space-separated: bucket names carry payloads without spaces.
const BUCKET_PAYLOADS: &[&str] = &[
    "<img/src=x/onerror=document.title='pwned'>",
    "<script>document.title='pwned'</script>",
    "javascript:document.title='pwned'",
];

fn json_str(s: &str) -> String {
    serde_json::to_string(s).unwrap()
}

/// Raw CloudTrail (one event per line): per payload, an identity whose user name carries
/// it makes 12 discovery calls (6 distinct) with a user agent carrying it, then creates an
/// access key for a user whose name carries it: cloud-discovery-burst, post-auth-enumeration
/// and access-key-created fire, and the activity lists the payloads.
fn cloudtrail() -> String {
    let names = [
        ("DescribeInstances", "ec2.amazonaws.com"),
        ("ListBuckets", "s3.amazonaws.com"),
        ("GetCallerIdentity", "sts.amazonaws.com"),
        ("ListUsers", "iam.amazonaws.com"),
        ("ListRoles", "iam.amazonaws.com"),
        ("DescribeVpcs", "ec2.amazonaws.com"),
    ];
    let mut lines = Vec::new();
    for (i, p) in PAYLOADS.iter().enumerate() {
        let user = format!("evil{i}{p}");
        let arn = json_str(&format!("arn:aws:iam::{ACCT}:user/{user}"));
        let ua = json_str(&format!("aws-cli/2.15.0 {p}"));
        let identity = format!(
            r#"{{"type":"IAMUser","arn":{arn},"accountId":"{ACCT}","userName":{},"accessKeyId":"AKIAEXAMPLE{i:09}"}}"#,
            json_str(&user)
        );
        for round in 0..2 {
            for (j, (name, source)) in names.iter().enumerate() {
                lines.push(format!(
                    r#"{{"eventVersion":"1.08","userIdentity":{identity},"eventTime":"2024-05-06T1{i}:{:02}:{:02}Z","eventSource":"{source}","eventName":"{name}","awsRegion":"eu-west-1","sourceIPAddress":"198.51.100.{}","userAgent":{ua},"readOnly":true,"eventType":"AwsApiCall","eventID":"ct-{i}-{round}-{j}","recipientAccountId":"{ACCT}"}}"#,
                    round * 3,
                    j * 7,
                    10 + i
                ));
            }
        }
        let target = json_str(&format!("backdoor{i}{p}"));
        lines.push(format!(
            r#"{{"eventVersion":"1.09","userIdentity":{identity},"eventTime":"2024-05-06T1{i}:09:00Z","eventSource":"iam.amazonaws.com","eventName":"CreateAccessKey","awsRegion":"us-east-1","sourceIPAddress":"198.51.100.{}","userAgent":{ua},"requestParameters":{{"userName":{target}}},"responseElements":{{"accessKey":{{"accessKeyId":"AKIABACKDOOR{i:08}","status":"Active","userName":{target}}}}},"readOnly":false,"eventType":"AwsApiCall","managementEvent":true,"eventID":"key-{i}","recipientAccountId":"{ACCT}"}}"#,
            10 + i
        ));
    }
    lines.join("\n") + "\n"
}

/// Entra ID sign-in logs (diagnostic export): a password spray over user names carrying the
/// payloads, from one address, with a payload in the user agent.
fn entra() -> String {
    let tenant = "11111111-2222-3333-4444-555555555555";
    PAYLOADS
        .iter()
        .chain(PAYLOADS.iter())
        .enumerate()
        .map(|(i, p)| {
            let upn = json_str(&format!("user{i}{p}@contoso.com"));
            let ua = json_str(&format!("Mozilla/5.0 {p}"));
            let time = format!("2024-05-06T08:00:{:02}Z", i * 2);
            format!(
                r#"{{"time":"{time}","resourceId":"/tenants/{tenant}/providers/Microsoft.aadiam","operationName":"Sign-in activity","category":"SignInLogs","tenantId":"{tenant}","resultType":"50126","resultDescription":"Invalid username or password.","callerIpAddress":"203.0.113.9","correlationId":"c-{i}","identity":"User","properties":{{"id":"s-{i}","createdDateTime":"{time}","userDisplayName":"User","userPrincipalName":{upn},"userId":"u-{i}","appId":"00000002-0000-0ff1-ce00-000000000000","appDisplayName":"Office 365 Exchange Online","ipAddress":"203.0.113.9","status":{{"errorCode":50126,"failureReason":"Invalid username or password."}},"clientAppUsed":"Browser","userAgent":{ua},"homeTenantId":"{tenant}"}}}}"#
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

/// S3 server access log: failed listings of organisation-named buckets carrying payloads.
fn s3_access() -> String {
    (0..24)
        .map(|i| {
            let bucket = format!("acme-{i}{}", BUCKET_PAYLOADS[i % BUCKET_PAYLOADS.len()]);
            let ua = PAYLOADS[i % PAYLOADS.len()].replace('"', "'");
            format!(
                r#"79a59df900bb44eeed96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be {bucket} [06/May/2024:07:00:{i:02} +0000] 192.0.2.44 - REQ{i:04} REST.GET.BUCKET - "GET /?list-type=2&prefix= HTTP/1.1" 403 AccessDenied 243 - 9 - "-" "{ua}" - id= SigV4 ECDHE-RSA-AES128-GCM-SHA256 AuthHeader {bucket}.s3.us-west-2.amazonaws.com TLSv1.2 - -"#
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

/// Writes the corpus and its config (a folder name with a payload too: the inputs list).
fn corpus(dir: &Path) -> (PathBuf, PathBuf) {
    let logs = dir.join("logs-<b>not-bold</b>");
    std::fs::create_dir_all(&logs).unwrap();
    std::fs::write(logs.join("cloudtrail.json"), cloudtrail()).unwrap();
    std::fs::write(logs.join("signins.json"), entra()).unwrap();
    std::fs::write(logs.join("s3-access.log"), s3_access()).unwrap();
    let cfg = dir.join("tripline.toml");
    std::fs::write(&cfg, "[organisation]\nbucket_prefixes = [\"acme\"]\n").unwrap();
    (logs, cfg)
}

/// Chromium, or why the test cannot run. `None`: skipped on request.
fn chromium() -> Option<&'static str> {
    if Path::new(CHROMIUM).exists() {
        return Some(CHROMIUM);
    }
    if std::env::var("TRIPLINE_SKIP_BROWSER").as_deref() == Ok("1") {
        eprintln!("report_browser: SKIPPED (TRIPLINE_SKIP_BROWSER=1): {CHROMIUM} is missing");
        return None;
    }
    panic!(
        "{CHROMIUM} is missing: run scripts/test.sh, which installs Debian's chromium \
         (or set TRIPLINE_SKIP_BROWSER=1 to skip this test knowingly)"
    );
}

/// A local port that counts every connection made to it: Chromium's only proxy.
struct Watch {
    port: u16,
    hits: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<Vec<String>>>,
}

impl Watch {
    fn start() -> Watch {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let hits = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (h, s) = (hits.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            let mut requests = Vec::new();
            while !s.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((mut conn, _)) => {
                        h.fetch_add(1, Ordering::SeqCst);
                        // Keep the request line for the failure message; answer nothing.
                        let _ = conn.set_nonblocking(false);
                        let _ = conn.set_read_timeout(Some(Duration::from_millis(500)));
                        let mut buf = [0u8; 512];
                        let n = conn.read(&mut buf).unwrap_or(0);
                        let text = String::from_utf8_lossy(&buf[..n]);
                        requests.push(text.lines().next().unwrap_or("").to_string());
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(10)),
                }
            }
            requests
        });
        Watch {
            port,
            hits,
            stop,
            thread: Some(thread),
        }
    }

    /// Stops watching; the request lines seen.
    fn finish(mut self) -> Vec<String> {
        self.stop.store(true, Ordering::SeqCst);
        let requests = self.thread.take().unwrap().join().unwrap();
        assert_eq!(requests.len(), self.hits.load(Ordering::SeqCst));
        requests
    }
}

/// Headless Chromium on `page` with the flags that keep it from calling home, every request
/// sent to the watched proxy and every host name unresolvable. `extra`: `--dump-dom` or
/// `--screenshot=...`.
fn run_chromium(bin: &str, page: &Path, profile: &Path, proxy_port: u16, extra: &[&str]) -> Output {
    let mut cmd = Command::new(bin);
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-default-apps",
        "--disable-extensions",
        "--hide-scrollbars",
        "--window-size=1400,2000",
        // Enough virtual time for the page's load handlers and its script.
        "--virtual-time-budget=3000",
    ]);
    cmd.arg(format!("--user-data-dir={}", profile.display()));
    cmd.arg(format!("--proxy-server=http://127.0.0.1:{proxy_port}"));
    // Chromium otherwise connects straight to loopback addresses: send those through the
    // proxy too.
    cmd.arg("--proxy-bypass-list=<-loopback>");
    cmd.arg("--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1");
    cmd.args(extra);
    cmd.arg(format!("file://{}", page.display()));
    bounded::run_bounded(cmd, None, Duration::from_secs(120))
}

/// Every `src=`, `href=`, `action=` and `url(` target in the page's own markup (escaped text
/// holds no `<`, so what sits between `<` and `>` is the report's markup) and its style.
fn url_targets(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    for tag in html.split('<').skip(1) {
        let tag = &tag[..tag.find('>').unwrap_or(tag.len())];
        for attr in [
            " src=",
            " href=",
            " action=",
            " srcset=",
            " xlink:href=",
            " poster=",
        ] {
            if let Some(at) = tag.find(attr) {
                found.push(tag[at..].chars().take(80).collect());
            }
        }
    }
    let mut rest = html;
    while let Some(at) = rest.find("url(") {
        found.push(rest[at..].chars().take(80).collect());
        rest = &rest[at + 4..];
    }
    found
}

#[test]
fn report_is_inert_in_headless_chromium_and_makes_no_request() {
    let Some(bin) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (logs, cfg) = corpus(dir.path());
    let report = dir.path().join("report.html");
    let logs_s = logs.to_string_lossy().into_owned();
    let out = bounded::run_bounded(
        bounded::tripline_cmd(&[
            "scan",
            "--state",
            ":memory:",
            "--config",
            cfg.to_str().unwrap(),
            "--output",
            "jsonl",
            "--report",
            report.to_str().unwrap(),
            &logs_s,
        ]),
        None,
        Duration::from_secs(120),
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let alerts: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    for rule in [
        "cloud-discovery-burst",
        "access-key-created",
        "password-spray",
        "bucket-enumeration",
    ] {
        assert!(
            alerts.iter().any(|a| a["rule"] == rule),
            "{rule} did not fire, so its payloads would not reach the report"
        );
    }
    let html = std::fs::read_to_string(&report).unwrap();

    // Static: one script, ours; nothing that names a URL in markup or style; the policy.
    assert_eq!(html.matches("<script").count(), 1, "one script element");
    let targets = url_targets(&html);
    assert!(targets.is_empty(), "URL targets in the page: {targets:?}");
    assert!(
        html.contains(
            "http-equiv=\"Content-Security-Policy\" content=\"default-src &#39;none&#39;;"
        ),
        "strict policy"
    );
    for p in PAYLOADS.iter().chain(BUCKET_PAYLOADS) {
        assert!(!html.contains(p), "raw payload in the page: {p}");
    }

    // In the browser: the DOM after the page's script ran, watched for any request.
    let watch = Watch::start();
    let profile = tempfile::tempdir().unwrap();
    let dom = run_chromium(bin, &report, profile.path(), watch.port, &["--dump-dom"]);
    let shot = dir.path().join("report.png");
    let shot_arg = format!("--screenshot={}", shot.display());
    let png = run_chromium(bin, &report, profile.path(), watch.port, &[&shot_arg]);
    let requests = watch.finish();
    assert!(
        dom.status.success() && png.status.success(),
        "chromium failed: {}{}",
        String::from_utf8_lossy(&dom.stderr),
        String::from_utf8_lossy(&png.stderr)
    );
    assert!(
        page_requests(&requests).is_empty(),
        "the report made network requests through the proxy: {requests:?}"
    );
    let dom = String::from_utf8(dom.stdout).unwrap();
    let bytes = std::fs::read(&shot).expect("a screenshot");
    assert!(
        bytes.starts_with(b"\x89PNG") && bytes.len() > 10_000,
        "a real screenshot"
    );

    // Nothing changed the title, and no payload became an element or a script.
    assert!(
        dom.contains("<title>tripline report</title>"),
        "title changed"
    );
    assert!(!dom.contains("pwned</title>"));
    assert_eq!(
        dom.matches("<script").count(),
        1,
        "a script other than ours"
    );
    // Text is serialised with `<` escaped, so every `<...>` in the dump is an element.
    for tag in dom.split('<').skip(1) {
        let tag = &tag[..tag.find('>').unwrap_or(tag.len())];
        let name = tag.split([' ', '/']).next().unwrap_or("");
        assert!(
            !["img", "iframe", "a", "b", "object", "embed", "base"].contains(&name),
            "injected <{tag}> in the DOM"
        );
        assert!(
            !tag.contains(" on") && !tag.contains(" href=") && !tag.contains(" src="),
            "injected handler or link in <{tag}>"
        );
    }
    // The page's script ran: an injected one would have run too.
    assert!(
        dom.contains("data-filters=\"ready\""),
        "the report's script did not run: {dom:.2000}"
    );
    // The payloads are there as text (the DOM serialises text with `<`, `>`, `&` escaped).
    let as_text = |p: &str| {
        p.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    for p in PAYLOADS.iter().chain(BUCKET_PAYLOADS) {
        assert!(dom.contains(&as_text(p)), "payload not shown as text: {p}");
    }
    // The filters saw every alert.
    assert!(
        dom.contains(&format!("of {} alerts shown", alerts.len())),
        "filter count"
    );
}

/// The watch above is only worth something if it sees requests: a page without a policy
/// that loads a remote image must reach it (through the proxy, the one way out).
#[test]
fn the_request_watch_sees_a_page_that_loads_a_remote_image() {
    let Some(bin) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("control.html");
    std::fs::write(
        &page,
        "<!DOCTYPE html><html><head><title>control</title></head><body><img src=\"http://tripline-control.example/x.png\"></body></html>",
    )
    .unwrap();
    let watch = Watch::start();
    let profile = tempfile::tempdir().unwrap();
    let out = run_chromium(bin, &page, profile.path(), watch.port, &["--dump-dom"]);
    let requests = watch.finish();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        page_requests(&requests)
            .iter()
            .any(|r| host_of(r) == "tripline-control.example"),
        "the proxy saw no request: {requests:?}"
    );
}

#[test]
fn proxied_request_lines_name_their_host() {
    assert_eq!(
        host_of("CONNECT accounts.google.com:443 HTTP/1.1"),
        "accounts.google.com"
    );
    assert_eq!(
        host_of("GET http://Tripline-Control.example/x.png HTTP/1.1"),
        "tripline-control.example"
    );
    assert_eq!(
        host_of("GET http://evil.example:8080/ HTTP/1.1"),
        "evil.example"
    );
    // A host that merely contains an allowed name is not allowed.
    let lines = vec!["CONNECT update.googleapis.com.evil.example:443 HTTP/1.1".to_string()];
    assert_eq!(page_requests(&lines).len(), 1);
}
