//! What the end-to-end tests share: a fresh PostgreSQL schema for a server to run in.

/// A database URL for a fresh schema (named `prefix_<id>`) on the test PostgreSQL of
/// `PASAR_TEST_POSTGRES_URL`, or `None` — skipped loudly, and a failure when
/// `PASAR_REQUIRE_POSTGRES=1` (as `tests/run` sets it).
pub fn postgres_schema_url(prefix: &str) -> Option<String> {
    let Ok(admin) = std::env::var("PASAR_TEST_POSTGRES_URL") else {
        assert!(
            std::env::var("PASAR_REQUIRE_POSTGRES").as_deref() != Ok("1"),
            "PASAR_REQUIRE_POSTGRES=1 but PASAR_TEST_POSTGRES_URL is not set"
        );
        eprintln!("SKIPPED on PostgreSQL: PASAR_TEST_POSTGRES_URL is not set");
        return None;
    };
    let schema = format!("{prefix}_{}", pasar_core::id::new_id().replace('-', ""));
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let (client, conn) = tokio_postgres::connect(&admin, tokio_postgres::NoTls)
            .await
            .expect("connect to the test PostgreSQL");
        tokio::spawn(conn);
        client
            .batch_execute(&format!("CREATE SCHEMA {schema}"))
            .await
            .expect("schema");
    });
    let sep = if admin.contains('?') { '&' } else { '?' };
    Some(format!("{admin}{sep}options=-c%20search_path%3D{schema}"))
}
