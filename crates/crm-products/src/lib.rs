//! Products: the catalogue of controllers, strikers, clocks, parts and repair services.
//!
//! A product's `costs.total` and `stock.available` are computed here, never taken from a
//! client; SKUs are unique ignoring case. [`Products`] is the service the gateway calls,
//! [`Service`] implements it over any [`ProductStore`]: [`SqliteProductStore`] keeps products
//! in the shared SQLite database, [`FirestoreProductStore`] in BellSystems' Firestore
//! collection `crm_products`, and [`AnyProductStore`] is either, picked at start.

pub mod error;
pub mod model;
pub mod service;
pub mod store;

pub use error::{Error, Result};
pub use model::{
    Category, Costs, CostsPatch, ListQuery, NewProduct, Page, PartUse, Product, ProductPatch, Sku,
    SkuError, Stock, StockInput, StockPatch,
};
pub use service::{Products, Service};
pub use store::any::AnyProductStore;
pub use store::firestore::FirestoreProductStore;
pub use store::sqlite::SqliteProductStore;
pub use store::{Change, ProductStore};
