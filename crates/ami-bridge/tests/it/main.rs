//! Integration tests: the decoder on fixtures, the correlator on fixtures, and the client
//! against a scripted AMI server on 127.0.0.1.

mod client;
mod correlate;
mod proto;
mod support;
