//! One SQL, two databases: the sync rules are written once against [`SqlTx`] and run
//! unchanged on SQLite and PostgreSQL.
//!
//! Statements use SQLite's `?1` placeholders and only what both databases read; for
//! PostgreSQL they are rewritten to `$1`. Values are integers, text and NULL: every
//! number column is BIGINT, documents are JSON text. The rules run on a blocking thread
//! (`spawn_blocking`); on PostgreSQL each statement is driven to completion there with
//! the runtime's `block_on`, so the same plain, synchronous code serves both backends.

use super::{Store, StoreError};
use std::collections::HashMap;
use tokio::runtime::Handle;
use tokio_postgres::Statement;
use tokio_postgres::error::SqlState;
use tokio_postgres::types::{IsNull, ToSql, Type, to_sql_checked};

/// A value bound to a statement or read from a row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Value {
    Null,
    Int(i64),
    Text(String),
}

impl Value {
    pub(crate) fn int(&self) -> Option<i64> {
        match self {
            Value::Int(v) => Some(*v),
            _ => None,
        }
    }

    pub(crate) fn text(&self) -> Option<&str> {
        match self {
            Value::Text(v) => Some(v),
            _ => None,
        }
    }

    pub(crate) fn into_text(self) -> Option<String> {
        match self {
            Value::Text(v) => Some(v),
            _ => None,
        }
    }
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(v)
    }
}

impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(v.to_owned())
    }
}

impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(v)
    }
}

impl From<&String> for Value {
    fn from(v: &String) -> Self {
        Value::Text(v.clone())
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::Null, Into::into)
    }
}

pub(crate) type Row = Vec<Value>;

/// A transaction on either database. Dropped without [`SqlTx::commit`], it rolls back.
pub(crate) trait SqlTx {
    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>, StoreError>;
    fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64, StoreError>;

    fn query_opt(&mut self, sql: &str, params: &[Value]) -> Result<Option<Row>, StoreError> {
        Ok(self.query(sql, params)?.into_iter().next())
    }
}

struct SqliteTx<'c>(rusqlite::Transaction<'c>);

impl SqlTx for SqliteTx<'_> {
    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>, StoreError> {
        let mut stmt = self.0.prepare_cached(sql)?;
        let width = stmt.column_count();
        let mut rows = stmt.query(rusqlite::params_from_iter(params.iter().map(sqlite_value)))?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            let mut values = Vec::with_capacity(width);
            for i in 0..width {
                values.push(match row.get_ref(i)? {
                    rusqlite::types::ValueRef::Null => Value::Null,
                    rusqlite::types::ValueRef::Integer(v) => Value::Int(v),
                    rusqlite::types::ValueRef::Text(t) | rusqlite::types::ValueRef::Blob(t) => {
                        Value::Text(String::from_utf8_lossy(t).into_owned())
                    }
                    rusqlite::types::ValueRef::Real(v) => Value::Int(v as i64),
                });
            }
            out.push(values);
        }
        Ok(out)
    }

    fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64, StoreError> {
        let mut stmt = self.0.prepare_cached(sql)?;
        let n = stmt.execute(rusqlite::params_from_iter(params.iter().map(sqlite_value)))?;
        Ok(n as u64)
    }
}

fn sqlite_value(v: &Value) -> rusqlite::types::Value {
    match v {
        Value::Null => rusqlite::types::Value::Null,
        Value::Int(i) => rusqlite::types::Value::Integer(*i),
        Value::Text(t) => rusqlite::types::Value::Text(t.clone()),
    }
}

/// A PostgreSQL transaction, or a plain connection for reads.
struct PgTx<'c, C> {
    tx: &'c C,
    /// The connection's prepared statements (see [`super::postgres::Conn`]).
    statements: &'c mut HashMap<String, Statement>,
    /// Inside BEGIN…COMMIT: a failed statement aborted the transaction, so it is
    /// never run again here.
    in_transaction: bool,
    handle: Handle,
}

impl<C: tokio_postgres::GenericClient> PgTx<'_, C> {
    /// `sql` prepared on this connection, from the cache or now.
    fn statement(&mut self, sql: &str) -> Result<Statement, StoreError> {
        if let Some(statement) = self.statements.get(sql) {
            return Ok(statement.clone());
        }
        let statement = self.handle.block_on(self.tx.prepare(&pg_sql(sql)))?;
        if self.statements.len() >= super::postgres::STATEMENT_CACHE {
            self.statements.clear();
        }
        self.statements.insert(sql.to_owned(), statement.clone());
        Ok(statement)
    }

    /// Runs `run` with `sql`'s statement. A failure forgets the statement, so one the
    /// database no longer accepts (another instance's migration changed its tables) is
    /// prepared afresh next time; outside a transaction, where nothing was aborted, a
    /// statement whose cached plan went stale that way is prepared again and run at
    /// once, so a rolling upgrade fails no read.
    fn with_statement<T>(
        &mut self,
        sql: &str,
        run: impl Fn(&Self, &Statement) -> Result<T, tokio_postgres::Error>,
    ) -> Result<T, StoreError> {
        let statement = self.statement(sql)?;
        match run(self, &statement) {
            Ok(out) => Ok(out),
            Err(e) => {
                self.statements.remove(sql);
                let stale = e.code() == Some(&SqlState::FEATURE_NOT_SUPPORTED);
                if stale && !self.in_transaction {
                    let statement = self.statement(sql)?;
                    return run(self, &statement).map_err(StoreError::from);
                }
                Err(StoreError::from(e))
            }
        }
    }
}

/// `?1` → `$1`, outside string literals.
fn pg_sql(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut quoted = false;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\'' {
            quoted = !quoted;
        }
        if c == '?' && !quoted && chars.peek().is_some_and(char::is_ascii_digit) {
            out.push('$');
        } else {
            out.push(c);
        }
    }
    out
}

impl ToSql for Value {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut tokio_postgres::types::private::BytesMut,
    ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match self {
            Value::Null => Ok(IsNull::Yes),
            Value::Int(v) if *ty == Type::INT4 => i32::try_from(*v)?.to_sql(ty, out),
            Value::Int(v) if *ty == Type::BOOL => (*v != 0).to_sql(ty, out),
            Value::Int(v) => v.to_sql(ty, out),
            Value::Text(t) => t.as_str().to_sql(ty, out),
        }
    }

    fn accepts(_: &Type) -> bool {
        // Checked per value in to_sql: NULL binds to any column.
        true
    }

    to_sql_checked!();
}

impl<C: tokio_postgres::GenericClient> SqlTx for PgTx<'_, C> {
    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>, StoreError> {
        let refs: Vec<&(dyn ToSql + Sync)> =
            params.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
        let rows = self.with_statement(sql, |me, s| me.handle.block_on(me.tx.query(s, &refs)))?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let mut values = Vec::with_capacity(row.len());
            for (i, column) in row.columns().iter().enumerate() {
                let ty = column.type_();
                values.push(if *ty == Type::INT8 {
                    row.try_get::<_, Option<i64>>(i)?.into()
                } else if *ty == Type::INT4 {
                    row.try_get::<_, Option<i32>>(i)?.map(i64::from).into()
                } else if *ty == Type::BOOL {
                    row.try_get::<_, Option<bool>>(i)?.map(i64::from).into()
                } else {
                    row.try_get::<_, Option<String>>(i)?.into()
                });
            }
            out.push(values);
        }
        Ok(out)
    }

    fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64, StoreError> {
        let refs: Vec<&(dyn ToSql + Sync)> =
            params.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
        self.with_statement(sql, |me, s| me.handle.block_on(me.tx.execute(s, &refs)))
    }
}

impl Store {
    /// Runs `f` in one transaction on a blocking thread; commits when it returns `Ok`,
    /// rolls back otherwise. SQLite takes the write lock at the start (IMMEDIATE); on
    /// PostgreSQL (READ COMMITTED) the rules serialise on the feed row they take first.
    pub(crate) async fn transaction<T, E, F>(&self, f: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
        F: FnOnce(&mut dyn SqlTx) -> Result<T, E> + Send + 'static,
    {
        self.run(true, f).await
    }

    /// Runs read-only `f`: on SQLite in a deferred transaction (no write lock taken), on
    /// PostgreSQL statement by statement on a pooled connection (no BEGIN/COMMIT round
    /// trips; each statement sees what was committed before it).
    pub(crate) async fn read<T, E, F>(&self, f: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
        F: FnOnce(&mut dyn SqlTx) -> Result<T, E> + Send + 'static,
    {
        self.run(false, f).await
    }

    async fn run<T, E, F>(&self, write: bool, f: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
        F: FnOnce(&mut dyn SqlTx) -> Result<T, E> + Send + 'static,
    {
        let joined = match self {
            Store::Sqlite(s) => {
                let conn = if write { s.connection() } else { s.reader() };
                tokio::task::spawn_blocking(move || {
                    let mut conn = conn.lock().unwrap_or_else(|p| p.into_inner());
                    let behavior = if write {
                        rusqlite::TransactionBehavior::Immediate
                    } else {
                        rusqlite::TransactionBehavior::Deferred
                    };
                    let mut sql = SqliteTx(
                        conn.transaction_with_behavior(behavior)
                            .map_err(StoreError::from)?,
                    );
                    let out = f(&mut sql)?;
                    if write {
                        sql.0.commit().map_err(StoreError::from)?;
                    }
                    Ok(out)
                })
                .await
            }
            Store::Postgres(pg) => {
                let pg = pg.clone();
                let handle = Handle::current();
                tokio::task::spawn_blocking(move || {
                    let mut guard = handle.block_on(pg.client())?;
                    let (client, statements) = guard
                        .as_mut()
                        .ok_or_else(|| StoreError::new("no connection"))?
                        .split();
                    if !write {
                        return f(&mut PgTx {
                            tx: &*client,
                            statements,
                            in_transaction: false,
                            handle: handle.clone(),
                        });
                    }
                    let tx = handle
                        .block_on(client.transaction())
                        .map_err(StoreError::from)?;
                    let out = f(&mut PgTx {
                        tx: &tx,
                        statements,
                        in_transaction: true,
                        handle: handle.clone(),
                    })?;
                    handle.block_on(tx.commit()).map_err(StoreError::from)?;
                    Ok(out)
                })
                .await
            }
        };
        joined.map_err(|e| E::from(StoreError::new(format!("store task: {e}"))))?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_become_dollars_outside_quotes() {
        assert_eq!(
            pg_sql("SELECT '?1', x FROM t WHERE a = ?1 AND b = ?12 AND c = '?'"),
            "SELECT '?1', x FROM t WHERE a = $1 AND b = $12 AND c = '?'"
        );
    }
}
