//! libFuzzer entry point; the checks are [`fuzz::wa_webhook`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz::wa_webhook(data));
