//! Integration tests: the real server on port 0 with a fresh data dir, driven over HTTP.

mod helpers;

mod auth;
mod customers;
mod durability;
mod errors;
mod orders;
mod products;
mod system;
