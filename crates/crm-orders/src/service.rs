//! The public face of the orders context: the [`Orders`] trait and its implementation
//! [`Service`], generic over the [`OrderStore`].

use std::future::Future;
use std::sync::Arc;

use crm_core::{Clock, Timestamp};
use uuid::Uuid;

use crate::error::Result;
use crate::model::{ListQuery, NewOrder, Order, OrderEvent, OrderPatch, Page};
use crate::store::{Change, OrderStore};

/// What the rest of the CRM can do with orders.
pub trait Orders: Send + Sync {
    /// One page of orders, newest first, and the number of matches in all pages.
    fn list(&self, query: ListQuery) -> impl Future<Output = Result<Page<Order>>> + Send;

    /// The order, with items and status history, or `Error::NotFound`.
    fn get(&self, id: Uuid) -> impl Future<Output = Result<Order>> + Send;

    /// Validates and stores a new order; the server assigns id, order number and totals.
    /// An unknown customer is `Error::Invalid` on `customer_id`, an unknown product on
    /// `items[i].product_id`.
    fn create(&self, new: NewOrder) -> impl Future<Output = Result<Order>> + Send;

    /// Changes the given fields. With `expected_version`, only if the order is still at that
    /// version (`Error::Stale` otherwise, and nothing changes). A patch that changes nothing
    /// returns the order as it is, without a new version.
    fn update(
        &self,
        id: Uuid,
        patch: OrderPatch,
        expected_version: Option<i64>,
    ) -> impl Future<Output = Result<Order>> + Send;

    /// Deletes the order with its items and status history.
    fn delete(
        &self,
        id: Uuid,
        expected_version: Option<i64>,
    ) -> impl Future<Output = Result<()>> + Send;

    /// How many orders the customer has (0 for an unknown customer).
    fn count_for_customer(&self, customer_id: Uuid) -> impl Future<Output = Result<u64>> + Send;

    /// Creations and status changes of the customer's orders strictly after `before`
    /// (`(at, seq)`), newest first, at most `limit` (for the customer's timeline).
    fn events_for_customer(
        &self,
        customer_id: Uuid,
        before: Option<(Timestamp, i64)>,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<OrderEvent>>> + Send;
}

/// [`Orders`] over a store, with the time taken from a clock.
#[derive(Debug, Clone)]
pub struct Service<S> {
    store: S,
    clock: Arc<dyn Clock>,
}

impl<S: OrderStore> Service<S> {
    pub fn new(store: S, clock: Arc<dyn Clock>) -> Self {
        Self { store, clock }
    }

    pub fn store(&self) -> &S {
        &self.store
    }
}

impl<S: OrderStore> Orders for Service<S> {
    async fn list(&self, query: ListQuery) -> Result<Page<Order>> {
        self.store.list(query).await
    }

    async fn get(&self, id: Uuid) -> Result<Order> {
        self.store.get(id).await
    }

    async fn create(&self, new: NewOrder) -> Result<Order> {
        let order = new.into_order(Uuid::new_v4(), self.clock.now())?;
        self.store.insert(order).await
    }

    async fn update(
        &self,
        id: Uuid,
        patch: OrderPatch,
        expected_version: Option<i64>,
    ) -> Result<Order> {
        let now = self.clock.now();
        self.store
            .update(id, expected_version, move |current| {
                let next = patch.apply(current, now)?;
                let mut probe = next.clone();
                probe.updated_at = current.updated_at;
                Ok(if probe == *current {
                    Change::Unchanged
                } else {
                    Change::Save(Box::new(next))
                })
            })
            .await
    }

    async fn delete(&self, id: Uuid, expected_version: Option<i64>) -> Result<()> {
        self.store.delete(id, expected_version).await
    }

    async fn count_for_customer(&self, customer_id: Uuid) -> Result<u64> {
        self.store.count_for_customer(customer_id).await
    }

    async fn events_for_customer(
        &self,
        customer_id: Uuid,
        before: Option<(Timestamp, i64)>,
        limit: u32,
    ) -> Result<Vec<OrderEvent>> {
        self.store
            .events_for_customer(customer_id, before, limit)
            .await
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use crm_core::testing::insert_row;
    use crm_core::{Db, FixedClock, Money, Timestamp};

    use super::*;
    use crate::error::Error;
    use crate::model::{Discount, NewItem, PaymentStatus, Shipping, Status};
    use crate::store::sqlite::SqliteOrderStore;

    fn m(s: &str) -> Money {
        Money::parse(s).unwrap()
    }

    fn ts(s: &str) -> Timestamp {
        Timestamp::parse(s).unwrap()
    }

    struct Fixture {
        _dir: tempfile::TempDir,
        db: Db,
        clock: FixedClock,
        orders: Service<SqliteOrderStore>,
    }

    fn fixture() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(dir.path().join("crm.db")).unwrap();
        let clock = FixedClock::new(ts("2026-03-01T10:00:00Z"));
        let orders = Service::new(SqliteOrderStore::new(db.clone()), Arc::new(clock.clone()));
        Fixture {
            _dir: dir,
            db,
            clock,
            orders,
        }
    }

    impl Fixture {
        async fn customer(&self) -> Uuid {
            let id = Uuid::new_v4();
            self.db
                .write(move |c| {
                    insert_row(c, "customers", id, "Ενορία Αγίου Νικολάου").map_err(Error::from)
                })
                .await
                .unwrap();
            id
        }

        async fn product(&self, name: &str) -> Uuid {
            let id = Uuid::new_v4();
            let name = name.to_owned();
            self.db
                .write(move |c| insert_row(c, "products", id, &name).map_err(Error::from))
                .await
                .unwrap();
            id
        }

        /// Runs one raw statement; the outer error is the test's, the inner one SQLite's.
        async fn sql(&self, sql: &str, id: Uuid) -> rusqlite::Result<usize> {
            let sql = sql.to_owned();
            self.db
                .write(move |c| Ok::<_, Error>(c.execute(&sql, [id.to_string()])))
                .await
                .unwrap()
        }

        async fn create(&self, new: NewOrder) -> Order {
            self.orders.create(new).await.unwrap()
        }

        async fn draft(&self, customer: Uuid) -> Order {
            let mut new = NewOrder::new(customer);
            new.items = vec![NewItem::freetext("Repair visit", m("1"), m("80"))];
            self.create(new).await
        }
    }

    fn invalid_field<T: std::fmt::Debug>(r: Result<T>) -> String {
        match r {
            Err(Error::Invalid { field, .. }) => field,
            other => panic!("expected Invalid, got {other:?}"),
        }
    }

    fn status(s: Status) -> OrderPatch {
        OrderPatch {
            status: Some(s),
            ..OrderPatch::default()
        }
    }

    #[tokio::test]
    async fn create_computes_totals_and_returns_exact_numbers() {
        let f = fixture();
        let customer = f.customer().await;
        let bell = f.product("Καμπάνα 40cm").await;
        let mut new = NewOrder::new(customer);
        new.items = vec![
            NewItem::product(bell, m("2"), m("12.30")),
            NewItem::freetext("Rope", m("1"), m("0.45")),
        ];
        new.discount = Some(Discount::percentage(m("10")));
        let o = f.create(new).await;
        assert_eq!(o.subtotal, m("25.05"));
        assert_eq!(o.total_price, m("22.55"));
        assert_eq!(o.version, 1);
        assert_eq!(o.currency, "EUR");
        let json = serde_json::to_value(&o).unwrap();
        assert_eq!(json["subtotal"].to_string(), "25.05");
        assert_eq!(json["total_price"].to_string(), "22.55");
        assert_eq!(json["items"][0]["unit_price"].to_string(), "12.3");
        assert_eq!(json["items"][0]["line_total"].to_string(), "24.6");
        assert_eq!(json["items"][1]["unit_price"].to_string(), "0.45");
        // what is read back is what was returned
        assert_eq!(f.orders.get(o.id).await.unwrap(), o);

        // a fixed discount instead, then none
        let o = f
            .orders
            .update(
                o.id,
                OrderPatch {
                    discount: Some(Some(Discount::fixed(m("5.05")))),
                    ..OrderPatch::default()
                },
                Some(1),
            )
            .await
            .unwrap();
        assert_eq!(
            (o.subtotal, o.total_price, o.version),
            (m("25.05"), m("20"), 2)
        );
        let o = f
            .orders
            .update(
                o.id,
                OrderPatch {
                    discount: Some(None),
                    ..OrderPatch::default()
                },
                None,
            )
            .await
            .unwrap();
        assert_eq!(o.total_price, m("25.05"));
        assert_eq!(f.orders.get(o.id).await.unwrap(), o);
    }

    #[tokio::test]
    async fn changing_items_recomputes_totals_and_keeps_the_discount_valid() {
        let f = fixture();
        let customer = f.customer().await;
        let mut new = NewOrder::new(customer);
        new.items = vec![NewItem::freetext("Striker", m("3"), m("0.1"))];
        new.discount = Some(Discount::fixed(m("0.2")));
        let o = f.create(new).await;
        assert_eq!((o.subtotal, o.total_price), (m("0.3"), m("0.1")));

        let patch = |q: &str| OrderPatch {
            items: Some(vec![NewItem::freetext("Striker", m(q), m("0.1"))]),
            ..OrderPatch::default()
        };
        let o = f.orders.update(o.id, patch("5"), None).await.unwrap();
        assert_eq!((o.subtotal, o.total_price), (m("0.5"), m("0.3")));
        // fewer items would leave the fixed discount above the subtotal
        let e = f.orders.update(o.id, patch("1"), None).await;
        assert_eq!(invalid_field(e), "discount.value");
        assert_eq!(f.orders.get(o.id).await.unwrap(), o);
    }

    #[tokio::test]
    async fn discount_above_the_subtotal_is_rejected_and_nothing_is_stored() {
        let f = fixture();
        let customer = f.customer().await;
        let mut new = NewOrder::new(customer);
        new.items = vec![NewItem::freetext("Rope", m("1"), m("0.45"))];
        new.discount = Some(Discount::fixed(m("0.46")));
        assert_eq!(invalid_field(f.orders.create(new).await), "discount.value");
        assert_eq!(f.orders.count_for_customer(customer).await.unwrap(), 0);
    }

    #[tokio::test]
    async fn order_numbers_are_sequential_per_year_and_formatted() {
        let f = fixture();
        let customer = f.customer().await;
        let mut numbers = Vec::new();
        for _ in 0..3 {
            numbers.push(f.draft(customer).await.order_number);
        }
        assert_eq!(numbers, ["ORD-2026-001", "ORD-2026-002", "ORD-2026-003"]);

        // a failed create takes no number
        let e = f.orders.create(NewOrder::new(Uuid::new_v4())).await;
        assert_eq!(invalid_field(e), "customer_id");
        assert_eq!(f.draft(customer).await.order_number, "ORD-2026-004");

        // a new year starts again at 1, by the clock
        f.clock.set(ts("2026-12-31T23:59:59.999999Z"));
        assert_eq!(f.draft(customer).await.order_number, "ORD-2026-005");
        f.clock.set(ts("2027-01-01T00:00:00Z"));
        assert_eq!(f.draft(customer).await.order_number, "ORD-2027-001");
        assert_eq!(f.draft(customer).await.order_number, "ORD-2027-002");

        // a deleted order's number is not reused
        let last = f.draft(customer).await;
        assert_eq!(last.order_number, "ORD-2027-003");
        f.orders.delete(last.id, Some(1)).await.unwrap();
        assert_eq!(f.draft(customer).await.order_number, "ORD-2027-004");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn fifty_concurrent_creates_get_fifty_gapless_numbers() {
        let f = fixture();
        let customer = f.customer().await;
        let mut tasks = Vec::new();
        for i in 0..50 {
            let orders = f.orders.clone();
            tasks.push(tokio::spawn(async move {
                let mut new = NewOrder::new(customer);
                new.items = vec![NewItem::freetext(format!("item {i}"), m("1"), m("1"))];
                orders.create(new).await
            }));
        }
        let mut numbers = BTreeSet::new();
        for t in tasks {
            numbers.insert(t.await.unwrap().unwrap().order_number);
        }
        let expected: BTreeSet<_> = (1..=50).map(|n| format!("ORD-2026-{n:03}")).collect();
        assert_eq!(numbers, expected);
        assert_eq!(f.orders.count_for_customer(customer).await.unwrap(), 50);
    }

    #[tokio::test]
    async fn the_customer_must_exist_on_create_and_on_update() {
        let f = fixture();
        let e = f.orders.create(NewOrder::new(Uuid::new_v4())).await;
        assert!(
            matches!(&e, Err(Error::Invalid { field, reason }) if field == "customer_id" && reason == "no such customer"),
            "{e:?}"
        );
        let a = f.customer().await;
        let b = f.customer().await;
        let o = f.draft(a).await;
        let to = |c: Uuid| OrderPatch {
            customer_id: Some(c),
            ..OrderPatch::default()
        };
        let e = f.orders.update(o.id, to(Uuid::new_v4()), None).await;
        assert_eq!(invalid_field(e), "customer_id");
        assert_eq!(f.orders.get(o.id).await.unwrap(), o);
        let moved = f.orders.update(o.id, to(b), Some(1)).await.unwrap();
        assert_eq!((moved.customer_id, moved.version), (b, 2));
        assert_eq!(f.orders.count_for_customer(a).await.unwrap(), 0);
        assert_eq!(f.orders.count_for_customer(b).await.unwrap(), 1);
    }

    #[tokio::test]
    async fn a_customer_with_orders_cannot_be_deleted() {
        let f = fixture();
        let busy = f.customer().await;
        let idle = f.customer().await;
        f.draft(busy).await;
        let e = f
            .sql("DELETE FROM customers WHERE id = ?1", busy)
            .await
            .unwrap_err();
        assert!(crm_core::is_constraint_violation(&e, "FOREIGN KEY"), "{e}");
        assert_eq!(
            f.sql("DELETE FROM customers WHERE id = ?1", idle)
                .await
                .unwrap(),
            1
        );
    }

    #[tokio::test]
    async fn products_must_exist_and_lend_their_name() {
        let f = fixture();
        let customer = f.customer().await;
        let vesper = f.product("VESPER controller").await;
        let mut new = NewOrder::new(customer);
        new.items = vec![NewItem::product(Uuid::new_v4(), m("1"), m("10"))];
        let e = f.orders.create(new.clone()).await;
        assert!(
            matches!(&e, Err(Error::Invalid { field, reason }) if field == "items[0].product_id" && reason == "no such product"),
            "{e:?}"
        );
        new.items
            .insert(0, NewItem::product(vesper, m("1"), m("10")));
        assert_eq!(
            invalid_field(f.orders.create(new).await),
            "items[1].product_id"
        );
        assert_eq!(f.orders.count_for_customer(customer).await.unwrap(), 0);

        let mut new = NewOrder::new(customer);
        let mut named = NewItem::product(vesper, m("1"), m("10"));
        named.product_name = Some("VESPER (old model)".into());
        new.items = vec![NewItem::product(vesper, m("2"), m("1500")), named];
        let o = f.create(new).await;
        assert_eq!(
            o.items[0].product_name.as_deref(),
            Some("VESPER controller")
        );
        assert_eq!(
            o.items[1].product_name.as_deref(),
            Some("VESPER (old model)")
        );
        assert_eq!(f.orders.get(o.id).await.unwrap(), o);

        // also when the items are replaced by an update
        let o = f
            .orders
            .update(
                o.id,
                OrderPatch {
                    items: Some(vec![
                        NewItem::freetext("Rope", m("1"), m("1")),
                        NewItem::product(vesper, m("1"), m("1500")),
                    ]),
                    ..OrderPatch::default()
                },
                None,
            )
            .await
            .unwrap();
        assert_eq!(
            o.items[1].product_name.as_deref(),
            Some("VESPER controller")
        );
        let e = f
            .orders
            .update(
                o.id,
                OrderPatch {
                    items: Some(vec![NewItem::product(Uuid::new_v4(), m("1"), m("1"))]),
                    ..OrderPatch::default()
                },
                None,
            )
            .await;
        assert_eq!(invalid_field(e), "items[0].product_id");
        assert_eq!(f.orders.get(o.id).await.unwrap(), o);
    }

    #[tokio::test]
    async fn a_product_on_an_order_cannot_be_deleted() {
        let f = fixture();
        let customer = f.customer().await;
        let used = f.product("Striker").await;
        let unused = f.product("Clock").await;
        let mut new = NewOrder::new(customer);
        new.items = vec![NewItem::product(used, m("1"), m("100"))];
        let o = f.create(new).await;

        let e = f
            .sql("DELETE FROM products WHERE id = ?1", used)
            .await
            .unwrap_err();
        assert!(crm_core::is_constraint_violation(&e, "FOREIGN KEY"), "{e}");
        assert_eq!(
            f.sql("DELETE FROM products WHERE id = ?1", unused)
                .await
                .unwrap(),
            1
        );
        assert_eq!(f.orders.get(o.id).await.unwrap(), o);

        // once no order refers to it any more, it can go
        f.orders.delete(o.id, None).await.unwrap();
        assert_eq!(
            f.sql("DELETE FROM products WHERE id = ?1", used)
                .await
                .unwrap(),
            1
        );
    }

    #[tokio::test]
    async fn a_customers_order_events_are_paged_newest_first() {
        let f = fixture();
        let customer = f.customer().await;
        let other = f.customer().await;
        let a = f.draft(customer).await;
        let b = f.draft(customer).await; // same instant as a's creation
        f.draft(other).await;
        f.clock.set(ts("2026-03-02T09:00:00Z"));
        f.orders
            .update(a.id, status(Status::Confirmed), None)
            .await
            .unwrap();
        let all = f
            .orders
            .events_for_customer(customer, None, 10)
            .await
            .unwrap();
        let seen: Vec<_> = all.iter().map(|e| (e.order_id, e.from, e.to)).collect();
        assert_eq!(
            seen,
            [
                (a.id, Some(Status::Draft), Status::Confirmed),
                (b.id, None, Status::Draft),
                (a.id, None, Status::Draft),
            ]
        );
        assert_eq!(all[1].order_number, b.order_number);
        let rest = f
            .orders
            .events_for_customer(customer, Some((all[1].at, all[1].seq)), 10)
            .await
            .unwrap();
        assert_eq!(rest, all[2..].to_vec(), "strictly after the cursor");
    }

    #[tokio::test]
    async fn status_changes_are_appended_to_the_history() {
        let f = fixture();
        let customer = f.customer().await;
        let o = f.draft(customer).await;
        let t0 = o.created_at;
        assert_eq!(o.status, Status::Draft);
        assert_eq!(o.status_history.len(), 1);
        assert_eq!(
            (
                o.status_history[0].from,
                o.status_history[0].to,
                o.status_history[0].at
            ),
            (None, Status::Draft, t0)
        );

        f.clock.set(ts("2026-03-02T09:00:00Z"));
        let o = f
            .orders
            .update(o.id, status(Status::Confirmed), Some(1))
            .await
            .unwrap();
        f.clock.set(ts("2026-03-05T16:30:00Z"));
        // a change that does not touch the status adds nothing
        let o = f
            .orders
            .update(
                o.id,
                OrderPatch {
                    payment_status: Some(PaymentStatus::Paid),
                    ..OrderPatch::default()
                },
                None,
            )
            .await
            .unwrap();
        let o = f
            .orders
            .update(o.id, status(Status::Shipped), None)
            .await
            .unwrap();
        assert_eq!(o.version, 4);
        let history: Vec<_> = o
            .status_history
            .iter()
            .map(|c| (c.from, c.to, c.at))
            .collect();
        assert_eq!(
            history,
            [
                (None, Status::Draft, t0),
                (
                    Some(Status::Draft),
                    Status::Confirmed,
                    ts("2026-03-02T09:00:00Z")
                ),
                (
                    Some(Status::Confirmed),
                    Status::Shipped,
                    ts("2026-03-05T16:30:00Z")
                ),
            ]
        );
        assert_eq!(o.shipping.shipped_at, Some(ts("2026-03-05T16:30:00Z")));
        assert_eq!(f.orders.get(o.id).await.unwrap(), o);
        let json = serde_json::to_value(&o).unwrap();
        assert_eq!(json["status_history"][0]["from"], serde_json::Value::Null);
        assert_eq!(json["status_history"][2]["to"], "shipped");

        // an order created in another status starts its history there
        let mut new = NewOrder::new(customer);
        new.status = Some(Status::Delivered);
        let imported = f.create(new).await;
        assert_eq!(imported.status_history.len(), 1);
        assert_eq!(imported.status_history[0].to, Status::Delivered);

        // the history cannot be rewritten
        let e = f
            .sql(
                "UPDATE order_status_history SET to_status = 'draft' WHERE order_id = ?1",
                o.id,
            )
            .await;
        assert!(e.is_err());
        let e = f
            .sql("DELETE FROM order_status_history WHERE order_id = ?1", o.id)
            .await;
        assert!(e.is_err());
        assert_eq!(f.orders.get(o.id).await.unwrap(), o);
    }

    #[tokio::test]
    async fn an_illegal_transition_is_rejected_and_changes_nothing() {
        let f = fixture();
        let customer = f.customer().await;
        let o = f.draft(customer).await;
        let mut patch = status(Status::Delivered);
        patch.notes = Some(Some("skip ahead".into()));
        let e = f.orders.update(o.id, patch, Some(1)).await;
        assert!(
            matches!(&e, Err(Error::Invalid { field, reason }) if field == "status" && reason.contains("draft to delivered")),
            "{e:?}"
        );
        assert_eq!(f.orders.get(o.id).await.unwrap(), o);

        let o = f
            .orders
            .update(o.id, status(Status::Cancelled), None)
            .await
            .unwrap();
        let e = f.orders.update(o.id, status(Status::Draft), None).await;
        assert_eq!(invalid_field(e), "status");
        assert_eq!(f.orders.get(o.id).await.unwrap(), o);
        assert_eq!(o.status_history.len(), 2);
    }

    #[tokio::test]
    async fn a_stale_version_is_refused_and_changes_nothing() {
        let f = fixture();
        let customer = f.customer().await;
        let o = f.draft(customer).await;
        let o = f
            .orders
            .update(o.id, status(Status::Confirmed), Some(1))
            .await
            .unwrap();
        assert_eq!(o.version, 2);

        let mut patch = status(Status::Cancelled);
        patch.items = Some(vec![]);
        patch.notes = Some(Some("late edit".into()));
        let e = f.orders.update(o.id, patch, Some(1)).await;
        assert!(
            matches!(e, Err(Error::Stale { current_version: 2 })),
            "{e:?}"
        );
        assert_eq!(f.orders.get(o.id).await.unwrap(), o);

        let e = f.orders.delete(o.id, Some(1)).await;
        assert!(
            matches!(e, Err(Error::Stale { current_version: 2 })),
            "{e:?}"
        );
        assert_eq!(f.orders.get(o.id).await.unwrap(), o);

        f.orders.delete(o.id, Some(2)).await.unwrap();
        assert!(matches!(f.orders.get(o.id).await, Err(Error::NotFound { id, .. }) if id == o.id));
        assert!(matches!(
            f.orders.delete(o.id, None).await,
            Err(Error::NotFound { .. })
        ));
        let e = f.orders.update(o.id, OrderPatch::default(), None).await;
        assert!(matches!(e, Err(Error::NotFound { .. })), "{e:?}");
    }

    #[tokio::test]
    async fn an_update_that_changes_nothing_keeps_the_version() {
        let f = fixture();
        let customer = f.customer().await;
        let o = f.draft(customer).await;
        f.clock.set(ts("2026-04-01T00:00:00Z"));
        let patch = OrderPatch {
            status: Some(Status::Draft),
            currency: Some("EUR".into()),
            notes: Some(None),
            ..OrderPatch::default()
        };
        assert_eq!(f.orders.update(o.id, patch, Some(1)).await.unwrap(), o);
        let patch = OrderPatch {
            notes: Some(Some("call the priest first".into())),
            shipping: Some(Some(Shipping {
                carrier: Some("ACS".into()),
                ..Shipping::default()
            })),
            invoice_path: Some(Some("05_Customers/X/invoice-1.pdf".into())),
            ..OrderPatch::default()
        };
        let changed = f.orders.update(o.id, patch, Some(1)).await.unwrap();
        assert_eq!(changed.version, 2);
        assert_eq!(changed.updated_at, ts("2026-04-01T00:00:00Z"));
        assert_eq!(changed.created_at, o.created_at);
        assert_eq!(changed.shipping.carrier.as_deref(), Some("ACS"));
        assert_eq!(f.orders.get(o.id).await.unwrap(), changed);
    }

    #[tokio::test]
    async fn list_filters_pages_and_counts() {
        let f = fixture();
        let a = f.customer().await;
        let b = f.customer().await;
        let mut ids = Vec::new();
        for i in 0..7 {
            f.clock.advance(time::Duration::minutes(1));
            let o = f.draft(if i < 5 { a } else { b }).await;
            ids.push(o.id);
        }
        // order 0 confirmed, order 1 confirmed and paid, order 5 (customer b) paid
        f.orders
            .update(ids[0], status(Status::Confirmed), None)
            .await
            .unwrap();
        f.orders
            .update(ids[1], status(Status::Confirmed), None)
            .await
            .unwrap();
        for i in [1, 5] {
            let paid = OrderPatch {
                payment_status: Some(PaymentStatus::Paid),
                ..OrderPatch::default()
            };
            f.orders.update(ids[i], paid, None).await.unwrap();
        }

        let list = |q: ListQuery| {
            let orders = f.orders.clone();
            async move {
                let page = orders.list(q).await.unwrap();
                (
                    page.items.iter().map(|o| o.id).collect::<Vec<_>>(),
                    page.total,
                )
            }
        };
        let newest_first: Vec<_> = ids.iter().rev().copied().collect();
        assert_eq!(list(ListQuery::default()).await, (newest_first.clone(), 7));
        let page = ListQuery {
            limit: Some(3),
            offset: Some(2),
            ..ListQuery::default()
        };
        assert_eq!(list(page).await, (newest_first[2..5].to_vec(), 7));
        let past_the_end = ListQuery {
            offset: Some(10),
            ..ListQuery::default()
        };
        assert_eq!(list(past_the_end).await, (vec![], 7));
        let count_only = ListQuery {
            limit: Some(0),
            ..ListQuery::default()
        };
        assert_eq!(list(count_only).await, (vec![], 7));

        let of_a = ListQuery {
            customer_id: Some(a),
            ..ListQuery::default()
        };
        assert_eq!(list(of_a.clone()).await.1, 5);
        let of_a_page = ListQuery {
            limit: Some(2),
            ..of_a
        };
        assert_eq!(list(of_a_page).await, (vec![ids[4], ids[3]], 5));
        let confirmed = ListQuery {
            status: Some(Status::Confirmed),
            ..ListQuery::default()
        };
        assert_eq!(list(confirmed).await, (vec![ids[1], ids[0]], 2));
        let paid = ListQuery {
            payment_status: Some(PaymentStatus::Paid),
            ..ListQuery::default()
        };
        assert_eq!(list(paid).await, (vec![ids[5], ids[1]], 2));
        let all_three = ListQuery {
            customer_id: Some(a),
            status: Some(Status::Confirmed),
            payment_status: Some(PaymentStatus::Paid),
            ..ListQuery::default()
        };
        assert_eq!(list(all_three).await, (vec![ids[1]], 1));
        let nobody = ListQuery {
            customer_id: Some(Uuid::new_v4()),
            ..ListQuery::default()
        };
        assert_eq!(list(nobody).await, (vec![], 0));

        // items and history come with listed orders too
        let page = f.orders.list(ListQuery::default()).await.unwrap();
        for o in &page.items {
            assert_eq!(&f.orders.get(o.id).await.unwrap(), o);
        }
        assert_eq!(f.orders.count_for_customer(a).await.unwrap(), 5);
        assert_eq!(f.orders.count_for_customer(b).await.unwrap(), 2);
    }

    #[tokio::test]
    async fn orders_created_in_the_same_instant_list_by_number() {
        let f = fixture();
        let customer = f.customer().await;
        let first = f.draft(customer).await;
        let second = f.draft(customer).await;
        assert_eq!(first.created_at, second.created_at);
        let page = f.orders.list(ListQuery::default()).await.unwrap();
        let numbers: Vec<_> = page.items.iter().map(|o| o.order_number.as_str()).collect();
        assert_eq!(numbers, ["ORD-2026-002", "ORD-2026-001"]);
    }
}
