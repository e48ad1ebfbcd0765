//! Who is on the other end of a request: the client's address and whether it came over TLS.
//!
//! A request says much about itself in headers anyone can write: `Host`, `X-Forwarded-For`,
//! `X-Forwarded-Host`, `X-Forwarded-Proto`, `Forwarded`. Disan believes the forwarding headers
//! only when the connection comes from a **trusted proxy** (the `[serve] trusted_proxies`
//! addresses and networks); otherwise the client is the connection's peer. Absolute URLs never
//! come from a request at all: they use the configured public URL, else the address the server
//! listens on ([`super::state::AppState::origin`]), so a forged `Host` cannot rewrite the links
//! of a page a shared cache keeps.

use std::net::IpAddr;

use actix_web::HttpRequest;
use ipnet::IpNet;

/// Addresses whose forwarding headers are believed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// Parses addresses (`127.0.0.1`, `::1`) and networks (`10.0.0.0/8`).
    pub fn parse(entries: &[String]) -> Result<TrustedProxies, String> {
        entries
            .iter()
            .map(|entry| {
                let text = entry.trim();
                text.parse::<IpNet>()
                    .or_else(|_| text.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| {
                        format!("`{text}` is not an IP address or network (such as 10.0.0.0/8)")
                    })
            })
            .collect::<Result<Vec<_>, _>>()
            .map(TrustedProxies)
    }

    pub fn contains(&self, address: IpAddr) -> bool {
        let address = unmapped(address);
        self.0.iter().any(|net| net.contains(&address))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The client of one request, as far as it can be known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Client {
    pub address: IpAddr,
    /// Over TLS, directly or to a trusted proxy that says so.
    pub https: bool,
}

impl Client {
    pub fn of(req: &HttpRequest, trusted: &TrustedProxies) -> Client {
        let peer = req
            .peer_addr()
            .map(|a| unmapped(a.ip()))
            .unwrap_or(IpAddr::V6(std::net::Ipv6Addr::LOCALHOST));
        let direct = Client {
            address: peer,
            https: req.app_config().secure(),
        };
        if !trusted.contains(peer) {
            return direct;
        }
        let headers = req.headers();
        let text = |name: &str| {
            headers
                .get_all(name)
                .filter_map(|v| v.to_str().ok())
                .collect::<Vec<_>>()
                .join(",")
        };
        // Each proxy appends the address it received from: the client is the last one that
        // is not itself a trusted proxy.
        let forwarded = parse_forwarded(&text("forwarded"));
        let chain: Vec<IpAddr> = if forwarded.iter().any(|f| f.0.is_some()) {
            forwarded.iter().filter_map(|f| f.0).collect()
        } else {
            text("x-forwarded-for")
                .split(',')
                .filter_map(|a| parse_address(a.trim()))
                .collect()
        };
        let address = chain
            .iter()
            .rev()
            .copied()
            .find(|a| !trusted.contains(*a))
            .or_else(|| chain.first().copied())
            .unwrap_or(peer);
        let proto = forwarded
            .iter()
            .rev()
            .find_map(|f| f.1.clone())
            .or_else(|| {
                let proto = text("x-forwarded-proto");
                proto
                    .rsplit(',')
                    .next()
                    .map(|p| p.trim().to_ascii_lowercase())
            });
        Client {
            address,
            https: direct.https || proto.as_deref() == Some("https"),
        }
    }
}

/// An IPv4 address written as IPv6 (`::ffff:10.0.0.1`) is the IPv4 address.
fn unmapped(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
        v4 => v4,
    }
}

/// `1.2.3.4`, `1.2.3.4:56`, `[::1]:80`, `"[2001:db8::1]"` — or nothing (`unknown`, `_hidden`).
fn parse_address(text: &str) -> Option<IpAddr> {
    let text = text.trim().trim_matches('"');
    if let Ok(address) = text.parse::<IpAddr>() {
        return Some(unmapped(address));
    }
    if let Ok(socket) = text.parse::<std::net::SocketAddr>() {
        return Some(unmapped(socket.ip()));
    }
    text.strip_prefix('[')
        .and_then(|rest| rest.split(']').next())
        .and_then(|inner| inner.parse::<IpAddr>().ok())
        .map(unmapped)
}

/// The `for` address and `proto` of each element of an RFC 7239 `Forwarded` header.
fn parse_forwarded(header: &str) -> Vec<(Option<IpAddr>, Option<String>)> {
    header
        .split(',')
        .filter(|element| !element.trim().is_empty())
        .map(|element| {
            let mut found = (None, None);
            for pair in element.split(';') {
                let Some((key, value)) = pair.split_once('=') else {
                    continue;
                };
                match key.trim().to_ascii_lowercase().as_str() {
                    "for" => found.0 = parse_address(value),
                    "proto" => found.1 = Some(value.trim().trim_matches('"').to_ascii_lowercase()),
                    _ => {}
                }
            }
            found
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    fn trusted(list: &[&str]) -> TrustedProxies {
        TrustedProxies::parse(&list.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap()
    }

    #[test]
    fn forwarding_headers_count_only_from_trusted_proxies() {
        let forged = TestRequest::get()
            .peer_addr("203.0.113.9:5000".parse().unwrap())
            .insert_header(("X-Forwarded-For", "10.9.9.9"))
            .insert_header(("X-Forwarded-Proto", "https"))
            .to_http_request();
        let client = Client::of(&forged, &trusted(&["127.0.0.1", "10.0.0.0/8"]));
        assert_eq!(client.address, "203.0.113.9".parse::<IpAddr>().unwrap());
        assert!(!client.https);

        let proxied = TestRequest::get()
            .peer_addr("127.0.0.1:5000".parse().unwrap())
            .insert_header(("X-Forwarded-For", "198.51.100.7, 10.0.0.2"))
            .insert_header(("X-Forwarded-Proto", "https"))
            .to_http_request();
        let client = Client::of(&proxied, &trusted(&["127.0.0.1", "10.0.0.0/8"]));
        assert_eq!(client.address, "198.51.100.7".parse::<IpAddr>().unwrap());
        assert!(client.https);

        let rfc = TestRequest::get()
            .peer_addr("[::ffff:127.0.0.1]:5000".parse().unwrap())
            .insert_header(("Forwarded", "for=\"[2001:db8::7]:443\";proto=https"))
            .to_http_request();
        let client = Client::of(&rfc, &trusted(&["127.0.0.1"]));
        assert_eq!(client.address, "2001:db8::7".parse::<IpAddr>().unwrap());
        assert!(client.https);
        assert!(TrustedProxies::parse(&["not-an-ip".into()]).is_err());
    }
}
