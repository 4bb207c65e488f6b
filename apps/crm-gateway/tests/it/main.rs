//! Integration tests: the real server on port 0 with a fresh data dir, driven over HTTP.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod helpers;

mod accounts;
mod admin;
mod auth;
mod backups;
mod calls;
mod comms;
mod customers;
mod durability;
mod errors;
mod imports;
mod limits;
mod mail;
mod merges;
mod nextcloud;
mod orders;
mod products;
mod sales;
mod shutdown;
mod store_copy;
mod system;
mod tickets;
mod tidy;
mod whatsapp;
mod workflow_nodes;
mod workflows;
