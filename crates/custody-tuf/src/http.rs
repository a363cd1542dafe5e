//! The HTTP(S) transport: ureq with rustls (Mozilla's root certificates), plus `file://`
//! URLs, with the length limit enforced while reading and a deadline per request.

use crate::TufError;
use crate::fetch::Fetcher;
use std::io::Read as _;
use std::time::Duration;

/// HTTP(S) and `file://` fetching with timeouts. Proxies come from the usual
/// environment variables (`HTTPS_PROXY`, `NO_PROXY`, …), except for loopback addresses,
/// which are always reached directly.
#[derive(Debug, Clone)]
pub struct HttpFetcher {
    agent: ureq::Agent,
    direct: ureq::Agent,
}

/// Timeouts for [`HttpFetcher`].
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    /// Connecting (DNS, TCP, TLS).
    pub connect: Duration,
    /// The whole request, body included: what stops a server that drips data slowly.
    pub request: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            connect: Duration::from_secs(15),
            request: Duration::from_secs(120),
        }
    }
}

impl HttpFetcher {
    /// A fetcher with these timeouts; connections are kept alive between requests.
    #[must_use]
    pub fn new(timeouts: Timeouts) -> Self {
        let base = || {
            ureq::Agent::config_builder()
                .timeout_connect(Some(timeouts.connect))
                .user_agent(concat!("custody/", env!("CARGO_PKG_VERSION")))
                // Statuses are handled in `fetch`, which reads error bodies so that the
                // connection goes back to the pool.
                .http_status_as_error(false)
        };
        let agent = base()
            .timeout_global(Some(timeouts.request))
            .proxy(ureq::Proxy::try_from_env())
            .build()
            .new_agent();
        // Loopback: the same deadline, set per phase (sending, waiting for the response,
        // receiving the body) instead of for the whole request. With a whole-request
        // deadline ureq resolves the host name on a thread of its own so that it can give
        // up; a thread per request is most of the cost of a request to 127.0.0.1.
        let direct = base()
            .timeout_send_request(Some(timeouts.request))
            .timeout_recv_response(Some(timeouts.request))
            .timeout_recv_body(Some(timeouts.request))
            .proxy(None)
            .build()
            .new_agent();
        Self { agent, direct }
    }

    fn agent_for(&self, url: &str) -> &ureq::Agent {
        let host = url.split_once("://").map_or("", |(_, rest)| {
            rest.split(['/', '?', '#']).next().unwrap_or("")
        });
        let loopback =
            host.starts_with("127.") || host.starts_with("localhost") || host.starts_with("[::1]");
        if loopback { &self.direct } else { &self.agent }
    }
}

impl Default for HttpFetcher {
    fn default() -> Self {
        Self::new(Timeouts::default())
    }
}

/// How much of an error response is read (and dropped) to keep its connection.
const ERROR_BODY_BYTES: u64 = 64 * 1024;

fn download_error(url: &str, reason: impl std::fmt::Display) -> TufError {
    TufError::Download {
        url: url.to_owned(),
        reason: reason.to_string(),
        status: None,
    }
}

fn too_long(url: &str, max_length: u64) -> TufError {
    TufError::TooLong {
        url: url.to_owned(),
        limit: max_length,
    }
}

impl Fetcher for HttpFetcher {
    fn fetch(&self, url: &str, max_length: u64) -> Result<Vec<u8>, TufError> {
        if let Some(path) = url.strip_prefix("file://") {
            return read_file_limited(url, path, max_length);
        }
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(download_error(
                url,
                "only http, https and file URLs are supported",
            ));
        }
        let mut response = self
            .agent_for(url)
            .get(url)
            .call()
            .map_err(|e| download_error(url, e))?;
        let status = response.status().as_u16();
        if !(200..300).contains(&status) {
            // Read a short error page to the end so the connection can be reused.
            let mut sink = Vec::new();
            let _ = response
                .body_mut()
                .as_reader()
                .take(ERROR_BODY_BYTES)
                .read_to_end(&mut sink);
            return Err(TufError::Download {
                url: url.to_owned(),
                reason: format!("HTTP status {status}"),
                status: Some(status),
            });
        }
        let declared = response
            .headers()
            .get("content-length")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        if declared.is_some_and(|n| n > max_length) {
            return Err(too_long(url, max_length));
        }
        let mut body = Vec::new();
        response
            .body_mut()
            .as_reader()
            .take(max_length.saturating_add(1))
            .read_to_end(&mut body)
            .map_err(|e| download_error(url, e))?;
        if u64::try_from(body.len()).unwrap_or(u64::MAX) > max_length {
            return Err(too_long(url, max_length));
        }
        Ok(body)
    }
}

fn read_file_limited(url: &str, path: &str, max_length: u64) -> Result<Vec<u8>, TufError> {
    let path = percent_encoding::percent_decode_str(path).decode_utf8_lossy();
    let file = std::fs::File::open(path.as_ref()).map_err(|e| TufError::Download {
        url: url.to_owned(),
        reason: e.to_string(),
        status: (e.kind() == std::io::ErrorKind::NotFound).then_some(404),
    })?;
    let mut body = Vec::new();
    file.take(max_length.saturating_add(1))
        .read_to_end(&mut body)
        .map_err(|e| download_error(url, e))?;
    if u64::try_from(body.len()).unwrap_or(u64::MAX) > max_length {
        return Err(too_long(url, max_length));
    }
    Ok(body)
}
