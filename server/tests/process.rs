//! The server as a real process on a real port, spoken to over real HTTP.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::Duration;

fn get(addr: &str, path: &str) -> (u16, String) {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .expect("send");
    let mut response = String::new();
    s.read_to_string(&mut response).expect("read");
    let status = response
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = response
        .split("\r\n\r\n")
        .nth(1)
        .unwrap_or_default()
        .to_owned();
    (status, body)
}

#[test]
fn it_says_who_it_is_and_stops_cleanly_on_sigterm() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_pasar-server"))
        .env("PASAR_ADDR", "127.0.0.1:0")
        .env("PASAR_DATABASE_URL", "sqlite::memory:")
        .stdout(Stdio::piped())
        .spawn()
        .expect("start pasar-server");
    let mut out = BufReader::new(child.stdout.take().expect("stdout"));
    let mut first = String::new();
    out.read_line(&mut first).expect("first line");
    let addr = first
        .trim()
        .strip_prefix("listening on ")
        .expect("listening line")
        .to_owned();

    assert_eq!(
        get(&addr, "/health"),
        (200, r#"{"status":"ok"}"#.to_owned())
    );
    let (status, body) = get(&addr, "/v1/version");
    assert_eq!(status, 200);
    let v: serde_json::Value = serde_json::from_str(&body).expect("json");
    assert_eq!(v["api"], pasar_server::API_VERSION);
    assert_eq!(v["min_client_api"], 1);
    assert_eq!(get(&addr, "/no/such/thing").0, 404);
    let (status, body) = get(&addr, "/v1/me");
    assert_eq!(status, 401, "{body}");
    assert!(body.contains(r#""error":"unauthorized""#), "{body}");

    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
    let status = child.wait().expect("wait");
    assert!(status.success(), "graceful shutdown exits 0, got {status}");
    let mut rest = String::new();
    out.read_to_string(&mut rest).expect("rest");
    assert_eq!(rest.trim(), "stopped");
}

#[test]
fn a_bad_address_is_refused_with_a_clear_message() {
    let out = Command::new(env!("CARGO_BIN_EXE_pasar-server"))
        .env("PASAR_ADDR", "not-an-address")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("PASAR_ADDR"));
}

#[test]
fn a_bad_database_url_is_refused_with_a_clear_message() {
    let out = Command::new(env!("CARGO_BIN_EXE_pasar-server"))
        .env("PASAR_ADDR", "127.0.0.1:0")
        .env("PASAR_DATABASE_URL", "mysql://somewhere/db")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("PASAR_DATABASE_URL"));
}

#[test]
fn a_config_file_is_read_and_the_environment_overrides_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("pasar.toml");
    std::fs::write(
        &file,
        "addr = \"127.0.0.1:0\"\ndatabase_url = \"sqlite::memory:\"\n[log]\nformat = \"json\"\n",
    )
    .expect("write");
    let mut child = Command::new(env!("CARGO_BIN_EXE_pasar-server"))
        .arg("--config")
        .arg(&file)
        .env_remove("PASAR_ADDR")
        .env_remove("PASAR_DATABASE_URL")
        .env_remove("PASAR_LOG_FORMAT")
        .env("PASAR_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start pasar-server");
    let mut out = BufReader::new(child.stdout.take().expect("stdout"));
    let mut first = String::new();
    out.read_line(&mut first).expect("first line");
    let addr = first
        .trim()
        .strip_prefix("listening on ")
        .expect("listening line")
        .to_owned();
    assert_eq!(get(&addr, "/health").0, 200);
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
    let output = child.wait_with_output().expect("wait");
    // The file asked for JSON logs: every stderr line is a JSON object.
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{:?}: {stderr}", output.status);
    let lines: Vec<&str> = stderr.lines().collect();
    assert!(
        lines.iter().any(|l| l.contains("request finished")),
        "{stderr}"
    );
    for line in lines {
        let v: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|_| panic!("not a JSON log line: {line}"));
        assert!(v["level"].is_string(), "{line}");
    }

    // The environment overrides the file: a bad PASAR_ADDR is refused, by name.
    let out = Command::new(env!("CARGO_BIN_EXE_pasar-server"))
        .arg("--config")
        .arg(&file)
        .env("PASAR_ADDR", "not-an-address")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("PASAR_ADDR"));
}

#[test]
fn a_bad_config_file_is_refused_naming_the_key() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("pasar.toml");
    std::fs::write(&file, "[http]\nbody_limit = 0\n").expect("write");
    let out = Command::new(env!("CARGO_BIN_EXE_pasar-server"))
        .env("PASAR_CONFIG", &file)
        .env_remove("PASAR_BODY_LIMIT")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("http.body_limit (in pasar.toml)"),
        "{stderr}"
    );

    let out = Command::new(env!("CARGO_BIN_EXE_pasar-server"))
        .arg("--verbose")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("usage"));
}
