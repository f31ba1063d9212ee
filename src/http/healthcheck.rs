//! The client side of `/health`, for `seam-mock healthcheck`: a container `HEALTHCHECK` runs
//! the image's own binary (a `scratch` image has no shell and no curl), which sends one
//! `GET /health` to the server it would itself be, and says whether it answered 200.

use std::io::{Read, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpStream, ToSocketAddrs};
use std::time::Duration;

/// Where to reach a server configured to listen on `host:port`. A server listening on every
/// address (`0.0.0.0`, `::`, as inside a container) is reached on the loopback address of the
/// same family; any other host is used as given (and resolved when it is a name).
pub fn probe_addrs(host: &str, port: u16) -> Result<Vec<SocketAddr>, String> {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = bare.parse::<IpAddr>() {
        let ip = match ip {
            IpAddr::V4(v4) if v4.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(v6) if v6.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
            ip => ip,
        };
        return Ok(vec![SocketAddr::new(ip, port)]);
    }
    let addrs: Vec<SocketAddr> = (bare, port)
        .to_socket_addrs()
        .map_err(|e| format!("cannot resolve {bare}: {e}"))?
        .collect();
    if addrs.is_empty() {
        return Err(format!("{bare} resolves to no address"));
    }
    Ok(addrs)
}

/// Sends `GET /health` to the server configured on `host:port` and succeeds when it answers
/// 200. Each step (connect, write, read) gives up after `timeout`, so a hung server fails the
/// check instead of hanging it. The error says what went wrong, for the container's health log.
pub fn check(host: &str, port: u16, timeout: Duration) -> Result<SocketAddr, String> {
    let mut last = String::from("no address to try");
    for addr in probe_addrs(host, port)? {
        match get_health(addr, timeout) {
            Ok(()) => return Ok(addr),
            Err(e) => last = format!("http://{addr}/health: {e}"),
        }
    }
    Err(last)
}

fn get_health(addr: SocketAddr, timeout: Duration) -> Result<(), String> {
    let mut stream = TcpStream::connect_timeout(&addr, timeout).map_err(|e| e.to_string())?;
    stream
        .set_read_timeout(Some(timeout))
        .and_then(|()| stream.set_write_timeout(Some(timeout)))
        .map_err(|e| e.to_string())?;
    let request = format!(
        "GET /health HTTP/1.1\r\nHost: {addr}\r\nUser-Agent: seam-mock-healthcheck\r\n\
         Accept: application/json\r\nConnection: close\r\n\r\n"
    );
    stream
        .write_all(request.as_bytes())
        .map_err(|e| format!("cannot send the request: {e}"))?;
    // The status line is all that is needed; read until it is complete (or the peer closes).
    let mut head = Vec::with_capacity(256);
    let mut buf = [0u8; 256];
    while !head.windows(2).any(|w| w == b"\r\n") {
        let n = stream
            .read(&mut buf)
            .map_err(|e| format!("no answer: {e}"))?;
        if n == 0 {
            break;
        }
        head.extend_from_slice(&buf[..n]);
        if head.len() > 4096 {
            break;
        }
    }
    let text = String::from_utf8_lossy(&head);
    let status_line = text.lines().next().unwrap_or_default();
    let mut parts = status_line.split_whitespace();
    match (parts.next(), parts.next()) {
        (Some(v), Some("200")) if v.starts_with("HTTP/1.") => Ok(()),
        (Some(v), Some(code)) if v.starts_with("HTTP/1.") => Err(format!("answered {code}")),
        _ if status_line.is_empty() => Err("closed without answering".into()),
        _ => Err(format!("not an HTTP answer: {status_line:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unspecified_hosts_are_probed_on_loopback() {
        let v4 = "127.0.0.1:8080".parse::<SocketAddr>().unwrap();
        let v6 = "[::1]:8080".parse::<SocketAddr>().unwrap();
        assert_eq!(probe_addrs("0.0.0.0", 8080).unwrap(), vec![v4]);
        assert_eq!(probe_addrs("::", 8080).unwrap(), vec![v6]);
        assert_eq!(probe_addrs("[::]", 8080).unwrap(), vec![v6]);
        assert_eq!(probe_addrs("127.0.0.1", 8080).unwrap(), vec![v4]);
        assert_eq!(
            probe_addrs("10.1.2.3", 9).unwrap(),
            vec!["10.1.2.3:9".parse::<SocketAddr>().unwrap()]
        );
    }

    fn answer_once(reply: &'static [u8]) -> u16 {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        std::thread::spawn(move || {
            let (mut s, _) = listener.accept().unwrap();
            let mut buf = [0u8; 1024];
            let _ = s.read(&mut buf);
            let _ = s.write_all(reply);
        });
        port
    }

    #[test]
    fn only_a_200_status_line_is_healthy() {
        let t = Duration::from_secs(5);
        let port = answer_once(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n");
        assert!(check("127.0.0.1", port, t).is_ok());
        let port = answer_once(b"HTTP/1.1 503 Service Unavailable\r\n\r\n");
        assert_eq!(
            check("127.0.0.1", port, t).unwrap_err(),
            format!("http://127.0.0.1:{port}/health: answered 503")
        );
        let port = answer_once(b"SSH-2.0-OpenSSH\r\n");
        assert!(
            check("127.0.0.1", port, t)
                .unwrap_err()
                .contains("not an HTTP answer")
        );
        let port = answer_once(b"");
        assert!(
            check("127.0.0.1", port, t)
                .unwrap_err()
                .contains("closed without answering")
        );
    }

    #[test]
    fn a_silent_server_fails_after_the_timeout() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let started = std::time::Instant::now();
        let err = check("127.0.0.1", port, Duration::from_millis(200)).unwrap_err();
        assert!(err.contains("no answer"), "{err}");
        assert!(started.elapsed() < Duration::from_secs(3));
        drop(listener);
    }
}
