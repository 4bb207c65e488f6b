//! libFuzzer entry point; the checks are [`fuzz::dav_multistatus`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz::dav_multistatus(data));
