//! The loader, `config default` and the catalogue read the same definitions; these tests fail
//! when one of them learns a key the others do not.

use super::schema::{self, SECTIONS};
use super::{default_annotated, parse, ConfigErrorKind};
use crate::rules::catalogue::catalogue;

/// The lines of the block that starts with the line `header` (commented or not), up to the
/// next blank line.
fn block<'t>(text: &'t str, header: &str) -> Vec<&'t str> {
    let mut lines = text.lines();
    let found = lines
        .by_ref()
        .any(|l| l.strip_prefix("# ").unwrap_or(l) == header);
    assert!(found, "`config default` has no {header} block");
    lines.take_while(|l| !l.trim().is_empty()).collect()
}

fn assigns(lines: &[&str], key: &str) -> bool {
    let assignment = format!("{key} = ");
    lines
        .iter()
        .any(|l| l.strip_prefix("# ").unwrap_or(l).starts_with(&assignment))
}

#[test]
fn config_default_parses_and_mentions_every_key_the_loader_knows() {
    let text = default_annotated();
    if let Err(e) = parse(&text, "default.toml") {
        panic!("`config default` has {} problems:\n{e}", e.len());
    }
    for top in schema::top_level() {
        if top == schema::RULES {
            for spec in catalogue() {
                let lines = block(&text, &format!("[rules.{}]", spec.id));
                for param in spec.params.keys() {
                    assert!(
                        assigns(&lines, param),
                        "rule {}: parameter {param} is not in `config default`",
                        spec.id
                    );
                }
            }
            continue;
        }
        let section = schema::section(top);
        let header = if section.many {
            format!("[[{top}]]")
        } else {
            format!("[{top}]")
        };
        let lines = block(&text, &header);
        for key in section.key_names() {
            assert!(
                assigns(&lines, key),
                "{header} {key} is not in `config default`"
            );
        }
    }
}

/// Every fixed section with every key set to its printed value.
fn every_key(broken: Option<&str>) -> (String, usize) {
    let mut text = String::new();
    let mut broken_line = 0;
    for s in SECTIONS {
        let header = if s.many { "[[{}]]" } else { "[{}]" };
        text.push_str(&header.replace("{}", s.name));
        text.push('\n');
        for k in s.keys {
            let path = format!("{}.{}", s.name, k.name);
            let value = if broken == Some(path.as_str()) {
                broken_line = text.lines().count() + 1;
                "{}"
            } else {
                k.value
            };
            text.push_str(&format!("{} = {value}\n", k.name));
        }
    }
    (text, broken_line)
}

/// A key listed in `schema` that no check reads would be accepted and silently ignored. Each
/// one in turn gets a table, a wrong type for every fixed key, and must be reported there.
#[test]
fn every_listed_key_is_checked() {
    let (text, _) = every_key(None);
    if let Err(e) = parse(&text, "all.toml") {
        panic!("the printed values are not valid:\n{e}\n{text}");
    }
    for s in SECTIONS {
        for k in s.keys {
            let path = format!("{}.{}", s.name, k.name);
            let (text, line) = every_key(Some(&path));
            let problems: Vec<_> = match parse(&text, "all.toml") {
                Ok(_) => Vec::new(),
                Err(e) => e.errors,
            };
            assert!(
                problems
                    .iter()
                    .any(|p| p.line == Some(line) && p.kind == ConfigErrorKind::WrongType),
                "{path} = {{}} is accepted: no check reads {path}\n{problems:#?}\n{text}"
            );
        }
    }
}
