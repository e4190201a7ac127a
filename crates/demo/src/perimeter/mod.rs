//! Perimeter logs: the nginx reverse proxy in front of the company's sign-in pages and web
//! apps, in the combined log format, one file per day (`access.log-YYYYMMDD`, as logrotate
//! names them). The proxied Microsoft sign-in page calls `GetCredentialType` once per sign-in.

use crate::org::Org;
use crate::rng::{push_u64, Rng};
use crate::time::push_clf_time;

/// One request line.
pub(crate) fn push_line(
    buf: &mut String,
    ip: &str,
    ms: i64,
    request: &str,
    status: u16,
    bytes: u64,
    referer: &str,
    user_agent: &str,
) {
    buf.push_str(ip);
    buf.push_str(" - - [");
    push_clf_time(buf, ms.div_euclid(1000));
    buf.push_str("] \"");
    buf.push_str(request);
    buf.push_str("\" ");
    push_u64(buf, status.into());
    buf.push(' ');
    push_u64(buf, bytes);
    buf.push_str(" \"");
    buf.push_str(referer);
    buf.push_str("\" \"");
    buf.push_str(user_agent);
    buf.push('"');
}

const PAGES: [&str; 8] = [
    "GET / HTTP/1.1",
    "GET /portal/dashboard HTTP/1.1",
    "GET /static/app.3f9c1e.js HTTP/1.1",
    "GET /static/site.css HTTP/1.1",
    "POST /api/v2/orders HTTP/1.1",
    "GET /api/v2/catalog?page=2 HTTP/1.1",
    "GET /favicon.ico HTTP/1.1",
    "POST /common/GetCredentialType?mkt=en-GB HTTP/1.1",
];

pub(crate) fn background(buf: &mut String, rng: &mut Rng, org: &Org, ms: i64) {
    let person = &org.users[rng.index(org.users.len())];
    let ip = &person.addresses[rng.index(2)];
    let page = PAGES[rng.index(PAGES.len())];
    let status = if rng.chance(20) { 404 } else { 200 };
    push_line(
        buf,
        ip,
        ms,
        page,
        status,
        rng.range(180, 48_000),
        "https://portal.northwind.example/",
        crate::entra::signin::BROWSER_UA,
    );
}
