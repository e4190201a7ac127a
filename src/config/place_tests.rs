//! Where problems are reported (line and column, from `toml_edit`'s spans) and what kind they
//! are. The messages themselves are pinned in `tests.rs`.

use super::{load, parse, ConfigErrorKind as Kind};

/// (kind, line, column) of every problem, in the order reported.
fn places(text: &str) -> Vec<(Kind, usize, usize)> {
    match parse(text, "t.toml") {
        Ok(_) => Vec::new(),
        Err(e) => e
            .iter()
            .map(|p| (p.kind, p.line.unwrap(), p.column.unwrap()))
            .collect(),
    }
}

#[test]
fn each_kind_of_problem() {
    assert_eq!(places("a = 1\nb = = 2\n"), [(Kind::Syntax, 2, 5)]);
    assert_eq!(
        places("[organisation]\n  nope = 1\n"),
        [(Kind::UnknownKey, 2, 3)]
    );
    assert_eq!(places("[rules.nope]\n"), [(Kind::UnknownRule, 1, 1)]);
    assert_eq!(
        places("[[suppress]]\nrule = \"nope\"\nidentity = \"a\"\nreason = \"x\"\n"),
        [(Kind::UnknownRule, 2, 8)]
    );
    assert_eq!(
        places("[working_hours]\ntimezone = \"UTC\"\nstart = \"09:00\"\n"),
        [(Kind::MissingKey, 1, 1)]
    );
    assert_eq!(
        places("[state]\nretention = 30\n"),
        [(Kind::WrongType, 2, 13)]
    );
    assert_eq!(
        places("[stream]\nlateness = \"1y\"\n"),
        [(Kind::InvalidValue, 2, 12)]
    );
    assert_eq!(
        places("[rules.password-spray]\nnope = 1\nwindow = 5\nmin_failures = 0\n"),
        [
            (Kind::UnknownKey, 2, 1),
            (Kind::WrongType, 3, 10),
            (Kind::InvalidValue, 4, 16)
        ]
    );

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.toml");
    std::fs::write(&path, "[lists]\ngeoip = \"absent.mmdb\"\n").unwrap();
    let err = load(&path).unwrap_err();
    assert_eq!(err.errors[0].kind, Kind::MissingFile);
    assert_eq!(
        (err.errors[0].line, err.errors[0].column),
        (Some(2), Some(9))
    );
    let err = load(dir.path().join("absent.toml")).unwrap_err();
    assert_eq!(err.errors[0].kind, Kind::Read);
    assert_eq!((err.errors[0].line, err.errors[0].column), (None, None));
}

#[test]
fn a_bad_list_element_is_reported_where_it_is_written() {
    let text = "[organisation]\nbucket_prefixes = [\n  \"acme\",\n  \"Acme\",\n]\n\
                internal_cidrs = [\"10.0.0.0/8\", \"10.1.2.3/8\"]\n";
    assert_eq!(
        places(text),
        [(Kind::InvalidValue, 4, 3), (Kind::InvalidValue, 6, 33)]
    );
    let days = "[working_hours]\ntimezone = \"UTC\"\ndays = [\n  \"mon\",\n  \"funday\",\n]\n\
                start = \"08:00\"\nend = \"18:00\"\n";
    assert_eq!(places(days), [(Kind::InvalidValue, 5, 3)]);
}

#[test]
fn dotted_inline_and_crlf_files() {
    assert_eq!(
        places("organisation.bucket_prefixes = [\"A\"]\n"),
        [(Kind::InvalidValue, 1, 33)]
    );
    assert_eq!(
        places("x = 1\nworking_hours = { timezone = \"UTC\" }\n")
            .iter()
            .map(|p| p.1)
            .collect::<Vec<_>>(),
        [1, 2, 2]
    );
    assert_eq!(
        places("a = 1\r\n[organisation]\r\n\r\nbucket_prefixes = [\r\n  \"x\",\r\n]\r\nhigh_privilege = 3\r\n"),
        [(Kind::UnknownKey, 1, 1), (Kind::WrongType, 7, 18)]
    );
    // A quoted key may hold a newline: the problem is on the line the key is written on.
    assert_eq!(
        places("[organisation]\n\"a\\nb\" = 1\n"),
        [(Kind::UnknownKey, 2, 1)]
    );
    // A whole unknown table is reported at its own header, even one implied by a deeper one.
    assert_eq!(
        places("[organisation]\n  [organisation.x.y]\n  z = 1\n"),
        [(Kind::UnknownKey, 2, 17)]
    );
    assert_eq!(places("[suppress.x]\n"), [(Kind::WrongType, 1, 2)]);
}
