//! Perimeter logs: the nginx reverse proxy in front of the company's sign-in pages and web
//! apps, in the combined log format, one file per day (`access.log-YYYYMMDD`, as logrotate
//! names them). The proxied Microsoft sign-in page calls `GetCredentialType` once per sign-in.

use crate::org::Org;
use crate::rng::{push_u64, Rng};
use crate::time::push_clf_time;

/// One request line of the combined log format.
pub(crate) struct Line<'a> {
    pub(crate) ip: &'a str,
    pub(crate) ms: i64,
    /// `METHOD path HTTP/1.1`.
    pub(crate) request: &'a str,
    pub(crate) status: u16,
    pub(crate) bytes: u64,
    pub(crate) referer: &'a str,
    pub(crate) user_agent: &'a str,
}

pub(crate) fn push_line(buf: &mut String, l: &Line) {
    buf.push_str(l.ip);
    buf.push_str(" - - [");
    push_clf_time(buf, l.ms.div_euclid(1000));
    buf.push_str("] \"");
    buf.push_str(l.request);
    buf.push_str("\" ");
    push_u64(buf, l.status.into());
    buf.push(' ');
    push_u64(buf, l.bytes);
    buf.push_str(" \"");
    buf.push_str(l.referer);
    buf.push_str("\" \"");
    buf.push_str(l.user_agent);
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
        &Line {
            ip,
            ms,
            request: page,
            status,
            bytes: rng.range(180, 48_000),
            referer: "https://portal.northwind.example/",
            user_agent: crate::entra::signin::BROWSER_UA,
        },
    );
}
