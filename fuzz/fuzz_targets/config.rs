//! The config loader and validator behind `tripline config check`: any text is a config or a
//! list of problems, never a panic. The problems are also rendered the two ways the CLI does.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Err(e) = tripline::config::parse(text, "fuzz.toml") {
        let _ = e.to_string();
        let _ = e.for_terminal();
    }
});
