//! libFuzzer entry point; the checks are [`fuzz::dav_path`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz::dav_path(data));
