//! libFuzzer entry point; the checks are [`fuzz::ami_calls`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz::ami_calls(data));
