//! Test support (feature `testing`, off by default), shared by this crate's tests and
//! benches and the gateway's: [`generate`] makes deterministic Greek mail in legacy
//! charsets, as many and as large as a test needs; [`relay`] stands between a client and a
//! real server and can freeze, drop or slow the connection.

pub mod generate;
pub mod relay;
