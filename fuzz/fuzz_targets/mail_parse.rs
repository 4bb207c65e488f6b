//! libFuzzer entry point; the checks are [`fuzz::mail_parse`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz::mail_parse(data));
