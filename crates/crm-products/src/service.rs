//! The products service: the public trait the gateway calls and its implementation over any
//! [`ProductStore`].

use std::future::Future;
use std::sync::Arc;

use crm_core::Clock;
use uuid::Uuid;

use crate::error::Result;
use crate::model::{ListQuery, NewProduct, Page, PartUse, Product, ProductPatch};
use crate::store::{Change, ProductStore};

/// Everything that can be done with products.
pub trait Products: Send + Sync {
    /// A page of products matching the query and the total number of matches.
    fn list(&self, query: ListQuery) -> impl Future<Output = Result<Page<Product>>> + Send;

    /// One product, or `Error::NotFound`.
    fn get(&self, id: Uuid) -> impl Future<Output = Result<Product>> + Send;

    /// Validates and stores a new product (new id, version 1). A SKU already used (ignoring
    /// case) is `Error::Conflict`.
    fn create(&self, new: NewProduct) -> impl Future<Output = Result<Product>> + Send;

    /// Applies a partial update. With `expected_version` given and not the stored one, the
    /// answer is `Error::Stale` and nothing changes. A patch that changes nothing returns the
    /// record as it is, without a new version.
    fn update(
        &self,
        id: Uuid,
        patch: ProductPatch,
        expected_version: Option<i64>,
    ) -> impl Future<Output = Result<Product>> + Send;

    /// Deletes a product. Stale `expected_version` → `Error::Stale`; referenced by orders →
    /// `Error::InUse`; in both cases the product stays.
    fn delete(
        &self,
        id: Uuid,
        expected_version: Option<i64>,
    ) -> impl Future<Output = Result<()>> + Send;

    /// Takes parts out of stock as the movement `key`, once: see
    /// [`ProductStore::take_parts`]. `true` when taken now, `false` when `key` was taken before.
    fn take_parts(
        &self,
        key: &str,
        parts: Vec<PartUse>,
        use_reserved: bool,
    ) -> impl Future<Output = Result<bool>> + Send;

    /// Puts back what the movement `key` took; `false` when nothing was taken under it.
    fn return_parts(&self, key: &str) -> impl Future<Output = Result<bool>> + Send;
}

/// [`Products`] over a store, with time from an injected clock.
#[derive(Debug, Clone)]
pub struct Service<S> {
    store: S,
    clock: Arc<dyn Clock>,
}

impl<S: ProductStore> Service<S> {
    pub fn new(store: S, clock: Arc<dyn Clock>) -> Self {
        Self { store, clock }
    }

    pub fn store(&self) -> &S {
        &self.store
    }
}

impl<S: ProductStore> Products for Service<S> {
    async fn list(&self, query: ListQuery) -> Result<Page<Product>> {
        self.store.list(query).await
    }

    async fn get(&self, id: Uuid) -> Result<Product> {
        self.store.get(id).await
    }

    async fn create(&self, new: NewProduct) -> Result<Product> {
        let product = new.into_product(Uuid::new_v4(), self.clock.now())?;
        self.store.insert(product.clone()).await?;
        Ok(product)
    }

    async fn update(
        &self,
        id: Uuid,
        patch: ProductPatch,
        expected_version: Option<i64>,
    ) -> Result<Product> {
        let now = self.clock.now();
        self.store
            .update(id, expected_version, move |current| {
                let next = patch.clone().apply(current)?;
                Ok(if next == *current {
                    Change::Unchanged
                } else {
                    Change::Save(Box::new(Product {
                        updated_at: now,
                        ..next
                    }))
                })
            })
            .await
    }

    async fn delete(&self, id: Uuid, expected_version: Option<i64>) -> Result<()> {
        self.store.delete(id, expected_version).await
    }

    async fn take_parts(&self, key: &str, parts: Vec<PartUse>, use_reserved: bool) -> Result<bool> {
        let now = self.clock.now();
        self.store
            .take_parts(key.to_owned(), parts, use_reserved, now)
            .await
    }

    async fn return_parts(&self, key: &str) -> Result<bool> {
        self.store
            .return_parts(key.to_owned(), self.clock.now())
            .await
    }
}

#[cfg(test)]
mod tests {
    //! Behaviour stories, written against any store and run on each implementation.

    use std::sync::Arc;

    use crm_core::firestore::Collections;
    use crm_core::{Db, FixedClock, Timestamp};

    use crate::store::firestore::FirestoreProductStore;
    use crate::store::sqlite::SqliteProductStore;

    fn clock() -> FixedClock {
        FixedClock::new(Timestamp::parse("2026-03-01T10:00:00Z").unwrap())
    }

    fn sqlite() -> (
        tempfile::TempDir,
        super::Service<SqliteProductStore>,
        FixedClock,
    ) {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(dir.path().join("crm.db")).unwrap();
        let clock = clock();
        let svc = super::Service::new(SqliteProductStore::new(db), Arc::new(clock.clone()));
        (dir, svc, clock)
    }

    /// A store on the emulator, in collections of its own.
    fn firestore() -> (super::Service<FirestoreProductStore>, FixedClock) {
        let collections = Collections::new(firestore::testing::collection_prefix("products"));
        let store = FirestoreProductStore::new(firestore::testing::client(), collections);
        let clock = clock();
        (super::Service::new(store, Arc::new(clock.clone())), clock)
    }

    /// Each story once on SQLite (`on_sqlite::…`) and once on Firestore (`on_firestore::…`).
    macro_rules! on_every_store {
        ($($story:ident),* $(,)?) => {
            mod on_sqlite {
                $(
                    #[tokio::test]
                    async fn $story() {
                        let (_dir, svc, clock) = super::sqlite();
                        super::stories::$story(&svc, &clock).await;
                    }
                )*
            }
            mod on_firestore {
                $(
                    #[tokio::test]
                    async fn $story() {
                        let (svc, clock) = super::firestore();
                        super::stories::$story(&svc, &clock).await;
                    }
                )*
            }
        };
    }

    on_every_store!(
        create_computes_costs_total_and_available,
        money_is_exact,
        money_keeps_every_digit,
        duplicate_sku_is_a_conflict_ignoring_case,
        stale_version_changes_nothing,
        partial_update_changes_only_given_fields,
        unchanged_patch_keeps_the_version,
        invalid_input_names_the_field_and_stores_nothing,
        list_filters_orders_and_counts,
        search_ignores_case_accents_and_wildcards,
        unknown_ids_are_not_found,
        delete_removes,
        sku_changes_free_the_old_sku,
        scan_pages_in_id_order_and_put_all_stores_records_as_given,
        parts_are_taken_once_per_movement_and_put_back,
        taking_parts_is_all_or_nothing,
        of_concurrent_takes_of_the_last_unit_one_wins,
    );

    mod stories {
        use crm_core::{FixedClock, Money, Timestamp};
        use serde_json::json;
        use uuid::Uuid;

        use crate::error::Error;
        use crate::model::{
            Category, ListQuery, NewProduct, PartUse, Product, ProductPatch, Sku, Stock,
        };
        use crate::service::{Products, Service};
        use crate::store::ProductStore;

        fn money(s: &str) -> Money {
            Money::parse(s).unwrap()
        }

        fn new(v: serde_json::Value) -> NewProduct {
            serde_json::from_value(v).unwrap()
        }

        fn patch(v: serde_json::Value) -> ProductPatch {
            serde_json::from_value(v).unwrap()
        }

        async fn create<S: ProductStore>(svc: &Service<S>, v: serde_json::Value) -> Product {
            svc.create(new(v)).await.unwrap()
        }

        async fn simple<S: ProductStore>(
            svc: &Service<S>,
            name: &str,
            sku: &str,
            category: &str,
            active: bool,
        ) -> Product {
            create(
                svc,
                json!({"name": name, "sku": sku, "category": category, "active": active}),
            )
            .await
        }

        fn invalid_field<T: std::fmt::Debug>(r: Result<T, Error>) -> String {
            match r {
                Err(Error::Invalid { field, .. }) => field,
                other => panic!("expected Invalid, got {other:?}"),
            }
        }

        pub async fn create_computes_costs_total_and_available<S: ProductStore>(
            svc: &Service<S>,
            _clock: &FixedClock,
        ) {
            let p = create(
                svc,
                json!({
                    "name": "VESPER controller", "sku": "VESPER-2", "category": "controller",
                    "price": "249.00",
                    "costs": {"pcb": "12.30", "components": 7.15, "enclosure": 3,
                              "labor_hours": 2.5, "labor_rate": "20", "shipping_in": "1.05",
                              "total": 1},
                    "stock": {"on_hand": 10, "reserved": 3, "available": 100},
                    "nextcloud_folder": "02_Products/VESPER"
                }),
            )
            .await;
            assert_eq!(p.costs.total, money("73.5"));
            assert_eq!(
                p.stock,
                Stock {
                    on_hand: 10,
                    reserved: 3,
                    available: 7
                }
            );
            assert_eq!(p.version, 1);
            assert_eq!(
                p.created_at,
                Timestamp::parse("2026-03-01T10:00:00Z").unwrap()
            );
            assert_eq!(p.updated_at, p.created_at);

            let stored = svc.get(p.id).await.unwrap();
            assert_eq!(stored, p);
            let v = serde_json::to_value(&stored).unwrap();
            assert_eq!(serde_json::to_string(&v["costs"]["total"]).unwrap(), "73.5");
            assert_eq!(serde_json::to_string(&v["price"]).unwrap(), "249");
            assert_eq!(v["stock"]["available"], 7);
            assert_eq!(v["nextcloud_folder"], "02_Products/VESPER");
            // no rate given: order lines of it are 24 % by default
            assert_eq!(v["vat_rate"], 24);
        }

        pub async fn money_is_exact<S: ProductStore>(svc: &Service<S>, _clock: &FixedClock) {
            let p = create(
                svc,
                json!({"name": "Part", "sku": "P-1", "category": "part", "price": 0.45,
                       "costs": {"pcb": 0.1, "components": 0.2}}),
            )
            .await;
            let stored = svc.get(p.id).await.unwrap();
            assert_eq!(stored.costs.total.to_string(), "0.3");
            assert_eq!(stored.price.to_string(), "0.45");
            assert_eq!(serde_json::to_string(&stored.costs.total).unwrap(), "0.3");
            assert_eq!(serde_json::to_string(&stored.price).unwrap(), "0.45");
            // parts keep their precision, only the total is rounded to cents
            let p = svc
                .update(p.id, patch(json!({"costs": {"enclosure": "0.005"}})), None)
                .await
                .unwrap();
            assert_eq!(p.costs.enclosure.to_string(), "0.005");
            assert_eq!(p.costs.total.to_string(), "0.31");
        }

        pub async fn duplicate_sku_is_a_conflict_ignoring_case<S: ProductStore>(
            svc: &Service<S>,
            _clock: &FixedClock,
        ) {
            let a = simple(svc, "A", "VESPER-2", "controller", true).await;
            match svc
                .create(NewProduct::new("B", " vesper-2 ", Category::Part))
                .await
            {
                Err(Error::Conflict { message }) => {
                    assert!(message.contains("vesper-2"), "{message}")
                }
                other => panic!("expected Conflict, got {other:?}"),
            }
            let b = simple(svc, "B", "OTHER", "part", true).await;
            match svc
                .update(b.id, patch(json!({"sku": "Vesper-2"})), None)
                .await
            {
                Err(Error::Conflict { message }) => {
                    assert!(message.contains("Vesper-2"), "{message}")
                }
                other => panic!("expected Conflict, got {other:?}"),
            }
            assert_eq!(svc.get(b.id).await.unwrap(), b);
            assert_eq!(svc.list(ListQuery::default()).await.unwrap().total, 2);
            // a product may change the case of its own SKU
            let a2 = svc
                .update(a.id, patch(json!({"sku": "vesper-2"})), Some(1))
                .await
                .unwrap();
            assert_eq!(a2.sku.as_str(), "vesper-2");
            assert_eq!(a2.version, 2);
        }

        pub async fn stale_version_changes_nothing<S: ProductStore>(
            svc: &Service<S>,
            _clock: &FixedClock,
        ) {
            let p = simple(svc, "A", "A-1", "striker", true).await;
            let p2 = svc
                .update(p.id, patch(json!({"name": "A2"})), Some(1))
                .await
                .unwrap();
            assert_eq!(p2.version, 2);
            let r = svc
                .update(p.id, patch(json!({"name": "A3", "price": 5})), Some(1))
                .await;
            assert!(
                matches!(r, Err(Error::Stale { current_version: 2 })),
                "{r:?}"
            );
            let r = svc.delete(p.id, Some(1)).await;
            assert!(
                matches!(r, Err(Error::Stale { current_version: 2 })),
                "{r:?}"
            );
            assert_eq!(svc.get(p.id).await.unwrap(), p2);
            // no If-Match: no check
            let p3 = svc
                .update(p.id, patch(json!({"name": "A3"})), None)
                .await
                .unwrap();
            assert_eq!(p3.version, 3);
        }

        pub async fn partial_update_changes_only_given_fields<S: ProductStore>(
            svc: &Service<S>,
            clock: &FixedClock,
        ) {
            let p = create(
                svc,
                json!({
                    "name": "Tower clock", "sku": "CLK-1", "category": "clock",
                    "description": "Ρολόι πύργου", "price": "1200", "currency": "EUR",
                    "costs": {"pcb": 100, "labor_hours": 10, "labor_rate": 25},
                    "stock": {"on_hand": 4, "reserved": 1},
                    "nextcloud_folder": "02_Products/CLOCK", "linked_device_type": "clock_v1"
                }),
            )
            .await;
            clock.advance(time::Duration::minutes(5));
            // what the old console sends: the whole record, changed here and there
            let mut body = serde_json::to_value(&p).unwrap();
            body["description"] = json!(null);
            body["linked_device_type"] = json!(null);
            body["costs"]["labor_hours"] = json!("12");
            body["costs"]["total"] = json!(1);
            body["stock"]["available"] = json!(1000);
            body["version"] = json!(77);
            body["created_at"] = json!("2000-01-01T00:00:00Z");
            let next = svc.update(p.id, patch(body), Some(1)).await.unwrap();
            assert_eq!(next.description, None);
            assert_eq!(next.linked_device_type, None);
            assert_eq!(next.costs.labor_hours, money("12"));
            assert_eq!(next.costs.total, money("400"));
            assert_eq!(next.stock.available, 3);
            assert_eq!(next.version, 2);
            assert_eq!(next.created_at, p.created_at);
            assert_eq!(
                next.updated_at,
                Timestamp::parse("2026-03-01T10:05:00Z").unwrap()
            );
            assert_eq!(
                Product {
                    description: None,
                    linked_device_type: None,
                    costs: next.costs,
                    updated_at: next.updated_at,
                    version: 2,
                    ..p.clone()
                },
                next
            );

            // a small patch: only the given fields change; absent nullable fields stay
            let next = svc
                .update(
                    p.id,
                    patch(json!({"price": "999.90", "stock": {"on_hand": 6}, "vat_rate": 13})),
                    None,
                )
                .await
                .unwrap();
            assert_eq!(next.vat_rate, crm_core::VatRate::REDUCED);
            assert_eq!(svc.get(p.id).await.unwrap().vat_rate, next.vat_rate);
            assert_eq!(next.price, money("999.9"));
            assert_eq!(
                next.stock,
                Stock {
                    on_hand: 6,
                    reserved: 1,
                    available: 5
                }
            );
            assert_eq!(next.nextcloud_folder.as_deref(), Some("02_Products/CLOCK"));
            assert_eq!(next.name, "Tower clock");
            assert_eq!(next.costs.total, money("400"));
            assert_eq!(next.version, 3);
            assert_eq!(svc.get(p.id).await.unwrap(), next);
        }

        pub async fn unchanged_patch_keeps_the_version<S: ProductStore>(
            svc: &Service<S>,
            clock: &FixedClock,
        ) {
            let p = simple(svc, "A", "A-1", "part", true).await;
            clock.advance(time::Duration::minutes(1));
            let same = svc
                .update(p.id, patch(serde_json::to_value(&p).unwrap()), Some(1))
                .await
                .unwrap();
            assert_eq!(same, p);
            let same = svc
                .update(p.id, patch(json!({"name": "  A  "})), None)
                .await
                .unwrap();
            assert_eq!(same.version, 1);
        }

        pub async fn invalid_input_names_the_field_and_stores_nothing<S: ProductStore>(
            svc: &Service<S>,
            _clock: &FixedClock,
        ) {
            let base = json!({"name": "N", "sku": "S-1", "category": "part"});
            let with = |k: &str, v: serde_json::Value| {
                let mut b = base.clone();
                b[k] = v;
                b
            };
            let cases = [
                (with("name", json!("  ")), "name"),
                (with("costs", json!({"pcb": "-0.01"})), "costs.pcb"),
                (
                    with("stock", json!({"on_hand": 1, "reserved": 2})),
                    "stock.reserved",
                ),
                (with("currency", json!("eur1")), "currency"),
                (with("sku", json!("S 1")), "sku"),
            ];
            for (body, field) in cases {
                assert_eq!(invalid_field(svc.create(new(body)).await), field);
            }
            assert_eq!(svc.list(ListQuery::default()).await.unwrap().total, 0);

            let p = create(
                svc,
                json!({"name": "N", "sku": "S-1", "category": "part",
                                       "stock": {"on_hand": 2, "reserved": 1}}),
            )
            .await;
            let cases = [
                (json!({"name": ""}), "name"),
                (json!({"stock": {"reserved": 3}}), "stock.reserved"),
                (json!({"stock": {"on_hand": 0}}), "stock.reserved"),
                (json!({"stock": {"on_hand": -1}}), "stock.on_hand"),
                (json!({"costs": {"labor_rate": -5}}), "costs.labor_rate"),
                (json!({"price": "-1"}), "price"),
                (json!({"currency": "eur1"}), "currency"),
                (json!({"nextcloud_folder": "../secret"}), "nextcloud_folder"),
            ];
            for (body, field) in cases {
                assert_eq!(
                    invalid_field(svc.update(p.id, patch(body), Some(1)).await),
                    field
                );
            }
            assert_eq!(svc.get(p.id).await.unwrap(), p);
        }

        pub async fn list_filters_orders_and_counts<S: ProductStore>(
            svc: &Service<S>,
            _clock: &FixedClock,
        ) {
            let mut controllers = Vec::new();
            for (i, name) in ["delta", "Alpha", "charlie", "bravo", "echo"]
                .iter()
                .enumerate()
            {
                controllers.push(simple(svc, name, &format!("C-{i}"), "controller", true).await);
            }
            let old = simple(svc, "Foxtrot", "C-OLD", "controller", false).await;
            simple(svc, "Zulu striker", "S-1", "striker", true).await;
            simple(svc, "Clock", "K-1", "clock", false).await;

            let names =
                |items: &[Product]| items.iter().map(|p| p.name.clone()).collect::<Vec<_>>();

            let all = svc.list(ListQuery::default()).await.unwrap();
            assert_eq!(all.total, 8);
            assert_eq!(
                names(&all.items),
                [
                    "Alpha",
                    "bravo",
                    "charlie",
                    "Clock",
                    "delta",
                    "echo",
                    "Foxtrot",
                    "Zulu striker"
                ]
            );

            let q = ListQuery {
                category: Some(Category::Controller),
                active: Some(true),
                limit: Some(2),
                offset: Some(1),
                ..ListQuery::default()
            };
            let page = svc.list(q.clone()).await.unwrap();
            assert_eq!(page.total, 5);
            assert_eq!(names(&page.items), ["bravo", "charlie"]);

            let page = svc
                .list(ListQuery {
                    offset: Some(4),
                    ..q.clone()
                })
                .await
                .unwrap();
            assert_eq!(
                (page.total, names(&page.items)),
                (5, vec!["echo".to_owned()])
            );
            let page = svc
                .list(ListQuery {
                    offset: Some(50),
                    ..q.clone()
                })
                .await
                .unwrap();
            assert_eq!((page.total, page.items.len()), (5, 0));
            let page = svc
                .list(ListQuery {
                    limit: Some(0),
                    ..q
                })
                .await
                .unwrap();
            assert_eq!((page.total, page.items.len()), (5, 0));

            let inactive = svc
                .list(ListQuery {
                    active: Some(false),
                    ..ListQuery::default()
                })
                .await
                .unwrap();
            assert_eq!(names(&inactive.items), ["Clock", "Foxtrot"]);
            assert_eq!(inactive.items[1], old);

            let strikers = svc
                .list(ListQuery {
                    category: Some(Category::Striker),
                    ..ListQuery::default()
                })
                .await
                .unwrap();
            assert_eq!(
                (strikers.total, names(&strikers.items)),
                (1, vec!["Zulu striker".to_owned()])
            );

            // equal names are ordered by id
            let mut twins = vec![
                simple(svc, "Twin", "T-1", "part", true).await.id,
                simple(svc, "Twin", "T-2", "part", true).await.id,
            ];
            twins.sort();
            let parts = svc
                .list(ListQuery {
                    category: Some(Category::Part),
                    ..ListQuery::default()
                })
                .await
                .unwrap();
            assert_eq!(parts.items.iter().map(|p| p.id).collect::<Vec<_>>(), twins);
        }

        pub async fn search_ignores_case_accents_and_wildcards<S: ProductStore>(
            svc: &Service<S>,
            _clock: &FixedClock,
        ) {
            simple(svc, "Ρολόι Πύργου", "CLK-ΑΒ", "clock", true).await;
            simple(svc, "VESPER controller", "VSP-100", "controller", true).await;
            simple(svc, "100% bronze striker", "STR_1", "striker", true).await;
            simple(svc, "1000 bronze", "STRX1", "part", true).await;

            let search = |s: &str| {
                let s = s.to_owned();
                async move {
                    let page = svc
                        .list(ListQuery {
                            search: Some(s),
                            ..ListQuery::default()
                        })
                        .await
                        .unwrap();
                    let mut names: Vec<_> = page.items.into_iter().map(|p| p.name).collect();
                    names.sort();
                    assert_eq!(page.total as usize, names.len());
                    names
                }
            };
            assert_eq!(search("ρολοι").await, ["Ρολόι Πύργου"]);
            assert_eq!(search("ΠΥΡΓΟΣ").await, Vec::<String>::new());
            assert_eq!(search("πύργου").await, ["Ρολόι Πύργου"]);
            assert_eq!(search("clk-αβ").await, ["Ρολόι Πύργου"]);
            assert_eq!(search("vesper").await, ["VESPER controller"]);
            assert_eq!(search("vsp-1").await, ["VESPER controller"]);
            assert_eq!(search("100%").await, ["100% bronze striker"]);
            assert_eq!(search("str_").await, ["100% bronze striker"]);
            assert_eq!(search("bronze").await.len(), 2);
            assert_eq!(search("   ").await.len(), 4);
        }

        pub async fn unknown_ids_are_not_found<S: ProductStore>(
            svc: &Service<S>,
            _clock: &FixedClock,
        ) {
            let id = Uuid::new_v4();
            assert!(matches!(svc.get(id).await, Err(Error::NotFound { id: i, .. }) if i == id));
            assert!(matches!(
                svc.update(id, ProductPatch::default(), None).await,
                Err(Error::NotFound { .. })
            ));
            assert!(matches!(
                svc.delete(id, None).await,
                Err(Error::NotFound { .. })
            ));
        }

        fn parts(list: &[(Uuid, i64)]) -> Vec<PartUse> {
            list.iter()
                .map(|&(product_id, quantity)| PartUse {
                    product_id,
                    quantity,
                })
                .collect()
        }

        async fn stock_of<S: ProductStore>(svc: &Service<S>, id: Uuid) -> (i64, i64, i64) {
            let p = svc.get(id).await.unwrap();
            (p.stock.on_hand, p.stock.reserved, p.version)
        }

        pub async fn parts_are_taken_once_per_movement_and_put_back<S: ProductStore>(
            svc: &Service<S>,
            _clock: &FixedClock,
        ) {
            let p = create(
                svc,
                json!({"name": "Hammer coil", "sku": "HC-1", "category": "part",
                       "stock": {"on_hand": 5, "reserved": 2}}),
            )
            .await;
            let visit = format!("visit:{}", Uuid::new_v4());
            assert!(
                svc.take_parts(&visit, parts(&[(p.id, 2)]), false)
                    .await
                    .unwrap()
            );
            assert_eq!(stock_of(svc, p.id).await, (3, 2, 2));
            // a retry after a lost answer takes nothing more
            assert!(
                !svc.take_parts(&visit, parts(&[(p.id, 2)]), false)
                    .await
                    .unwrap()
            );
            assert_eq!(stock_of(svc, p.id).await, (3, 2, 2));
            // two more are not free (one is): refused, naming the product
            let other = format!("visit:{}", Uuid::new_v4());
            match svc.take_parts(&other, parts(&[(p.id, 2)]), false).await {
                Err(Error::Conflict { message }) => {
                    assert!(message.contains("Hammer coil"), "{message}");
                    assert!(message.contains("1 free"), "{message}");
                }
                r => panic!("expected a conflict, got {r:?}"),
            }
            // allowed to use reserved units: the reservation shrinks with the stock
            assert!(
                svc.take_parts(&other, parts(&[(p.id, 2)]), true)
                    .await
                    .unwrap()
            );
            assert_eq!(stock_of(svc, p.id).await, (1, 1, 3));
            // never more than are on hand
            let third = format!("visit:{}", Uuid::new_v4());
            assert!(matches!(
                svc.take_parts(&third, parts(&[(p.id, 2)]), true).await,
                Err(Error::Conflict { .. })
            ));
            // the first visit's parts come back, once
            assert!(svc.return_parts(&visit).await.unwrap());
            assert_eq!(stock_of(svc, p.id).await, (3, 1, 4));
            assert!(!svc.return_parts(&visit).await.unwrap());
            assert_eq!(stock_of(svc, p.id).await, (3, 1, 4));
            // a returned movement can be taken again
            assert!(
                svc.take_parts(&visit, parts(&[(p.id, 1)]), false)
                    .await
                    .unwrap()
            );
            assert_eq!(stock_of(svc, p.id).await, (2, 1, 5));
        }

        pub async fn taking_parts_is_all_or_nothing<S: ProductStore>(
            svc: &Service<S>,
            _clock: &FixedClock,
        ) {
            let a = create(
                svc,
                json!({"name": "Striker arm", "sku": "SA-1", "category": "part",
                       "stock": {"on_hand": 5}}),
            )
            .await;
            let b = create(
                svc,
                json!({"name": "Relay", "sku": "RL-1", "category": "part",
                       "stock": {"on_hand": 1}}),
            )
            .await;
            let key = format!("visit:{}", Uuid::new_v4());
            // the relay is short: the striker arm keeps its stock and the movement is not kept
            match svc
                .take_parts(&key, parts(&[(a.id, 2), (b.id, 3)]), false)
                .await
            {
                Err(Error::Conflict { message }) => assert!(message.contains("Relay"), "{message}"),
                r => panic!("expected a conflict, got {r:?}"),
            }
            assert_eq!(stock_of(svc, a.id).await, (5, 0, 1));
            assert!(!svc.return_parts(&key).await.unwrap());
            // an unknown product and a quantity below one are named
            let unknown = svc
                .take_parts(&key, parts(&[(a.id, 1), (Uuid::new_v4(), 1)]), false)
                .await;
            assert_eq!(invalid_field(unknown), "parts[1].product_id");
            let zero = svc.take_parts(&key, parts(&[(a.id, 0)]), false).await;
            assert_eq!(invalid_field(zero), "parts[0].quantity");
            assert_eq!(stock_of(svc, a.id).await, (5, 0, 1));
            // the same product twice counts once, with the sum
            assert!(
                svc.take_parts(&key, parts(&[(a.id, 2), (b.id, 1), (a.id, 1)]), false)
                    .await
                    .unwrap()
            );
            assert_eq!(stock_of(svc, a.id).await, (2, 0, 2));
            assert_eq!(stock_of(svc, b.id).await, (0, 0, 2));
        }

        pub async fn of_concurrent_takes_of_the_last_unit_one_wins<S: ProductStore>(
            svc: &Service<S>,
            _clock: &FixedClock,
        ) {
            let p = create(
                svc,
                json!({"name": "Last relay", "sku": "LR-1", "category": "part",
                       "stock": {"on_hand": 1}}),
            )
            .await;
            let keys: Vec<String> = (0..6).map(|n| format!("visit:{n}-{}", p.id)).collect();
            let results = futures_util::future::join_all(
                keys.iter()
                    .map(|k| svc.take_parts(k, parts(&[(p.id, 1)]), false)),
            )
            .await;
            let won = results.iter().filter(|r| matches!(r, Ok(true))).count();
            let refused = results
                .iter()
                .filter(|r| matches!(r, Err(Error::Conflict { .. })))
                .count();
            assert_eq!((won, refused), (1, 5), "{results:?}");
            assert_eq!(stock_of(svc, p.id).await, (0, 0, 2));
        }

        pub async fn delete_removes<S: ProductStore>(svc: &Service<S>, _clock: &FixedClock) {
            let a = simple(svc, "A", "A-1", "part", true).await;
            let b = simple(svc, "B", "B-1", "part", true).await;
            svc.delete(a.id, Some(1)).await.unwrap();
            assert!(matches!(svc.get(a.id).await, Err(Error::NotFound { .. })));
            let all = svc.list(ListQuery::default()).await.unwrap();
            assert_eq!((all.total, all.items), (1, vec![b]));
            // the SKU is free again
            simple(svc, "A again", "a-1", "part", true).await;
        }

        pub async fn money_keeps_every_digit<S: ProductStore>(
            svc: &Service<S>,
            _clock: &FixedClock,
        ) {
            let p = create(
                svc,
                json!({"name": "Bell", "sku": "B-1", "category": "part", "price": "12.30",
                       "costs": {"pcb": 0.45, "components": "12345678901234567890.12"}}),
            )
            .await;
            let stored = svc.get(p.id).await.unwrap();
            assert_eq!(stored, p);
            // the API's JSON text (a `serde_json::Value` would hold the numbers as doubles)
            let text = serde_json::to_string(&stored).unwrap();
            for part in [
                r#""price":12.3,"#,
                r#""pcb":0.45,"#,
                r#""components":12345678901234567890.12,"#,
                r#""total":12345678901234567890.57}"#,
            ] {
                assert!(text.contains(part), "{part} in {text}");
            }
            let listed = svc.list(ListQuery::default()).await.unwrap();
            assert_eq!(listed.items, vec![stored]);
        }

        pub async fn sku_changes_free_the_old_sku<S: ProductStore>(
            svc: &Service<S>,
            _clock: &FixedClock,
        ) {
            let a = simple(svc, "A", "OLD-1", "part", true).await;
            let a2 = svc
                .update(a.id, patch(json!({"sku": "NEW-1"})), Some(1))
                .await
                .unwrap();
            assert_eq!(a2.sku.as_str(), "NEW-1");
            // the old SKU is free, the new one taken
            let b = simple(svc, "B", "old-1", "part", true).await;
            assert!(matches!(
                svc.create(NewProduct::new("C", "new-1", Category::Part))
                    .await,
                Err(Error::Conflict { .. })
            ));
            assert!(matches!(
                svc.update(b.id, patch(json!({"sku": "New-1"})), None).await,
                Err(Error::Conflict { .. })
            ));
            // a deleted product's SKU is free
            svc.delete(a.id, None).await.unwrap();
            let b2 = svc
                .update(b.id, patch(json!({"sku": "New-1"})), None)
                .await
                .unwrap();
            assert_eq!((b2.sku.as_str(), b2.version), ("New-1", 2));
            simple(svc, "D", "OLD-1", "part", true).await;
        }

        pub async fn scan_pages_in_id_order_and_put_all_stores_records_as_given<S: ProductStore>(
            svc: &Service<S>,
            _clock: &FixedClock,
        ) {
            let store = svc.store();
            assert!(store.scan(None, 10).await.unwrap().is_empty());
            let mut made = Vec::new();
            for i in 0..5 {
                made.push(simple(svc, &format!("P{i}"), &format!("P-{i}"), "part", true).await);
            }
            made.sort_by_key(|p| p.id.to_string());

            let mut pages = Vec::new();
            let mut after = None;
            loop {
                let page = store.scan(after, 2).await.unwrap();
                let Some(last) = page.last() else { break };
                after = Some(last.id);
                assert!(page.len() <= 2);
                pages.extend(page);
            }
            assert_eq!(pages, made);
            assert!(store.scan(None, 0).await.unwrap().is_empty());

            // records exactly as given: a version, timestamps and an id of their own
            let mut copied = made[0].clone();
            copied.name = "Copied".into();
            copied.version = 7;
            copied.updated_at = Timestamp::parse("2031-05-06T07:08:09.123456Z").unwrap();
            let mut fresh = made[1].clone();
            fresh.id = Uuid::new_v4();
            fresh.sku = Sku::parse("FRESH-1").unwrap();
            fresh.description = Some("Περιγραφή".into());
            fresh.created_at = Timestamp::parse("2020-01-01T00:00:00Z").unwrap();
            let records = vec![copied.clone(), fresh.clone()];
            store.put_all(records.clone()).await.unwrap();
            let once = store.scan(None, 100).await.unwrap();
            store.put_all(records).await.unwrap();
            assert_eq!(store.scan(None, 100).await.unwrap(), once);
            assert_eq!(once.len(), 6);
            assert_eq!(svc.get(copied.id).await.unwrap(), copied);
            assert_eq!(svc.get(fresh.id).await.unwrap(), fresh);
            // what was put is listed, searched and keeps its SKU
            let listed = svc
                .list(ListQuery {
                    search: Some("copied".into()),
                    ..ListQuery::default()
                })
                .await
                .unwrap();
            assert_eq!(listed.items, vec![copied.clone()]);
            assert!(matches!(
                svc.create(NewProduct::new("X", "fresh-1", Category::Part))
                    .await,
                Err(Error::Conflict { .. })
            ));
            // and is updated from its version on
            let next = svc
                .update(copied.id, patch(json!({"name": "Copied 2"})), Some(7))
                .await
                .unwrap();
            assert_eq!(next.version, 8);
            store.put_all(Vec::new()).await.unwrap();
        }
    }
}
