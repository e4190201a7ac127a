//! Compiles the rule catalogue in: every `src/rules/catalogue/*.toml`, in file-name order,
//! so adding a rule needs no list to edit here (`rules::catalogue` reads the generated table;
//! a test checks it against the registry).

use std::fmt::Write;

fn main() {
    let dir = std::path::Path::new("src/rules/catalogue");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("src/rules/catalogue exists")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".toml"))
        .collect();
    names.sort();
    let mut out = String::from("&[\n");
    for n in &names {
        println!("cargo:rerun-if-changed={}/{n}", dir.display());
        let path = std::fs::canonicalize(dir.join(n)).expect("catalogue file");
        writeln!(out, "    include_str!({:?}),", path.display().to_string()).unwrap();
    }
    out.push(']');
    let dest = std::path::Path::new(&std::env::var("OUT_DIR").unwrap()).join("catalogue_files.rs");
    std::fs::write(dest, out).unwrap();
}
