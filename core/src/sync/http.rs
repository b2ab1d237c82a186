//! HTTP for sync, behind one small trait so the engine stays testable and the phone can
//! bring its own client.
//!
//! The engine speaks plain requests and responses ([`HttpRequest`], [`HttpResponse`]);
//! compression is done here, not by the client, so bytes on the wire are counted the
//! same whoever carries them. [`ReqwestClient`] (feature `reqwest`) is the client of the
//! command line, the tests and the benchmarks; the apps may pass the platform's own
//! (OkHttp / URLSession) through the FFI, which keeps TLS, proxies and certificate
//! rules the platform's and the library small.

use std::io::Read;

/// A request the engine wants sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpRequest {
    /// `GET`, `POST` or `PUT` (photo chunks: a binary body, `application/octet-stream`).
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// What came back, body exactly as received (still compressed).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// The request never got an answer: no network, refused, timed out, cut off.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("network: {0}")]
pub struct TransportError(pub String);

/// Sends one request and returns the whole answer. Blocking: the engine runs on a
/// background thread. Must not follow redirects to other hosts or decompress bodies.
pub trait HttpClient: Send + Sync {
    fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError>;
}

/// Bodies larger than this go up gzip-compressed.
pub const COMPRESS_ABOVE: usize = 1024;
/// A compressed answer may not unpack to more than this: a hostile or broken server
/// cannot make the phone allocate without bound.
pub const MAX_BODY: u64 = 64 * 1024 * 1024;

/// A request body gzip-compressed by our small writer (see [`super::deflate`]).
pub(crate) fn gzip(data: &[u8]) -> Vec<u8> {
    super::deflate::gzip(data)
}

/// Why an answer that unpacks past [`MAX_BODY`] is refused: not a network hiccup, so
/// the engine does not fetch it again.
pub(crate) const TOO_LARGE: &str = "answer too large";

/// The body as sent by the server, unpacked per its `content-encoding`.
///
/// Platform clients (URLSession, curl underneath it on Linux) ask for compression and
/// unpack answers themselves but leave the header on; such a body is recognised by
/// not being in the named format (no gzip or zstd magic) and starting like our JSON.
pub(crate) fn decoded_body(response: &HttpResponse) -> Result<Vec<u8>, TransportError> {
    let body = &response.body;
    let plain_json = matches!(body.first(), Some(b'{' | b'['));
    match response.header("content-encoding").map(str::trim) {
        None | Some("") | Some("identity") => Ok(body.clone()),
        Some(e) if e.eq_ignore_ascii_case("gzip") && body.starts_with(&[0x1f, 0x8b]) => {
            let mut out = Vec::with_capacity(body.len() * 4);
            flate2::read::GzDecoder::new(body.as_slice())
                .take(MAX_BODY + 1)
                .read_to_end(&mut out)
                .map_err(|e| TransportError(format!("answer cut off or corrupt: {e}")))?;
            if out.len() as u64 > MAX_BODY {
                return Err(TransportError(TOO_LARGE.into()));
            }
            Ok(out)
        }
        Some(_) if plain_json && !body.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) => Ok(body.clone()),
        Some(other) => Err(TransportError(format!(
            "answer in an encoding this build cannot read: {other}"
        ))),
    }
}

#[cfg(feature = "reqwest")]
pub use self::reqwest_client::ReqwestClient;

#[cfg(feature = "reqwest")]
mod reqwest_client {
    use super::{HttpClient, HttpRequest, HttpResponse, TransportError};
    use std::time::Duration;

    /// reqwest's blocking client: connection pooling, rustls, timeouts.
    pub struct ReqwestClient {
        client: reqwest::blocking::Client,
    }

    impl ReqwestClient {
        pub fn new() -> Result<Self, TransportError> {
            // reqwest is built without a crypto provider of its own; ring is ours.
            // Installing twice (a second client) is harmless.
            let _ = rustls::crypto::ring::default_provider().install_default();
            let client = reqwest::blocking::Client::builder()
                .connect_timeout(Duration::from_secs(10))
                .timeout(Duration::from_secs(60))
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .map_err(|e| TransportError(e.to_string()))?;
            Ok(ReqwestClient { client })
        }
    }

    impl HttpClient for ReqwestClient {
        fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
            let method = reqwest::Method::from_bytes(request.method.as_bytes())
                .map_err(|e| TransportError(e.to_string()))?;
            let mut builder = self.client.request(method, &request.url);
            for (k, v) in &request.headers {
                builder = builder.header(k, v);
            }
            let response = builder
                .body(request.body)
                .send()
                .map_err(|e| TransportError(e.to_string()))?;
            let status = response.status().as_u16();
            let headers = response
                .headers()
                .iter()
                .filter_map(|(k, v)| Some((k.as_str().to_owned(), v.to_str().ok()?.to_owned())))
                .collect();
            let body = response
                .bytes()
                .map_err(|e| TransportError(e.to_string()))?
                .to_vec();
            Ok(HttpResponse {
                status,
                headers,
                body,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn response(encoding: Option<&str>, body: Vec<u8>) -> HttpResponse {
        HttpResponse {
            status: 200,
            headers: encoding
                .map(|e| vec![("Content-Encoding".to_owned(), e.to_owned())])
                .unwrap_or_default(),
            body,
        }
    }

    #[test]
    fn gzip_round_trips_and_plain_bodies_pass() {
        let text = br#"{"changes":[],"cursor":"e0.0","more":false}"#.repeat(50);
        let packed = gzip(&text);
        assert!(packed.len() < text.len() / 5);
        assert_eq!(
            decoded_body(&response(Some("gzip"), packed)).expect("unpack"),
            text
        );
        assert_eq!(
            decoded_body(&response(None, text.clone())).expect("plain"),
            text
        );
    }

    #[test]
    fn corrupt_cut_and_unknown_bodies_are_errors() {
        let packed = gzip(&b"x".repeat(10_000));
        let cut = packed[..packed.len() / 2].to_vec();
        assert!(decoded_body(&response(Some("gzip"), cut)).is_err());
        let mut corrupt = gzip(b"hello world, hello world");
        let n = corrupt.len();
        corrupt[n - 6] ^= 0xff;
        assert!(decoded_body(&response(Some("gzip"), corrupt)).is_err());
        // Unpacked already by the platform's client, header left on.
        assert_eq!(
            decoded_body(&response(Some("gzip"), b"{}".to_vec())).expect("plain"),
            b"{}"
        );
        assert!(decoded_body(&response(Some("br"), b"x".to_vec())).is_err());
        assert!(decoded_body(&response(Some("zstd"), vec![0x28, 0xb5, 0x2f, 0xfd, 1])).is_err());
        // Unpacked by the platform client, which kept the header it was answered with.
        assert_eq!(
            decoded_body(&response(Some("zstd"), b"{\"more\":false}".to_vec())).expect("plain"),
            b"{\"more\":false}"
        );
    }

    #[test]
    fn a_decompression_bomb_is_refused() {
        // 80 MB of zeros packs into well under 100 KB.
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        let zeros = vec![0u8; 1024 * 1024];
        for _ in 0..80 {
            encoder.write_all(&zeros).expect("write");
        }
        let bomb = encoder.finish().expect("finish");
        assert!(bomb.len() < 200_000);
        let err = decoded_body(&response(Some("gzip"), bomb)).expect_err("refused");
        assert!(err.0.contains("too large"), "{err}");
    }
}
