//! A copy of what the suite's Ferrium processes log and of the HTTP answers the tests read
//! (REST and `/metrics`), kept when `FERRIUM_TEST_TRANSCRIPTS` names a folder.
//! `scripts/test.sh` sets it and then scans the folder for the tests' passwords, the SCRAM
//! secret and private keys, none of which may ever appear there (#13).

#![allow(dead_code)]

use std::io::Write;

/// Appends `text`, each line tagged with `what`, to this test binary's transcript.
pub fn keep(what: &str, text: &str) {
    let Some(folder) = std::env::var_os("FERRIUM_TEST_TRANSCRIPTS") else {
        return;
    };
    let binary = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "tests".into());
    let path = std::path::Path::new(&folder).join(format!("{binary}-{}.log", std::process::id()));
    let mut tagged = String::with_capacity(text.len() + 32);
    for line in text.lines() {
        tagged.push_str(what);
        tagged.push_str(": ");
        tagged.push_str(line);
        tagged.push('\n');
    }
    // One append per call: the tests run in parallel and their lines must not interleave.
    let written = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .and_then(|mut file| file.write_all(tagged.as_bytes()));
    if let Err(e) = written {
        panic!("cannot keep the transcript in {}: {e}", path.display());
    }
}
