//! libFuzzer entry point; the checks are [`fuzz::ami_decoder`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz::ami_decoder(data));
