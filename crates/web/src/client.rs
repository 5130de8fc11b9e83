//! Where a request comes from: the connecting peer, or, when the peer is a
//! trusted proxy (`serve --trusted-proxy CIDR`), the client it names in
//! `X-Forwarded-For`. Without trusted proxies the header is ignored, so a
//! client cannot choose its own address.

use crate::state::AppState;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::HeaderMap;
use axum::http::request::Parts;
pub use ipnet::IpNet;
use std::convert::Infallible;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

/// Reads a trusted proxy: a network (`10.0.0.0/8`) or one address.
pub fn parse_proxy(raw: &str) -> Result<IpNet, String> {
    let raw = raw.trim();
    raw.parse::<IpNet>()
        .or_else(|_| raw.parse::<IpAddr>().map(IpNet::from))
        .map_err(|_| format!("'{raw}' is neither an address nor a network like 10.0.0.0/8"))
}

/// The client's address for a request from `peer` with `headers`: walking
/// `X-Forwarded-For` from the right (the hop the nearest proxy added) while
/// the hop is itself a trusted proxy.
pub fn client_of(peer: IpAddr, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |a: &IpAddr| trusted.iter().any(|n| n.contains(a));
    if !is_trusted(&peer) {
        return peer;
    }
    let hops: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .collect();
    let mut client = peer;
    for hop in hops.iter().rev() {
        let Ok(addr) = hop.trim().parse::<IpAddr>() else {
            break;
        };
        client = addr;
        if !is_trusted(&addr) {
            break;
        }
    }
    client
}

/// The client address of a request (see the module).
#[derive(Debug, Clone, Copy)]
pub struct ClientAddr(pub IpAddr);

impl ClientAddr {
    pub fn of(parts: &Parts, state: &AppState) -> Self {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip());
        Self(client_of(peer, &parts.headers, &state.trusted_proxies))
    }
}

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Infallible> {
        Ok(Self::of(parts, state))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn headers(xff: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", xff.parse().unwrap());
        h
    }

    #[test]
    fn the_forwarded_address_counts_only_from_a_trusted_proxy() {
        let proxy: IpAddr = "10.0.0.5".parse().unwrap();
        let trusted = [parse_proxy("10.0.0.0/8").unwrap()];
        let h = headers("203.0.113.9, 198.51.100.7");
        assert_eq!(client_of(proxy, &h, &[]), proxy);
        assert_eq!(
            client_of(proxy, &h, &trusted),
            "198.51.100.7".parse::<IpAddr>().unwrap(),
            "the hop the proxy added, not what the client wrote before it"
        );
        let stranger: IpAddr = "192.0.2.1".parse().unwrap();
        assert_eq!(client_of(stranger, &h, &trusted), stranger);
        assert_eq!(client_of(proxy, &headers("junk"), &trusted), proxy);
        assert!(parse_proxy("10.0.0.1").is_ok());
        assert!(parse_proxy("ten").is_err());
    }
}
