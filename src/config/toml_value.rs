//! `toml_edit`'s tree (which keeps spans) to `toml::Value` (which rule parameters and
//! `Params` are written in). Both come from the same parser, so this only copies values.

use toml_edit::{Item, TableLike};

/// None for `Item::None`, which a parsed document does not hold.
pub(super) fn value_of(item: &Item) -> Option<toml::Value> {
    Some(match item {
        Item::None => return None,
        Item::Value(v) => value(v),
        Item::Table(t) => toml::Value::Table(table_of(t)),
        Item::ArrayOfTables(a) => {
            toml::Value::Array(a.iter().map(|t| toml::Value::Table(table_of(t))).collect())
        }
    })
}

pub(super) fn table_of(t: &dyn TableLike) -> toml::Table {
    t.iter()
        .filter_map(|(k, v)| Some((k.to_string(), value_of(v)?)))
        .collect()
}

fn value(v: &toml_edit::Value) -> toml::Value {
    use toml_edit::Value as V;
    match v {
        V::String(s) => toml::Value::String(s.value().clone()),
        V::Integer(i) => toml::Value::Integer(*i.value()),
        V::Float(f) => toml::Value::Float(*f.value()),
        V::Boolean(b) => toml::Value::Boolean(*b.value()),
        V::Datetime(d) => toml::Value::Datetime(*d.value()),
        V::Array(a) => toml::Value::Array(a.iter().map(value).collect()),
        V::InlineTable(t) => toml::Value::Table(table_of(t)),
    }
}

/// The type's name as `toml::Value::type_str` gives it, for messages: an inline table is a
/// "table" and an array of tables an "array" to the reader, however they were written.
pub(super) fn type_name(item: &Item) -> &'static str {
    use toml_edit::Value as V;
    match item {
        Item::None => "nothing",
        Item::Table(_) | Item::Value(V::InlineTable(_)) => "table",
        Item::ArrayOfTables(_) | Item::Value(V::Array(_)) => "array",
        Item::Value(V::String(_)) => "string",
        Item::Value(V::Integer(_)) => "integer",
        Item::Value(V::Float(_)) => "float",
        Item::Value(V::Boolean(_)) => "boolean",
        Item::Value(V::Datetime(_)) => "datetime",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_what_toml_reads() {
        let text = "s = 'a'\ni = -3\nf = 1.5\nb = true\nd = 1979-05-27T07:32:00Z\n\
                    a = [1, ['x']]\nt = { k = { j = 2 } }\n[u]\nv = 1\n[[w]]\nx = 1\n[[w]]\n";
        let doc = toml_edit::ImDocument::parse(text).unwrap();
        let expected: toml::Table = toml::from_str(text).unwrap();
        assert_eq!(table_of(doc.as_table()), expected);
        assert_eq!(type_name(&doc["t"]), "table");
        assert_eq!(type_name(&doc["w"]), "array");
    }
}
