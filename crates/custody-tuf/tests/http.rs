//! The HTTP transport against real sockets: slow retrieval and endless data are cut off,
//! HTTP errors carry their status.

use custody_tuf::TufError;
use custody_tuf::fetch::Fetcher as _;
use custody_tuf::http::{HttpFetcher, Timeouts};
use std::io::{Read as _, Write as _};
use std::net::TcpListener;
use std::time::{Duration, Instant};

/// Serve one connection with `respond`, on a free port; returns the URL.
fn serve(respond: impl FnOnce(std::net::TcpStream) + Send + 'static) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        if let Ok((mut stream, _)) = listener.accept() {
            let mut buf = [0u8; 4096];
            let _ = stream.read(&mut buf);
            respond(stream);
        }
    });
    format!("http://127.0.0.1:{port}/timestamp.json")
}

fn fetcher() -> HttpFetcher {
    HttpFetcher::new(Timeouts {
        connect: Duration::from_secs(2),
        request: Duration::from_secs(1),
    })
}

#[test]
fn slow_retrieval_is_cut_off_by_the_deadline() {
    let url = serve(|mut s| {
        let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n");
        for _ in 0..100 {
            if s.write_all(b"x").is_err() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    });
    let start = Instant::now();
    let err = fetcher().fetch(&url, 1000).expect_err("too slow");
    assert!(matches!(err, TufError::Download { .. }), "{err}");
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
}

#[test]
fn endless_data_is_cut_off_at_the_limit() {
    let url = serve(|mut s| {
        let _ = s.write_all(b"HTTP/1.1 200 OK\r\n\r\n");
        let chunk = [b'x'; 4096];
        for _ in 0..1000 {
            if s.write_all(&chunk).is_err() {
                return;
            }
        }
    });
    let err = fetcher()
        .fetch(&url, 10_000)
        .expect_err("more than allowed");
    assert!(
        err.to_string().contains("more than the 10000 bytes"),
        "{err}"
    );
    // A declared length over the limit is refused before reading.
    let url = serve(|mut s| {
        let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 999999\r\n\r\nxx");
    });
    assert!(fetcher().fetch(&url, 10).is_err());
}

#[test]
fn http_errors_carry_their_status() {
    let url = serve(|mut s| {
        let _ = s.write_all(b"HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\n\r\n");
    });
    match fetcher().fetch(&url, 100) {
        Err(TufError::Download { status, .. }) => assert_eq!(status, Some(404)),
        other => panic!("expected a 404, got {other:?}"),
    }
    let url = serve(|mut s| {
        let _ = s.write_all(b"HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\nhello");
    });
    assert_eq!(fetcher().fetch(&url, 5).expect("fits"), b"hello");
}

/// After an error status the connection is reused: the server here answers two requests
/// on the one connection it accepts, so a second connection would never be answered.
#[test]
fn connections_survive_error_statuses() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        let Ok((mut stream, _)) = listener.accept() else {
            return;
        };
        for response in [
            &b"HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nnot found"[..],
            &b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"[..],
        ] {
            let mut request = Vec::new();
            let mut buf = [0u8; 1024];
            while !request.ends_with(b"\r\n\r\n") {
                match stream.read(&mut buf) {
                    Ok(0) | Err(_) => return,
                    Ok(n) => request.extend_from_slice(&buf[..n]),
                }
            }
            let _ = stream.write_all(response);
        }
    });
    let fetcher = fetcher();
    let err = fetcher
        .fetch(&format!("http://127.0.0.1:{port}/2.root.json"), 1000)
        .expect_err("404");
    assert!(
        matches!(
            err,
            TufError::Download {
                status: Some(404),
                ..
            }
        ),
        "{err}"
    );
    let body = fetcher
        .fetch(&format!("http://127.0.0.1:{port}/timestamp.json"), 1000)
        .expect("second request on the same connection");
    assert_eq!(body, b"ok");
}
