//! Network faults: five phones (two of one seller, three buyers) write and sync at the
//! same time through a proxy that drops connections, loses and cuts answers, cuts
//! requests, stalls, answers 503/429/502, duplicates and replays requests late and
//! serves stale answers. Then the network heals and everything must agree: every
//! product and edit made on a phone is on the server once, every order took its unit of
//! stock once and gave it back once when cancelled, no change was refused, and every
//! phone's copy equals the server's.
//!
//! `PASAR_FAULT_MUTATIONS` sets the number of changes (the test command runs 1,500; the
//! soak, `tests/soak`, 12,000), `PASAR_FAULT_SEED` repeats a run.

mod proxy;
mod support;
mod workload;

use proxy::FaultProxy;
use support::{Phone, Server, phone};
use workload::{check, market, setting, settle, work};

use std::time::Instant;

const SELLER: &str = "+6281311112222";
const BUYERS: [&str; 3] = ["+6281233334444", "+6285755556666", "+6281977778888"];
/// Faulty requests per thousand while the phones work.
const FAULT_RATE: u32 = 350;

fn through_faults(server: &Server) {
    let seed = setting("PASAR_FAULT_SEED", 0x5EED_0007);
    let mutations = setting("PASAR_FAULT_MUTATIONS", 1_500);
    let started = Instant::now();
    let proxy = FaultProxy::start(&server.url, seed);
    // Phones reach the server only through the proxy; sign-in codes are read from the
    // server behind it.
    let via = server.via(&proxy.url);
    let seller = phone(&via, SELLER, "Dapur Bu Rina");
    let seller2 = phone(&via, SELLER, "Dapur Bu Rina");
    let buyers: Vec<Phone> = BUYERS
        .iter()
        .enumerate()
        .map(|(i, n)| phone(&via, n, &format!("Pembeli {i}")))
        .collect();
    let group = market(&seller, &BUYERS);
    // Her second phone lists in the market too: it knows the group once it pulled.
    settle(&seller2);

    // Everyone works at once through a bad network.
    proxy.set_rate(FAULT_RATE);
    let (seller_logs, buyer_logs, t) = work(seed, mutations, [&seller, &seller2], &group, &buyers);

    // The network heals; every phone sends what is left, then pulls the others' last
    // changes.
    let faults = proxy.counts();
    proxy.set_rate(0);
    let everyone: Vec<&Phone> = [&seller, &seller2].into_iter().chain(&buyers).collect();
    for _ in 0..2 {
        for p in &everyone {
            settle(p);
        }
    }

    // The server's truth, read by a new phone of the seller from nothing.
    let truth = phone(server, SELLER, "Dapur Bu Rina");
    settle(&truth);
    let checked = check(
        &truth,
        &seller_logs,
        &buyers,
        &buyer_logs,
        [&seller, &seller2],
        &everyone,
    );
    let injected: u64 = faults.iter().map(|(_, n)| n).sum();
    eprintln!(
        "faults: {} mutations ({} products, {} orders, {} cancels) from {} phones, \
         {} syncs ({} ended early), {} retries; {} requests, {injected} faults injected {:?}; \
         0 lost, 0 doubled; {:.1} s (seed {seed:#x})",
        t.mutations,
        checked.products,
        checked.orders,
        checked.cancels,
        everyone.len(),
        t.syncs,
        t.sync_errors,
        t.retries,
        proxy.requests(),
        faults,
        started.elapsed().as_secs_f64(),
    );
    assert!(injected > mutations / 20, "too few faults to mean anything");
    for (fault, n) in &faults {
        assert!(*n > 0, "{fault:?} never happened");
    }
}

/// The seller signs in on three phones (the third reads the server's truth): more
/// codes than one number may ask for in ten minutes.
fn many_sign_ins(state: &mut pasar_server::AppState) {
    state.auth.per_number = (100, 60 * 60 * 1000);
}

#[test]
fn through_a_bad_network_on_sqlite() {
    through_faults(&Server::sqlite(many_sign_ins));
}

#[test]
fn through_a_bad_network_on_postgres() {
    if let Some(server) = Server::postgres("faults", many_sign_ins) {
        through_faults(&server);
    }
}
