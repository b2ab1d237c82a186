//! The order state machine: who may move an order from where to where. Pure.
//!
//! The states are the ones buyers know from the marketplaces (Belum Bayar, Dikemas,
//! Dikirim, Selesai, Dibatalkan). COD orders skip "Belum Bayar": they are paid to the
//! courier on delivery. The server applies the same function, so phone and server can
//! never disagree about what is allowed.

use crate::i18n::Text;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum OrderStatus {
    /// Transfer, QRIS or e-wallet not yet confirmed by the seller.
    AwaitingPayment,
    /// Paid (or COD): the seller is packing.
    Processing,
    /// Handed to the courier, with a resi (tracking number).
    Shipped,
    /// Pick-up orders: packed and waiting at the seller's.
    ReadyForPickup,
    /// The courier delivered it (for COD, the money was collected).
    Delivered,
    Completed,
    Cancelled,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PaymentKind {
    Cod,
    /// Bank transfer, QRIS, e-wallet: paid before packing, confirmed by the seller.
    Prepaid,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Delivery {
    Courier,
    Pickup,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    Buyer,
    Seller,
    /// The fulfilment partner holding the stock, or a reseller's supplier: packs and
    /// ships for the seller, and may do nothing else.
    Partner,
    /// The server's own clock: expiry of unpaid orders.
    System,
}

impl Role {
    /// As stored in an order's history (`EventDoc::role`).
    pub fn code(self) -> &'static str {
        match self {
            Role::Buyer => "buyer",
            Role::Seller => "seller",
            Role::Partner => "partner",
            Role::System => "system",
        }
    }
}

/// What someone does to an order.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum OrderAction {
    /// The seller saw the money arrive (transfer with kode unik, QRIS, e-wallet).
    ConfirmPayment,
    Ship {
        courier: String,
        resi: String,
    },
    ReadyForPickup,
    /// The courier delivered; for COD this records the cash collected.
    MarkDelivered,
    /// The buyer confirms receipt (or collected a pick-up order), or the seller closes a
    /// delivered order.
    Complete,
    Cancel {
        reason: String,
    },
    /// An unpaid order past its deadline.
    Expire,
    /// Packed: the parcel waits for the courier. The status stays `Processing` (the
    /// buyers' "Dikemas"); the history says it, and the seller sees the partner did it.
    Pack,
}

/// A move without its details: a button on an order's screen. What each role may do
/// now is [`available_actions`], asked of [`transition`] itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OrderMove {
    ConfirmPayment,
    Ship,
    ReadyForPickup,
    MarkDelivered,
    Complete,
    Cancel,
    Expire,
    Pack,
}

/// In the order a screen lists them: the step that comes first, first (packing before
/// shipping).
pub const ALL_MOVES: [OrderMove; 8] = [
    OrderMove::ConfirmPayment,
    OrderMove::Pack,
    OrderMove::Ship,
    OrderMove::ReadyForPickup,
    OrderMove::MarkDelivered,
    OrderMove::Complete,
    OrderMove::Cancel,
    OrderMove::Expire,
];

impl OrderMove {
    /// The move with empty details: [`transition`] checks who may do what from where
    /// before it looks at a resi or a reason, so a missing one means "allowed".
    fn probe(self) -> OrderAction {
        match self {
            OrderMove::ConfirmPayment => OrderAction::ConfirmPayment,
            OrderMove::Ship => OrderAction::Ship {
                courier: String::new(),
                resi: String::new(),
            },
            OrderMove::ReadyForPickup => OrderAction::ReadyForPickup,
            OrderMove::MarkDelivered => OrderAction::MarkDelivered,
            OrderMove::Complete => OrderAction::Complete,
            OrderMove::Cancel => OrderAction::Cancel {
                reason: String::new(),
            },
            OrderMove::Expire => OrderAction::Expire,
            OrderMove::Pack => OrderAction::Pack,
        }
    }
}

/// The moves `role` may make on an order that is `from` now: the buttons a screen
/// shows, each one [`transition`] will allow (given a resi or reason where it asks).
pub fn available_actions(
    from: OrderStatus,
    role: Role,
    payment: PaymentKind,
    delivery: Delivery,
) -> Vec<OrderMove> {
    ALL_MOVES
        .into_iter()
        .filter(|m| {
            !matches!(
                transition(from, &m.probe(), role, payment, delivery),
                Err(TransitionError::NotAllowed { .. })
            )
        })
        .collect()
}

/// Why a move is refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("{role:?} may not {action} an order that is {from:?}")]
    NotAllowed {
        from: OrderStatus,
        action: &'static str,
        role: Role,
    },
    #[error("a shipment needs a courier and a resi")]
    MissingResi,
    #[error("a cancellation needs a reason")]
    MissingReason,
}

/// The label of an order event in its history ("Pembayaran dikonfirmasi"), from the
/// action's name as stored.
pub fn event_label(action: &str) -> Text {
    let (id, en) = match action {
        "place" => ("Pesanan dibuat", "Order placed"),
        "confirm_payment" => ("Pembayaran dikonfirmasi", "Payment confirmed"),
        "ship" => ("Dikirim", "Shipped"),
        "ready_for_pickup" => ("Siap diambil", "Ready for pickup"),
        "mark_delivered" => ("Sampai di tujuan", "Delivered"),
        "complete" => ("Pesanan selesai", "Order completed"),
        "cancel" => ("Dibatalkan", "Cancelled"),
        "pack" => (
            "Sudah dikemas, menunggu kurir",
            "Packed, waiting for the courier",
        ),
        "expire" => (
            "Dibatalkan otomatis: tidak dibayar",
            "Cancelled: not paid in time",
        ),
        other => (other, other),
    };
    Text::new(id, en)
}

impl OrderAction {
    pub fn label(&self) -> Text {
        event_label(self.name())
    }

    pub fn kind(&self) -> OrderMove {
        match self {
            OrderAction::ConfirmPayment => OrderMove::ConfirmPayment,
            OrderAction::Ship { .. } => OrderMove::Ship,
            OrderAction::ReadyForPickup => OrderMove::ReadyForPickup,
            OrderAction::MarkDelivered => OrderMove::MarkDelivered,
            OrderAction::Complete => OrderMove::Complete,
            OrderAction::Cancel { .. } => OrderMove::Cancel,
            OrderAction::Expire => OrderMove::Expire,
            OrderAction::Pack => OrderMove::Pack,
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            OrderAction::ConfirmPayment => "confirm_payment",
            OrderAction::Ship { .. } => "ship",
            OrderAction::ReadyForPickup => "ready_for_pickup",
            OrderAction::MarkDelivered => "mark_delivered",
            OrderAction::Complete => "complete",
            OrderAction::Cancel { .. } => "cancel",
            OrderAction::Expire => "expire",
            OrderAction::Pack => "pack",
        }
    }
}

impl OrderStatus {
    /// Where a new order starts.
    pub fn initial(payment: PaymentKind) -> OrderStatus {
        match payment {
            PaymentKind::Cod => OrderStatus::Processing,
            PaymentKind::Prepaid => OrderStatus::AwaitingPayment,
        }
    }

    pub fn is_final(self) -> bool {
        matches!(self, OrderStatus::Completed | OrderStatus::Cancelled)
    }

    /// Whether stock taken by the order is still held (released on cancellation).
    pub fn holds_stock(self) -> bool {
        self != OrderStatus::Cancelled
    }

    /// The label buyers know from the marketplaces.
    pub fn label(self) -> Text {
        let (id, en) = match self {
            OrderStatus::AwaitingPayment => ("Belum Bayar", "Awaiting payment"),
            OrderStatus::Processing => ("Dikemas", "Packing"),
            OrderStatus::Shipped => ("Dikirim", "Shipped"),
            OrderStatus::ReadyForPickup => ("Siap Diambil", "Ready for pickup"),
            OrderStatus::Delivered => ("Sampai", "Delivered"),
            OrderStatus::Completed => ("Selesai", "Completed"),
            OrderStatus::Cancelled => ("Dibatalkan", "Cancelled"),
        };
        Text::new(id, en)
    }

    pub fn code(self) -> &'static str {
        match self {
            OrderStatus::AwaitingPayment => "awaiting_payment",
            OrderStatus::Processing => "processing",
            OrderStatus::Shipped => "shipped",
            OrderStatus::ReadyForPickup => "ready_for_pickup",
            OrderStatus::Delivered => "delivered",
            OrderStatus::Completed => "completed",
            OrderStatus::Cancelled => "cancelled",
        }
    }

    pub fn from_code(code: &str) -> Option<OrderStatus> {
        ALL.iter().copied().find(|s| s.code() == code)
    }
}

pub const ALL: [OrderStatus; 7] = [
    OrderStatus::AwaitingPayment,
    OrderStatus::Processing,
    OrderStatus::Shipped,
    OrderStatus::ReadyForPickup,
    OrderStatus::Delivered,
    OrderStatus::Completed,
    OrderStatus::Cancelled,
];

/// The one rule of who may move an order where.
pub fn transition(
    from: OrderStatus,
    action: &OrderAction,
    role: Role,
    payment: PaymentKind,
    delivery: Delivery,
) -> Result<OrderStatus, TransitionError> {
    use OrderAction as A;
    use OrderStatus as S;
    let refused = || TransitionError::NotAllowed {
        from,
        action: action.name(),
        role,
    };
    let to = match (from, action, role) {
        (S::AwaitingPayment, A::ConfirmPayment, Role::Seller)
            if payment == PaymentKind::Prepaid =>
        {
            S::Processing
        }
        // Packed, for the courier: a pick-up order's packing is `ReadyForPickup`.
        (S::Processing, A::Pack, Role::Seller | Role::Partner) if delivery == Delivery::Courier => {
            S::Processing
        }
        (S::Processing, A::Ship { courier, resi }, Role::Seller | Role::Partner)
            if delivery == Delivery::Courier =>
        {
            if courier.trim().is_empty() || resi.trim().is_empty() {
                return Err(TransitionError::MissingResi);
            }
            S::Shipped
        }
        (S::Processing, A::ReadyForPickup, Role::Seller) if delivery == Delivery::Pickup => {
            S::ReadyForPickup
        }
        (S::Shipped, A::MarkDelivered, Role::Seller | Role::Partner) => S::Delivered,
        // The buyer confirms receipt; the seller may close a delivered order (COD cash
        // collected, or the buyer never pressed the button).
        (S::Delivered, A::Complete, Role::Buyer | Role::Seller) => S::Completed,
        (S::Shipped, A::Complete, Role::Buyer) => S::Completed,
        (S::ReadyForPickup, A::Complete, Role::Buyer | Role::Seller) => S::Completed,
        // A buyer cancels only before packing starts; a seller until it ships.
        (S::AwaitingPayment, A::Cancel { reason }, Role::Buyer | Role::Seller)
        | (S::Processing, A::Cancel { reason }, Role::Seller)
        | (S::ReadyForPickup, A::Cancel { reason }, Role::Seller) => {
            if reason.trim().is_empty() {
                return Err(TransitionError::MissingReason);
            }
            S::Cancelled
        }
        // A COD buyer may cancel until the seller ships: nothing was paid.
        (S::Processing, A::Cancel { reason }, Role::Buyer) if payment == PaymentKind::Cod => {
            if reason.trim().is_empty() {
                return Err(TransitionError::MissingReason);
            }
            S::Cancelled
        }
        (S::AwaitingPayment, A::Expire, Role::System) => S::Cancelled,
        _ => return Err(refused()),
    };
    Ok(to)
}

/// Who packs and ships an order a partner holds: the partner alone, since the goods
/// are at the partner's warehouse (or the supplier's); the seller keeps payment,
/// cancellation and closing. Without a partner nobody acts as one.
pub fn partner_allows(m: OrderMove, role: Role, has_partner: bool) -> bool {
    use OrderMove as M;
    match (has_partner, role) {
        (true, Role::Seller) => {
            !matches!(m, M::Pack | M::Ship | M::ReadyForPickup | M::MarkDelivered)
        }
        (false, Role::Partner) => false,
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_partner_packs_and_ships_and_nothing_else() {
        let partner = available_actions(
            OrderStatus::Processing,
            Role::Partner,
            PaymentKind::Cod,
            Delivery::Courier,
        );
        assert_eq!(partner, vec![OrderMove::Pack, OrderMove::Ship]);
        let shipped = available_actions(
            OrderStatus::Shipped,
            Role::Partner,
            PaymentKind::Cod,
            Delivery::Courier,
        );
        assert_eq!(shipped, vec![OrderMove::MarkDelivered]);
        for status in [OrderStatus::AwaitingPayment, OrderStatus::Delivered] {
            assert!(
                available_actions(
                    status,
                    Role::Partner,
                    PaymentKind::Prepaid,
                    Delivery::Courier
                )
                .is_empty()
            );
        }
        // With a partner on the order the seller keeps cancelling, not shipping.
        assert!(!partner_allows(OrderMove::Ship, Role::Seller, true));
        assert!(!partner_allows(OrderMove::Pack, Role::Seller, true));
        assert!(partner_allows(OrderMove::Cancel, Role::Seller, true));
        assert!(partner_allows(OrderMove::Ship, Role::Seller, false));
        assert!(!partner_allows(OrderMove::Ship, Role::Partner, false));
        assert!(partner_allows(OrderMove::Ship, Role::Partner, true));
    }

    fn ship() -> OrderAction {
        OrderAction::Ship {
            courier: "JNE REG".into(),
            resi: "JNE0123456789".into(),
        }
    }

    fn cancel() -> OrderAction {
        OrderAction::Cancel {
            reason: "stok habis".into(),
        }
    }

    #[test]
    fn a_transfer_order_walks_from_belum_bayar_to_selesai() {
        let (p, d) = (PaymentKind::Prepaid, Delivery::Courier);
        let mut s = OrderStatus::initial(p);
        assert_eq!(s.label().id, "Belum Bayar");
        for (action, role, label) in [
            (OrderAction::ConfirmPayment, Role::Seller, "Dikemas"),
            (ship(), Role::Seller, "Dikirim"),
            (OrderAction::MarkDelivered, Role::Seller, "Sampai"),
            (OrderAction::Complete, Role::Buyer, "Selesai"),
        ] {
            s = transition(s, &action, role, p, d).expect("allowed");
            assert_eq!(s.label().id, label);
        }
        assert!(s.is_final());
    }

    #[test]
    fn cod_starts_packing_and_pickup_skips_the_courier() {
        assert_eq!(
            OrderStatus::initial(PaymentKind::Cod),
            OrderStatus::Processing
        );
        let s = transition(
            OrderStatus::Processing,
            &OrderAction::ReadyForPickup,
            Role::Seller,
            PaymentKind::Cod,
            Delivery::Pickup,
        )
        .expect("allowed");
        assert_eq!(s.label().id, "Siap Diambil");
        assert!(
            transition(
                OrderStatus::Processing,
                &ship(),
                Role::Seller,
                PaymentKind::Cod,
                Delivery::Pickup
            )
            .is_err()
        );
    }

    #[test]
    fn illegal_moves_say_who_and_what() {
        let p = PaymentKind::Prepaid;
        let d = Delivery::Courier;
        // A buyer cannot confirm their own payment, nor ship, nor cancel once packing.
        for (from, action, role) in [
            (
                OrderStatus::AwaitingPayment,
                OrderAction::ConfirmPayment,
                Role::Buyer,
            ),
            (OrderStatus::Processing, ship(), Role::Buyer),
            (OrderStatus::Processing, cancel(), Role::Buyer),
            (OrderStatus::AwaitingPayment, ship(), Role::Seller),
            (OrderStatus::Shipped, cancel(), Role::Seller),
            (OrderStatus::Completed, cancel(), Role::Seller),
            (OrderStatus::Processing, OrderAction::Expire, Role::System),
            (
                OrderStatus::AwaitingPayment,
                OrderAction::Expire,
                Role::Buyer,
            ),
        ] {
            let e = transition(from, &action, role, p, d).expect_err("refused");
            assert!(
                matches!(e, TransitionError::NotAllowed { .. }),
                "{from:?} {action:?} {role:?}"
            );
        }
        let no_resi = OrderAction::Ship {
            courier: "JNE".into(),
            resi: " ".into(),
        };
        assert_eq!(
            transition(OrderStatus::Processing, &no_resi, Role::Seller, p, d),
            Err(TransitionError::MissingResi)
        );
        let no_reason = OrderAction::Cancel { reason: "".into() };
        assert_eq!(
            transition(OrderStatus::AwaitingPayment, &no_reason, Role::Buyer, p, d),
            Err(TransitionError::MissingReason)
        );
    }

    #[test]
    fn every_event_has_both_labels() {
        for a in [
            OrderAction::ConfirmPayment,
            ship(),
            OrderAction::ReadyForPickup,
            OrderAction::MarkDelivered,
            OrderAction::Complete,
            cancel(),
            OrderAction::Expire,
        ] {
            let l = a.label();
            assert_ne!(l.id, a.name(), "{a:?} has no Indonesian label");
            assert!(!l.en.is_empty());
        }
        assert_eq!(event_label("place").id, "Pesanan dibuat");
    }

    #[test]
    fn codes_round_trip_and_every_state_has_both_labels() {
        for s in ALL {
            assert_eq!(OrderStatus::from_code(s.code()), Some(s));
            let l = s.label();
            assert!(!l.id.is_empty() && !l.en.is_empty());
        }
    }

    fn any_action() -> impl Strategy<Value = OrderAction> {
        prop_oneof![
            Just(OrderAction::ConfirmPayment),
            ("[A-Z ]{0,6}", "[A-Z0-9]{0,12}")
                .prop_map(|(courier, resi)| OrderAction::Ship { courier, resi }),
            Just(OrderAction::ReadyForPickup),
            Just(OrderAction::MarkDelivered),
            Just(OrderAction::Complete),
            "[a-z ]{0,10}".prop_map(|reason| OrderAction::Cancel { reason }),
            Just(OrderAction::Expire),
        ]
    }

    fn any_role() -> impl Strategy<Value = Role> {
        prop_oneof![
            Just(Role::Buyer),
            Just(Role::Seller),
            Just(Role::Partner),
            Just(Role::System)
        ]
    }

    #[test]
    fn each_side_sees_only_the_moves_it_may_make() {
        use OrderMove as M;
        let (cod, pre) = (PaymentKind::Cod, PaymentKind::Prepaid);
        let (courier, pickup) = (Delivery::Courier, Delivery::Pickup);
        let moves = |from, role, p, d| available_actions(from, role, p, d);
        // A COD order is never waiting for money: nothing to confirm.
        assert_eq!(
            moves(OrderStatus::Processing, Role::Seller, cod, courier),
            [M::Pack, M::Ship, M::Cancel]
        );
        assert_eq!(
            moves(OrderStatus::Processing, Role::Buyer, cod, courier),
            [M::Cancel]
        );
        assert_eq!(
            moves(OrderStatus::AwaitingPayment, Role::Seller, pre, courier),
            [M::ConfirmPayment, M::Cancel]
        );
        assert_eq!(
            moves(OrderStatus::Processing, Role::Buyer, pre, courier),
            []
        );
        assert_eq!(
            moves(OrderStatus::Processing, Role::Seller, pre, pickup),
            [M::ReadyForPickup, M::Cancel]
        );
        // Shipped: the seller marks it delivered, the buyer may confirm receipt.
        assert_eq!(
            moves(OrderStatus::Shipped, Role::Seller, cod, courier),
            [M::MarkDelivered]
        );
        assert_eq!(
            moves(OrderStatus::Shipped, Role::Buyer, cod, courier),
            [M::Complete]
        );
        assert_eq!(
            moves(OrderStatus::AwaitingPayment, Role::System, pre, courier),
            [M::Expire]
        );
        for s in ALL {
            if s.is_final() {
                for role in [Role::Buyer, Role::Seller, Role::System] {
                    assert!(moves(s, role, pre, courier).is_empty(), "{s:?}");
                }
            }
        }
    }

    fn any_status() -> impl Strategy<Value = OrderStatus> {
        (0..ALL.len()).prop_map(|i| ALL[i])
    }

    proptest! {
        /// The buttons never lie: a move is offered exactly when `transition` does not
        /// refuse it as not allowed (it may still want a resi or a reason).
        #[test]
        fn available_actions_agree_with_transition(
            from in any_status(),
            action in any_action(),
            role in any_role(),
            cod in any::<bool>(),
            pickup in any::<bool>(),
        ) {
            let p = if cod { PaymentKind::Cod } else { PaymentKind::Prepaid };
            let d = if pickup { Delivery::Pickup } else { Delivery::Courier };
            let offered = available_actions(from, role, p, d).contains(&action.kind());
            let refused = matches!(
                transition(from, &action, role, p, d),
                Err(TransitionError::NotAllowed { .. })
            );
            prop_assert_eq!(offered, !refused, "{:?} {:?} {:?}", from, action, role);
        }

        /// Whatever anyone does, in any order: a final state never changes, nothing is
        /// ever both paid-for-nothing and shipped (prepaid orders reach packing only through
        /// a seller's payment confirmation), and COD never waits for payment.
        #[test]
        fn random_walks_keep_the_invariants(
            cod in any::<bool>(),
            pickup in any::<bool>(),
            steps in prop::collection::vec((any_action(), any_role()), 0..30),
        ) {
            let p = if cod { PaymentKind::Cod } else { PaymentKind::Prepaid };
            let d = if pickup { Delivery::Pickup } else { Delivery::Courier };
            let mut s = OrderStatus::initial(p);
            let mut confirmed = cod;
            for (action, role) in steps {
                if let Ok(next) = transition(s, &action, role, p, d) {
                    prop_assert!(!s.is_final(), "{s:?} moved to {next:?}");
                    if action == OrderAction::ConfirmPayment {
                        prop_assert_eq!(role, Role::Seller);
                        confirmed = true;
                    }
                    if matches!(next, OrderStatus::Shipped | OrderStatus::ReadyForPickup | OrderStatus::Delivered) {
                        prop_assert!(confirmed, "{next:?} before payment");
                    }
                    if next == OrderStatus::Shipped {
                        prop_assert_eq!(d, Delivery::Courier);
                    }
                    prop_assert!(!(cod && next == OrderStatus::AwaitingPayment));
                    s = next;
                }
            }
        }
    }
}
