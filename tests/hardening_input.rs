//! Hardening of the reading layer (issue 10, classes 1-4; SPEC §2, §9): no record can hang
//! the reader, crash the process, blind the rest of its file, or be lost for its shape. Each
//! test runs the binary as a user would, on real log shapes, with a time limit so that a
//! hang fails instead of blocking the suite.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const LIMIT: Duration = Duration::from_secs(60);

/// The binary with `stdin` fed from `input`, killed after `limit` (`support/bounded.rs`).
#[path = "support/bounded.rs"]
mod bounded;

fn tripline_with(args: &[&str], input: Option<&[u8]>, limit: Duration) -> Output {
    bounded::run_bounded(bounded::tripline_cmd(args), input, limit)
}

struct Dir(tempfile::TempDir);

impl Dir {
    fn new() -> Dir {
        Dir(tempfile::tempdir().unwrap())
    }
    fn write(&self, name: &str, bytes: &[u8]) -> String {
        let p: PathBuf = self.0.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        p.to_string_lossy().into_owned()
    }
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

/// `normalize` of one path (or `-` with `stdin`): the events printed and stderr.
fn normalize(path: &str, stdin: Option<&[u8]>, extra: &[&str]) -> (Vec<serde_json::Value>, String) {
    let mut args = vec!["normalize", "--threads", "2"];
    args.extend_from_slice(extra);
    args.push(path);
    let o = tripline_with(&args, stdin, LIMIT);
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(
        o.status.code().is_some(),
        "tripline was killed by a signal (crash): {err}"
    );
    let events = String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    (events, err)
}

/// The rules that fired in a scan of `paths` (the organisation's buckets are `acme-*`).
fn scan_rules(paths: &[&str], rules: &str) -> Vec<String> {
    let dir = Dir::new();
    let config = dir.write(
        "tripline.toml",
        b"[organisation]\nbucket_prefixes = [\"acme\"]\n",
    );
    let mut args = vec![
        "scan", "--output", "jsonl", "--state", ":memory:", "--config", &config, "--rules", rules,
    ];
    args.extend_from_slice(paths);
    let o = tripline_with(&args, None, LIMIT);
    assert!(
        o.status.code().is_some_and(|c| c < 2),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            v["rule"].as_str().unwrap().to_string()
        })
        .collect()
}

fn t(i: usize) -> String {
    format!("2024-05-06T10:{:02}:{:02}Z", i / 60 % 60, i % 60)
}

/// A CloudTrail management event (S3 delivery shape), with `extra` fields appended.
fn cloudtrail(i: usize, extra: &str) -> String {
    format!(
        r#"{{"eventVersion":"1.08","userIdentity":{{"type":"IAMUser","principalId":"AIDAEXAMPLE","arn":"arn:aws:iam::123456789012:user/alice","accountId":"123456789012","accessKeyId":"AKIAEXAMPLE","userName":"alice"}},"eventTime":"{}","eventSource":"ec2.amazonaws.com","eventName":"DescribeInstances","awsRegion":"eu-west-1","sourceIPAddress":"198.51.100.7","userAgent":"aws-cli/2.15.0","requestParameters":{{"instancesSet":{{}}}},"responseElements":null,"requestID":"r-{i}","eventID":"e-{i}","readOnly":true,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"123456789012","eventCategory":"Management"{extra}}}"#,
        t(i)
    )
}

/// `n` CloudTrail lines of about `bytes` in all.
fn lines_of(bytes: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut len = 0;
    while len < bytes {
        let l = cloudtrail(out.len(), "");
        len += l.len() + 1;
        out.push(l);
    }
    out
}

fn padded(i: usize, pad: usize) -> String {
    cloudtrail(
        i,
        &format!(r#","additionalEventData":{{"pad":"{}"}}"#, "x".repeat(pad)),
    )
}

/// ~730 KB of normal lines, a 1.1 MB line that crosses the 1 MiB read block, five more.
fn over_cap_at_block_boundary() -> (Vec<u8>, usize) {
    let mut lines = lines_of(730 * 1024);
    lines.push(padded(lines.len(), 1100 * 1024));
    for _ in 0..5 {
        lines.push(cloudtrail(lines.len(), ""));
    }
    ((lines.join("\n") + "\n").into_bytes(), lines.len() - 1)
}

fn assert_one_too_large(events: &[serde_json::Value], err: &str, expected: usize) {
    assert_eq!(events.len(), expected, "{err}");
    assert!(err.contains("skipped 1 records: record too large"), "{err}");
}

// ---------------------------------------------------------------------------------------
// Class 1: hangs

#[test]
fn line_over_cap_at_block_boundary_does_not_hang() {
    let dir = Dir::new();
    let (bytes, expected) = over_cap_at_block_boundary();
    let path = dir.write("trail.jsonl", &bytes);
    let (events, err) = normalize(&path, None, &[]);
    assert_one_too_large(&events, &err, expected);
}

#[test]
fn gzip_line_over_cap_at_block_boundary_does_not_hang() {
    let dir = Dir::new();
    let (bytes, expected) = over_cap_at_block_boundary();
    let path = dir.write("trail.jsonl.gz", &gzip(&bytes));
    let (events, err) = normalize(&path, None, &[]);
    assert_one_too_large(&events, &err, expected);
}

#[test]
fn stdin_line_over_cap_at_block_boundary_does_not_hang() {
    let (bytes, expected) = over_cap_at_block_boundary();
    let (events, err) = normalize("-", Some(&bytes), &[]);
    assert_one_too_large(&events, &err, expected);
    // `tripline normalize - < file`: stdin is the file itself, read in whole blocks (a pipe
    // hands out 64 KiB at a time and missed the boundary on the old reader).
    let dir = Dir::new();
    let path = dir.write("trail.jsonl", &bytes);
    let mut child = Command::new(env!("CARGO_BIN_EXE_tripline"))
        .args(["normalize", "--threads", "2", "-"])
        .stdin(std::fs::File::open(&path).unwrap())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut out = child.stdout.take().unwrap();
    let counter = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = std::io::Read::read_to_end(&mut out, &mut v);
        v.iter().filter(|&&b| b == b'\n').count()
    });
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("tripline normalize - < file did not finish within {LIMIT:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(counter.join().unwrap(), expected);
}

#[test]
fn stdin_line_over_one_mib_under_a_larger_cap_does_not_hang() {
    let lines = [cloudtrail(0, ""), padded(1, 1200 * 1024), cloudtrail(2, "")];
    let bytes = lines.join("\n") + "\n";
    let (events, err) = normalize(
        "-",
        Some(bytes.as_bytes()),
        &["--max-record-size", "4194304"],
    );
    assert_eq!(events.len(), 3, "{err}");
}

// ---------------------------------------------------------------------------------------
// Class 2: stack overflow on deep nesting

fn nested(levels: usize) -> String {
    format!("{}{}", "[".repeat(levels), "]".repeat(levels))
}

/// A CloudTrail event whose request parameters nest `levels` deep.
fn deep_event(i: usize, levels: usize) -> String {
    cloudtrail(i, &format!(r#","x":{}"#, nested(levels)))
}

fn assert_one_too_deep(events: &[serde_json::Value], err: &str) {
    assert_eq!(events.len(), 2, "{err}");
    assert!(err.contains("nested more than 128 levels deep"), "{err}");
}

#[test]
fn deeply_nested_json_line_is_skipped_alone() {
    let dir = Dir::new();
    let body = [cloudtrail(0, ""), deep_event(1, 19_000), cloudtrail(2, "")].join("\n");
    let (events, err) = normalize(&dir.write("deep.jsonl", body.as_bytes()), None, &[]);
    assert_one_too_deep(&events, &err);
    // Objects as well as arrays.
    let objects = format!("{}1{}", r#"{"a":"#.repeat(19_000), "}".repeat(19_000));
    let body = [cloudtrail(0, ""), objects, cloudtrail(2, "")].join("\n");
    let (events, err) = normalize(&dir.write("deep-obj.jsonl", body.as_bytes()), None, &[]);
    assert_one_too_deep(&events, &err);
}

#[test]
fn deeply_nested_element_of_records_is_skipped_alone() {
    let dir = Dir::new();
    let body = format!(
        r#"{{"Records":[{},{},{}]}}"#,
        cloudtrail(0, ""),
        deep_event(1, 19_000),
        cloudtrail(2, "")
    );
    let (events, err) = normalize(&dir.write("deep.json", body.as_bytes()), None, &[]);
    assert_one_too_deep(&events, &err);
    assert!(err.contains("deep.json#Records[1]"), "{err}");
}

#[test]
fn deeply_nested_element_of_top_level_array_is_skipped_alone() {
    let dir = Dir::new();
    let body = format!(
        "[\n{},\n{},\n{}\n]\n",
        cloudtrail(0, ""),
        deep_event(1, 19_000),
        cloudtrail(2, "")
    );
    let (events, err) = normalize(&dir.write("deep.json", body.as_bytes()), None, &[]);
    assert_one_too_deep(&events, &err);
}

#[test]
fn million_deep_record_is_skipped_alone() {
    let dir = Dir::new();
    let body = [
        cloudtrail(0, ""),
        deep_event(1, 1_000_000),
        cloudtrail(2, ""),
    ]
    .join("\n");
    let path = dir.write("deep.jsonl", body.as_bytes());
    let (events, err) = normalize(&path, None, &["--max-record-size", "4194304"]);
    assert_one_too_deep(&events, &err);
    let body = format!(
        r#"{{"Records":[{},{}]}}"#,
        nested(1_000_000),
        cloudtrail(2, "")
    );
    let path = dir.write("deep.json", body.as_bytes());
    let (events, err) = normalize(&path, None, &["--max-record-size", "4194304"]);
    assert_eq!(events.len(), 1, "{err}");
    assert!(err.contains("nested more than 128 levels deep"), "{err}");
}

// ---------------------------------------------------------------------------------------
// Class 3: one record blinds a file

fn clf(i: usize) -> String {
    format!("[06/May/2024:10:{:02}:{:02} +0000]", i / 60 % 60, i % 60)
}

/// An S3 server access log line: a bucket listing from 203.0.113.50 that got a 404.
fn s3_404(i: usize, user_agent: &[u8]) -> Vec<u8> {
    let mut l = format!(
        r#"79a59df900bb44eeed96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be acme-{i} {} 203.0.113.50 - 3E57427F3EXAMPLE{i} REST.GET.BUCKET - "GET /?list-type=2&prefix= HTTP/1.1" 404 NoSuchBucket 243 - 9 - "-" ""#,
        clf(i * 60)
    )
    .into_bytes();
    l.extend_from_slice(user_agent);
    l.extend_from_slice(
        br#"" - 9vKBE6vMhrNiWHZmb2L0mXOcqPGzQOI5XLnCtZNPxev= SigV4 ECDHE-RSA-AES128-GCM-SHA256 AuthHeader acme.s3.us-west-2.amazonaws.com TLSv1.2 - -"#,
    );
    l
}

fn s3_log(hostile: usize, user_agent: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for i in 0..12 {
        let ua: &[u8] = if i == hostile {
            user_agent
        } else {
            b"aws-cli/2.15.0 Python/3.11 Linux"
        };
        out.extend(s3_404(i, ua));
        out.push(b'\n');
    }
    out
}

#[test]
fn control_bytes_in_one_s3_user_agent_do_not_reject_the_file() {
    let dir = Dir::new();
    // ESC and BEL (a terminal attack) make up over 1 % of the first 4 KiB.
    let ua = b"\x1b]0;owned\x07\x1b[2J\x1b[31m\x07\x07\x07\x07\x07\x07\x07\x07\x07\x07\x07\x07\x07\x07\x07\x07\x07\x07\x07\x07\x07\x07\x07\x07\x07\x07\x07\x07\x07\x07\x07\x07\x07\x07\x07\x07\x07\x07\x07\x07\x07\x07\x07";
    let path = dir.write("s3.log", &s3_log(0, ua));
    assert_eq!(
        scan_rules(&[&path], "bucket-enumeration"),
        ["bucket-enumeration"]
    );
}

#[test]
fn non_utf8_byte_in_one_s3_line_is_read_lossily() {
    let dir = Dir::new();
    let path = dir.write("s3.log", &s3_log(3, b"curl/8.4.0 \xff\xfe"));
    let (events, err) = normalize(&path, None, &[]);
    assert_eq!(events.len(), 12, "{err}");
    assert_eq!(
        scan_rules(&[&path], "bucket-enumeration"),
        ["bucket-enumeration"]
    );
}

#[test]
fn bel_in_one_failed_signin_user_name_does_not_reject_a_sentinel_csv() {
    let dir = Dir::new();
    let mut csv = b"TimeGenerated [UTC],UserPrincipalName,ResultType,ResultDescription,IPAddress,AppDisplayName,ClientAppUsed,UserAgent\n".to_vec();
    for i in 0..10 {
        let user = if i == 0 {
            format!("{}@contoso.com", "\x07".repeat(60))
        } else {
            format!("user{i}@contoso.com")
        };
        csv.extend(
            format!(
                "\"5/6/2024, 10:{i:02}:00.000 AM\",{user},50126,Invalid username or password,203.0.113.50,Azure Portal,Browser,Mozilla/5.0\n"
            )
            .into_bytes(),
        );
    }
    let (events, err) = normalize(&dir.write("signins.csv", &csv), None, &[]);
    assert_eq!(events.len(), 10, "{err}");
}

#[test]
fn utf8_bom_does_not_lose_a_records_file() {
    let dir = Dir::new();
    let body = format!(
        r#"{{"Records":[{},{}]}}"#,
        cloudtrail(0, ""),
        cloudtrail(1, "")
    );
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend(body.as_bytes());
    let (events, err) = normalize(&dir.write("trail.json", &bytes), None, &[]);
    assert_eq!(events.len(), 2, "{err}");
    let (events, err) = normalize(&dir.write("trail.json.gz", &gzip(&bytes)), None, &[]);
    assert_eq!(events.len(), 2, "{err}");
}

#[test]
fn utf8_bom_does_not_lose_lookup_events_output() {
    let dir = Dir::new();
    let events: Vec<String> = (0..3)
        .map(|i| {
            format!(
                r#"{{"EventId":"e-{i}","EventName":"DescribeInstances","ReadOnly":"true","EventTime":"{}","EventSource":"ec2.amazonaws.com","Username":"alice","Resources":[],"CloudTrailEvent":{}}}"#,
                t(i),
                serde_json::to_string(&cloudtrail(i, "")).unwrap()
            )
        })
        .collect();
    let body = format!("{{\n    \"Events\": [\n{}\n    ]\n}}\n", events.join(",\n"));
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend(body.as_bytes());
    let (out, err) = normalize(&dir.write("lookup.json", &bytes), None, &[]);
    assert_eq!(out.len(), 3, "{err}");
}

/// Tenant enumeration through a perimeter log: 25 GetCredentialType probes.
fn probes(user: &str) -> String {
    (0..25)
        .map(|i| {
            format!(
                r#"203.0.113.50 - {user} {} "POST /common/GetCredentialType?mkt=en-US HTTP/1.1" 200 512 "-" "python-requests/2.31.0""#,
                clf(i * 20)
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

#[test]
fn combined_log_user_with_spaces_is_read() {
    let dir = Dir::new();
    let path = dir.write("access.log", probes("John Q Public").as_bytes());
    let (events, err) = normalize(&path, None, &[]);
    assert_eq!(events.len(), 25, "{err}");
    assert_eq!(events[0]["identity"], "John Q Public");
    assert_eq!(
        scan_rules(&[&path], "tenant-enumeration"),
        ["tenant-enumeration"]
    );
}

#[test]
fn odd_first_line_does_not_reject_a_combined_log() {
    let dir = Dir::new();
    let body = format!("this is not a log line\n{}", probes("-"));
    let path = dir.write("access.log", body.as_bytes());
    let (events, err) = normalize(&path, None, &[]);
    assert_eq!(events.len(), 25, "{err}");
    assert!(err.contains("unrecognised format"), "{err}");
}

#[test]
fn combined_log_whose_first_field_starts_with_a_brace_is_text() {
    let dir = Dir::new();
    let body = probes("-").replace("203.0.113.50 -", "{203.0.113.50} -");
    let (events, err) = normalize(&dir.write("access.log", body.as_bytes()), None, &[]);
    assert_eq!(events.len(), 25, "{err}");
}

#[test]
fn utf16_with_bom_is_transcoded_and_read() {
    let dir = Dir::new();
    let text = format!("{}\n{}\n", cloudtrail(0, ""), cloudtrail(1, ""));
    let le: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    let be: Vec<u8> = [0xFE, 0xFF]
        .into_iter()
        .chain(text.encode_utf16().flat_map(u16::to_be_bytes))
        .collect();
    for (name, bytes) in [("le.json", &le), ("be.json", &be)] {
        let (events, err) = normalize(&dir.write(name, bytes), None, &[]);
        assert_eq!(events.len(), 2, "{name}: {err}");
    }
}

#[test]
fn binary_file_is_still_rejected_whole() {
    let dir = Dir::new();
    // Compressed-looking bytes: not gzip, not text.
    let mut x: u32 = 12345;
    let bytes: Vec<u8> = (0..8192)
        .map(|_| {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            (x >> 16) as u8
        })
        .collect();
    let (events, err) = normalize(&dir.write("blob.bin", &bytes), None, &[]);
    assert!(events.is_empty());
    assert!(err.contains("binary data"), "{err}");
}

// ---------------------------------------------------------------------------------------
// Class 4: real shapes lost

/// An EventBridge "AWS API Call via CloudTrail" event, as Kinesis Firehose delivers it.
fn eventbridge(i: usize) -> String {
    format!(
        r#"{{"version":"0","id":"11111111-2222-3333-4444-{i:012}","detail-type":"AWS API Call via CloudTrail","source":"aws.ec2","account":"123456789012","time":"{}","region":"eu-west-1","resources":[],"detail":{}}}"#,
        t(i),
        cloudtrail(i, "")
    )
}

#[test]
fn concatenated_json_objects_are_each_read() {
    let dir = Dir::new();
    let n = 1500; // about 1.4 MB without a single newline
    let body: String = (0..n).map(eventbridge).collect();
    assert!(body.len() > 1 << 20);
    let (events, err) = normalize(&dir.write("firehose", body.as_bytes()), None, &[]);
    assert_eq!(events.len(), n, "{err}");
    let (events, err) = normalize("-", Some(body.as_bytes()), &[]);
    assert_eq!(events.len(), n, "{err}");
}

/// The columns of a Sentinel `SigninLogs` table as the Log Analytics query API returns them.
const SIGNIN_COLUMNS: &[(&str, &str)] = &[
    ("TenantId", "string"),
    ("SourceSystem", "string"),
    ("TimeGenerated", "datetime"),
    ("ResourceId", "string"),
    ("OperationName", "string"),
    ("OperationVersion", "string"),
    ("Category", "string"),
    ("ResultType", "string"),
    ("ResultSignature", "string"),
    ("ResultDescription", "string"),
    ("DurationMs", "long"),
    ("CorrelationId", "string"),
    ("Resource", "string"),
    ("ResourceGroup", "string"),
    ("Identity", "string"),
    ("Level", "string"),
    ("Location", "string"),
    ("AppDisplayName", "string"),
    ("AppId", "string"),
    ("AuthenticationRequirement", "string"),
    ("ClientAppUsed", "string"),
    ("ConditionalAccessStatus", "string"),
    ("CreatedDateTime", "datetime"),
    ("DeviceDetail", "dynamic"),
    ("IPAddress", "string"),
    ("IsInteractive", "bool"),
    ("LocationDetails", "dynamic"),
    ("ResourceDisplayName", "string"),
    ("Status", "dynamic"),
    ("UserAgent", "string"),
    ("UserDisplayName", "string"),
    ("UserId", "string"),
    ("UserPrincipalName", "string"),
    ("UserType", "string"),
    ("Id", "string"),
    ("Type", "string"),
];

fn signin_columns() -> String {
    let cols: Vec<String> = SIGNIN_COLUMNS
        .iter()
        .map(|(n, t)| format!(r#"{{"name":"{n}","type":"{t}"}}"#))
        .collect();
    format!("[{}]", cols.join(","))
}

/// One `SigninLogs` row, cells in `SIGNIN_COLUMNS` order; `time` is a JSON value.
fn signin_row(i: usize, user: &str, ip: &str, code: &str, time: &str) -> String {
    let desc = if code == "0" {
        ""
    } else {
        "Invalid username or password or Invalid on-premise username or password."
    };
    format!(
        r#"["72f988bf-86f1-41af-91ab-2d7cd011db47","Azure AD",{time},"/tenants/72f988bf-86f1-41af-91ab-2d7cd011db47/providers/Microsoft.aadiam","Sign-in activity","1.0","SignInLogs","{code}","None","{desc}",0,"c0ffee00-0000-4000-8000-{i:012}","Microsoft.aadiam","Microsoft.aadiam","{user}","4","NL","Azure Portal","c44b4083-3bb0-49c1-b47d-974e53cbdf3c","singleFactorAuthentication","Browser","notApplied",{time},"{{\"deviceId\":\"\",\"operatingSystem\":\"Windows 10\",\"browser\":\"Edge 120.0.0\"}}","{ip}",true,"{{\"city\":\"Amsterdam\",\"state\":\"Noord-Holland\",\"countryOrRegion\":\"NL\"}}","Windows Azure Service Management API","{{\"errorCode\":{code}}}","Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.0.0","{user}","5f0b7a4e-0000-4000-8000-{i:012}","{user}","Member","a1b2c3d4-0000-4000-8000-{i:012}","SigninLogs"]"#
    )
}

fn signin_time(i: usize) -> String {
    format!(
        "\"2024-05-06T{:02}:{:02}:{:02}Z\"",
        8 + i / 3600,
        i / 60 % 60,
        i % 60
    )
}

/// A Log Analytics query result: about 6,000 successful sign-ins (over 1 MiB), then a
/// spray from one address over eight accounts at 11:00, and a last normal sign-in.
fn signin_query_result() -> (String, usize) {
    let mut rows: Vec<String> = (0..6000)
        .map(|i| {
            let user = format!("user{}@contoso.com", i % 50);
            let ip = format!("203.0.113.{}", i % 200);
            signin_row(i, &user, &ip, "0", &signin_time(i))
        })
        .collect();
    for k in 0..8 {
        let user = format!("victim{k}@contoso.com");
        let time = format!("\"2024-05-06T11:00:{:02}Z\"", k * 5);
        rows.push(signin_row(6000 + k, &user, "198.51.100.66", "50126", &time));
    }
    let n = rows.len();
    (
        format!(
            r#"{{"tables":[{{"name":"PrimaryResult","columns":{},"rows":[{}]}}]}}"#,
            signin_columns(),
            rows.join(",")
        ),
        n,
    )
}

#[test]
fn log_analytics_query_result_over_one_mib_is_streamed_row_by_row() {
    let dir = Dir::new();
    let (body, n) = signin_query_result();
    assert!(body.len() > 4 << 20, "{}", body.len());
    let path = dir.write("signins-query.json", body.as_bytes());
    let (events, err) = normalize(&path, None, &[]);
    assert_eq!(events.len(), n, "{err}");
    assert!(events.iter().all(|e| e["log"] == "entra-signin"), "{err}");
    assert!(
        events[n - 1]["origin"]
            .as_str()
            .unwrap()
            .ends_with(&format!("signins-query.json#tables[0].rows[{}]", n - 1)),
        "{}",
        events[n - 1]
    );
    assert_eq!(events[n - 1]["identity"], "victim7@contoso.com");
    // The spray lies beyond the first MiB: it is only seen through the streamed rows.
    assert_eq!(scan_rules(&[&path], "password-spray"), ["password-spray"]);
    // Each row is capped alone: one row over the cap costs only itself.
    let big = body.replacen(
        "\"Azure Portal\"",
        &format!("\"{}\"", "x".repeat(70 * 1024)),
        1,
    );
    let path = dir.write("signins-one-huge-row.json", big.as_bytes());
    let (events, err) = normalize(&path, None, &["--max-record-size", "65536"]);
    assert_eq!(events.len(), n - 1, "{err}");
    assert!(err.contains("skipped 1 records: record too large"), "{err}");
    assert!(
        err.contains("signins-one-huge-row.json#tables[0].rows[0]"),
        "{err}"
    );
}

#[test]
fn jq_slurped_cloudtrail_files_over_one_mib_are_streamed_record_by_record() {
    // `jq -s . a.json b.json`: an array of S3 delivery files, each over 1 MiB; the
    // discovery burst is in the second, past its first MiB.
    let filler = |from: usize, n: usize| -> Vec<String> {
        (from..from + n)
            .map(|i| cloudtrail(i, "").replace("DescribeInstances", "CreateTags"))
            .collect()
    };
    let first = filler(0, 2000);
    let mut second = filler(2000, 2000);
    for k in 0..10 {
        second.push(cloudtrail(5000 + k, ""));
    }
    let file = |records: &[String]| {
        format!(
            "  {{\n    \"Records\": [\n      {}\n    ]\n  }}",
            records.join(",\n      ")
        )
    };
    let body = format!("[\n{},\n{}\n]\n", file(&first), file(&second));
    assert!(file(&second).len() > 1 << 20);
    let dir = Dir::new();
    let path = dir.write("slurped.json", body.as_bytes());
    let (events, err) = normalize(&path, None, &[]);
    assert_eq!(events.len(), 4010, "{err}");
    assert!(
        events[4009]["origin"]
            .as_str()
            .unwrap()
            .ends_with("slurped.json#[1].Records[2009]"),
        "{}",
        events[4009]
    );
    assert_eq!(
        scan_rules(&[&path], "cloud-discovery-burst"),
        ["cloud-discovery-burst"]
    );
}

// ---------------------------------------------------------------------------------------
// One bad element of an envelope costs only itself (SPEC §9)

fn graph_signin(i: usize, created: &str) -> String {
    format!(
        r#"{{"id":"66ea54eb-0000-4000-8000-{i:012}","createdDateTime":"{created}","userDisplayName":"Alice","userPrincipalName":"alice@contoso.com","userId":"d7e4f1a2-0000-4000-8000-000000000001","appId":"c44b4083-3bb0-49c1-b47d-974e53cbdf3c","appDisplayName":"Azure Portal","ipAddress":"203.0.113.5","clientAppUsed":"Browser","status":{{"errorCode":0,"failureReason":"Other."}},"location":{{"city":"Amsterdam","countryOrRegion":"NL"}}}}"#
    )
}

#[test]
fn one_bad_element_of_an_envelope_costs_only_itself() {
    // JSON lines whose records are envelopes, each normalized as one record: a wrong type
    // in one CloudTrail element, a row without a time and a row that is not a row in a
    // query result, an unparsable embedded event in lookup-events output, a bad time in
    // a Graph page.
    let wrong_type = cloudtrail(2, "").replacen(&format!("\"{}\"", t(2)), "12", 1);
    let embedded = |s: &str| serde_json::to_string(s).unwrap();
    let lines = [
        cloudtrail(0, ""),
        format!(
            r#"{{"Records":[{},{wrong_type},{}]}}"#,
            cloudtrail(1, ""),
            cloudtrail(3, "")
        ),
        format!(
            r#"{{"tables":[{{"name":"PrimaryResult","columns":{},"rows":[{},{},"not a row",{}]}}]}}"#,
            signin_columns(),
            signin_row(0, "a@contoso.com", "203.0.113.1", "0", &signin_time(0)),
            signin_row(1, "b@contoso.com", "203.0.113.1", "0", "null"),
            signin_row(2, "c@contoso.com", "203.0.113.1", "50126", &signin_time(2)),
        ),
        format!(
            r#"{{"Events":[{{"EventId":"e-4","EventName":"DescribeInstances","CloudTrailEvent":{}}},{{"EventId":"e-5","EventName":"DescribeInstances","CloudTrailEvent":"{{\"eventVersion\":"}}]}}"#,
            embedded(&cloudtrail(4, ""))
        ),
        format!(
            r#"{{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#auditLogs/signIns","value":[{},{}]}}"#,
            graph_signin(0, "not a time"),
            graph_signin(1, "2024-05-06T10:00:01Z")
        ),
    ];
    let dir = Dir::new();
    let path = dir.write("envelopes.json", (lines.join("\n") + "\n").as_bytes());
    let (events, err) = normalize(&path, None, &[]);
    let origins: Vec<String> = events
        .iter()
        .map(|e| {
            let o = e["origin"].as_str().unwrap();
            o[o.rfind("envelopes.json").unwrap()..].to_string()
        })
        .collect();
    assert_eq!(
        origins,
        [
            "envelopes.json:1",
            "envelopes.json:2/0",
            "envelopes.json:2/2",
            "envelopes.json:3/0",
            "envelopes.json:3/3",
            "envelopes.json:4/0",
            "envelopes.json:5/1",
        ],
        "{err}"
    );
    let skipped: u32 = err
        .lines()
        .filter_map(|l| l.trim().strip_prefix("skipped "))
        .map(|l| l.split(' ').next().unwrap().parse::<u32>().unwrap())
        .sum();
    assert_eq!(skipped, 5, "{err}");
    for bad in [
        "envelopes.json:2/1",
        "envelopes.json:3/1",
        "envelopes.json:3/2",
        "envelopes.json:4/1",
        "envelopes.json:5/0",
    ] {
        assert!(err.contains(bad), "{bad} reported alone: {err}");
    }
}

// ---------------------------------------------------------------------------------------
// Text that is not UTF-8 inside a JSON record is read lossily (SPEC §9)

#[test]
fn invalid_utf8_inside_json_records_is_read_lossily() {
    // Ten DescribeInstances calls whose user agent has bytes that are not UTF-8: as JSON
    // lines (the prefilter reads `eventName` from the raw bytes and must keep them), as a
    // `Records` file, and in a streamed query-result row.
    let bad_agent = |l: String| {
        l.replacen("aws-cli/2.15.0", "aws-cli/2.15.0 \u{1}", 1)
            .into_bytes()
            .into_iter()
            .map(|b| if b == 1 { 0xff } else { b })
            .collect::<Vec<u8>>()
    };
    let records: Vec<Vec<u8>> = (0..10).map(|i| bad_agent(cloudtrail(i, ""))).collect();
    let dir = Dir::new();
    let lines = dir.write(
        "lines.json",
        &[records.join(&b'\n'), b"\n".to_vec()].concat(),
    );
    let mut wrapped = b"{\"Records\":[".to_vec();
    wrapped.extend_from_slice(&records.join(&b','));
    wrapped.extend_from_slice(b"]}");
    let wrapped = dir.write("records.json", &wrapped);
    for path in [&lines, &wrapped] {
        let (events, err) = normalize(path, None, &[]);
        assert_eq!(events.len(), 10, "{err}");
        assert_eq!(events[0]["user_agent"], "aws-cli/2.15.0 \u{fffd}", "{err}");
        assert_eq!(
            scan_rules(&[path], "cloud-discovery-burst"),
            ["cloud-discovery-burst"]
        );
    }
    let row = signin_row(0, "a@contoso.com", "203.0.113.1", "0", &signin_time(0))
        .replacen("Azure Portal", "Azure Portal \u{1}", 1)
        .replace('\u{1}', "\u{7f}");
    let body = format!(
        r#"{{"tables":[{{"name":"PrimaryResult","columns":{},"rows":[{row}]}}]}}"#,
        signin_columns()
    )
    .into_bytes()
    .into_iter()
    .map(|b| if b == 0x7f { 0xfe } else { b })
    .collect::<Vec<u8>>();
    let (events, err) = normalize(&dir.write("table.json", &body), None, &[]);
    assert_eq!(events.len(), 1, "{err}");
    assert_eq!(events[0]["service"], "Azure Portal \u{fffd}", "{err}");
}
