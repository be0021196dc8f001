//! Which network addresses the platform may call on its own initiative (webhooks to
//! commissioning organs' systems): never an address of the platform's own host or network, nor
//! one reserved for special use (IANA special-purpose address registries, RFC 6890). The
//! classification is pure; the caller resolves names and passes every address found.
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// A special-purpose range an address falls in, with the rule that reserves it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// 0.0.0.0 and `::` (RFC 1122 §3.2.1.3; RFC 4291 §2.5.2).
    Unspecified,
    /// 0.0.0.0/8, "this network" (RFC 1122 §3.2.1.3).
    ThisNetwork,
    /// 127.0.0.0/8 and `::1` (RFC 1122 §3.2.1.3; RFC 4291 §2.5.3).
    Loopback,
    /// 169.254.0.0/16 (RFC 3927; cloud metadata services live here) and fe80::/10
    /// (RFC 4291 §2.5.6).
    LinkLocal,
    /// 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 (RFC 1918).
    Private,
    /// 100.64.0.0/10, carrier-grade NAT (RFC 6598).
    SharedAddress,
    /// 192.0.0.0/24, IETF protocol assignments (RFC 6890 §2.2.2).
    ProtocolAssignments,
    /// 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24 (RFC 5737) and 2001:db8::/32 (RFC 3849).
    Documentation,
    /// 198.18.0.0/15, network benchmarking (RFC 2544).
    Benchmarking,
    /// 224.0.0.0/4 (RFC 5771) and ff00::/8 (RFC 4291 §2.7).
    Multicast,
    /// 255.255.255.255, limited broadcast (RFC 919).
    Broadcast,
    /// 240.0.0.0/4 except the broadcast address, reserved for future use (RFC 1112 §4).
    Reserved,
    /// fc00::/7, unique local (RFC 4193).
    UniqueLocal,
    /// fec0::/10, deprecated site-local (RFC 3879).
    SiteLocal,
    /// 2001::/32, Teredo (RFC 4380): tunnels to an IPv4 address hidden in the address.
    Teredo,
    /// 64:ff9b:1::/48, NAT64 for local use (RFC 8215).
    Nat64LocalUse,
}

impl Class {
    /// A stable name for the class (also the suffix of its message key).
    pub fn key(self) -> &'static str {
        match self {
            Class::Unspecified => "unspecified",
            Class::ThisNetwork => "this_network",
            Class::Loopback => "loopback",
            Class::LinkLocal => "link_local",
            Class::Private => "private",
            Class::SharedAddress => "shared",
            Class::ProtocolAssignments => "protocol",
            Class::Documentation => "documentation",
            Class::Benchmarking => "benchmarking",
            Class::Multicast => "multicast",
            Class::Broadcast => "broadcast",
            Class::Reserved => "reserved",
            Class::UniqueLocal => "unique_local",
            Class::SiteLocal => "site_local",
            Class::Teredo => "teredo",
            Class::Nat64LocalUse => "nat64_local",
        }
    }
}

/// How an IPv6 address carries an IPv4 address whose class decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Embedding {
    /// ::ffff:0:0/96 (RFC 4291 §2.5.5.2).
    Mapped,
    /// ::/96, deprecated IPv4-compatible (RFC 4291 §2.5.5.1).
    Compatible,
    /// 64:ff9b::/96, the NAT64 well-known prefix (RFC 6052 §2.1).
    Nat64,
    /// 2002::/16, 6to4 (RFC 3056 §2).
    SixToFour,
}

impl Embedding {
    pub fn key(self) -> &'static str {
        match self {
            Embedding::Mapped => "mapped",
            Embedding::Compatible => "compatible",
            Embedding::Nat64 => "nat64",
            Embedding::SixToFour => "6to4",
        }
    }
}

/// Why an address may not be called: its class, and for an IPv6 address that carries an IPv4
/// one, how and which.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Finding {
    pub class: Class,
    pub via: Option<(Embedding, Ipv4Addr)>,
}

/// The special-purpose class of `ip`, or `None` for an ordinary public address.
pub fn classify(ip: IpAddr) -> Option<Finding> {
    match ip {
        IpAddr::V4(v4) => classify_v4(v4).map(|class| Finding { class, via: None }),
        IpAddr::V6(v6) => classify_v6(v6),
    }
}

fn in_v4(ip: Ipv4Addr, net: [u8; 4], prefix: u32) -> bool {
    let mask = if prefix == 0 {
        0
    } else {
        u32::MAX << (32 - prefix)
    };
    u32::from(ip) & mask == u32::from(Ipv4Addr::from(net)) & mask
}

fn in_v6(ip: Ipv6Addr, net: Ipv6Addr, prefix: u32) -> bool {
    let mask = if prefix == 0 {
        0
    } else {
        u128::MAX << (128 - prefix)
    };
    u128::from(ip) & mask == u128::from(net) & mask
}

fn classify_v4(ip: Ipv4Addr) -> Option<Class> {
    use Class::*;
    let table: &[([u8; 4], u32, Class)] = &[
        ([0, 0, 0, 0], 32, Unspecified),
        ([0, 0, 0, 0], 8, ThisNetwork),
        ([127, 0, 0, 0], 8, Loopback),
        ([169, 254, 0, 0], 16, LinkLocal),
        ([10, 0, 0, 0], 8, Private),
        ([172, 16, 0, 0], 12, Private),
        ([192, 168, 0, 0], 16, Private),
        ([100, 64, 0, 0], 10, SharedAddress),
        ([192, 0, 0, 0], 24, ProtocolAssignments),
        ([192, 0, 2, 0], 24, Documentation),
        ([198, 51, 100, 0], 24, Documentation),
        ([203, 0, 113, 0], 24, Documentation),
        ([198, 18, 0, 0], 15, Benchmarking),
        ([224, 0, 0, 0], 4, Multicast),
        ([255, 255, 255, 255], 32, Broadcast),
        ([240, 0, 0, 0], 4, Reserved),
    ];
    table
        .iter()
        .find(|(net, prefix, _)| in_v4(ip, *net, *prefix))
        .map(|(_, _, c)| *c)
}

fn classify_v6(ip: Ipv6Addr) -> Option<Finding> {
    use Class::*;
    let plain = |class| Some(Finding { class, via: None });
    let bits = u128::from(ip);
    if ip.is_unspecified() {
        return plain(Unspecified);
    }
    if ip.is_loopback() {
        return plain(Loopback);
    }
    // Forms that carry an IPv4 address: the IPv4 address decides.
    let low32 = Ipv4Addr::from(bits as u32);
    let embedded = if in_v6(ip, Ipv6Addr::new(0, 0, 0, 0, 0, 0xffff, 0, 0), 96) {
        Some((Embedding::Mapped, low32))
    } else if in_v6(ip, Ipv6Addr::UNSPECIFIED, 96) {
        Some((Embedding::Compatible, low32))
    } else if in_v6(ip, Ipv6Addr::new(0x64, 0xff9b, 0, 0, 0, 0, 0, 0), 96) {
        Some((Embedding::Nat64, low32))
    } else if in_v6(ip, Ipv6Addr::new(0x2002, 0, 0, 0, 0, 0, 0, 0), 16) {
        Some((Embedding::SixToFour, Ipv4Addr::from((bits >> 80) as u32)))
    } else {
        None
    };
    if let Some((how, v4)) = embedded {
        return classify_v4(v4).map(|class| Finding {
            class,
            via: Some((how, v4)),
        });
    }
    let table: &[(Ipv6Addr, u32, Class)] = &[
        (Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 0), 10, LinkLocal),
        (Ipv6Addr::new(0xfec0, 0, 0, 0, 0, 0, 0, 0), 10, SiteLocal),
        (Ipv6Addr::new(0xfc00, 0, 0, 0, 0, 0, 0, 0), 7, UniqueLocal),
        (Ipv6Addr::new(0xff00, 0, 0, 0, 0, 0, 0, 0), 8, Multicast),
        (
            Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0),
            32,
            Documentation,
        ),
        (Ipv6Addr::new(0x2001, 0, 0, 0, 0, 0, 0, 0), 32, Teredo),
        (
            Ipv6Addr::new(0x64, 0xff9b, 1, 0, 0, 0, 0, 0),
            48,
            Nat64LocalUse,
        ),
    ];
    table
        .iter()
        .find(|(net, prefix, _)| in_v6(ip, *net, *prefix))
        .and_then(|(_, _, c)| plain(*c))
}

/// A network an administrator allows, `address/prefix` (or one address).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Network {
    addr: IpAddr,
    prefix: u32,
}

impl Network {
    /// Parses `10.20.0.0/16`, `fd12:3456::/48` or a single address. The bits after the prefix
    /// must be zero, so a typing error is not silently widened.
    pub fn parse(s: &str) -> Result<Network, String> {
        let s = s.trim();
        let (a, p) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        };
        let addr: IpAddr = a
            .parse()
            .map_err(|_| format!("“{s}”不是 IP 地址或网段（如 10.20.0.0/16）"))?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match p {
            None => max,
            Some(p) => p
                .parse::<u32>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| format!("“{s}”的前缀长度须为 0 至 {max}"))?,
        };
        let n = Network { addr, prefix };
        if n.network_bits() != n.addr_bits() {
            return Err(format!("“{s}”的主机位不为零；网段应写作其起始地址"));
        }
        Ok(n)
    }

    fn addr_bits(&self) -> u128 {
        match self.addr {
            IpAddr::V4(a) => u128::from(u32::from(a)),
            IpAddr::V6(a) => u128::from(a),
        }
    }

    fn network_bits(&self) -> u128 {
        match self.addr {
            IpAddr::V4(a) => {
                let mask = if self.prefix == 0 {
                    0
                } else {
                    u32::MAX << (32 - self.prefix)
                };
                u128::from(u32::from(a) & mask)
            }
            IpAddr::V6(a) => {
                let mask = if self.prefix == 0 {
                    0
                } else {
                    u128::MAX << (128 - self.prefix)
                };
                u128::from(a) & mask
            }
        }
    }

    /// Whether `ip` is in this network (an IPv4 network never contains an IPv6 address).
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, ip) {
            (IpAddr::V4(n), IpAddr::V4(a)) => in_v4(a, n.octets(), self.prefix),
            (IpAddr::V6(n), IpAddr::V6(a)) => in_v6(a, n, self.prefix),
            _ => false,
        }
    }
}

impl std::fmt::Display for Network {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.addr, self.prefix)
    }
}

/// Whether the platform may call `ip`: an ordinary public address, or one in a network the
/// administrator allows (for an IPv6 form carrying an IPv4 address, either may be allowed).
/// `Err` says which rule refuses it.
pub fn check(ip: IpAddr, allowed: &[Network]) -> Result<(), Finding> {
    let Some(f) = classify(ip) else {
        return Ok(());
    };
    let admitted = allowed
        .iter()
        .any(|n| n.contains(ip) || f.via.is_some_and(|(_, v4)| n.contains(IpAddr::V4(v4))));
    if admitted { Ok(()) } else { Err(f) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Class::*;

    fn class(s: &str) -> Option<Class> {
        classify(s.parse().unwrap()).map(|f| f.class)
    }

    #[test]
    fn ipv4_ranges_on_both_sides_of_each_boundary() {
        let table: &[(&str, Option<Class>)] = &[
            ("0.0.0.0", Some(Unspecified)),
            ("0.0.0.1", Some(ThisNetwork)),
            ("0.255.255.255", Some(ThisNetwork)),
            ("1.0.0.0", None),
            ("9.255.255.255", None),
            ("10.0.0.0", Some(Private)),
            ("10.0.0.1", Some(Private)),
            ("10.255.255.255", Some(Private)),
            ("11.0.0.0", None),
            ("100.63.255.255", None),
            ("100.64.0.0", Some(SharedAddress)),
            ("100.127.255.255", Some(SharedAddress)),
            ("100.128.0.0", None),
            ("126.255.255.255", None),
            ("127.0.0.0", Some(Loopback)),
            ("127.0.0.1", Some(Loopback)),
            ("127.255.255.255", Some(Loopback)),
            ("128.0.0.0", None),
            ("169.253.255.255", None),
            ("169.254.0.0", Some(LinkLocal)),
            ("169.254.169.254", Some(LinkLocal)),
            ("169.254.255.255", Some(LinkLocal)),
            ("169.255.0.0", None),
            ("172.15.255.255", None),
            ("172.16.0.0", Some(Private)),
            ("172.31.255.255", Some(Private)),
            ("172.32.0.0", None),
            ("191.255.255.255", None),
            ("192.0.0.0", Some(ProtocolAssignments)),
            ("192.0.0.255", Some(ProtocolAssignments)),
            ("192.0.1.255", None),
            ("192.0.2.0", Some(Documentation)),
            ("192.0.2.255", Some(Documentation)),
            ("192.0.3.0", None),
            ("192.167.255.255", None),
            ("192.168.0.0", Some(Private)),
            ("192.168.255.255", Some(Private)),
            ("192.169.0.0", None),
            ("198.17.255.255", None),
            ("198.18.0.0", Some(Benchmarking)),
            ("198.19.255.255", Some(Benchmarking)),
            ("198.20.0.0", None),
            ("198.51.99.255", None),
            ("198.51.100.0", Some(Documentation)),
            ("198.51.100.255", Some(Documentation)),
            ("198.51.101.0", None),
            ("203.0.112.255", None),
            ("203.0.113.0", Some(Documentation)),
            ("203.0.113.255", Some(Documentation)),
            ("203.0.114.0", None),
            ("223.255.255.255", None),
            ("224.0.0.0", Some(Multicast)),
            ("239.255.255.255", Some(Multicast)),
            ("240.0.0.0", Some(Reserved)),
            ("255.255.255.254", Some(Reserved)),
            ("255.255.255.255", Some(Broadcast)),
            ("8.8.8.8", None),
            ("114.114.114.114", None),
        ];
        for (ip, want) in table {
            assert_eq!(class(ip), *want, "{ip}");
        }
    }

    #[test]
    fn ipv6_ranges_on_both_sides_of_each_boundary() {
        let table: &[(&str, Option<Class>)] = &[
            ("::", Some(Unspecified)),
            ("::1", Some(Loopback)),
            ("fe7f:ffff:ffff:ffff:ffff:ffff:ffff:ffff", None),
            ("fe80::", Some(LinkLocal)),
            ("fe80::1", Some(LinkLocal)),
            ("febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff", Some(LinkLocal)),
            ("fec0::", Some(SiteLocal)),
            ("feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", Some(SiteLocal)),
            ("fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", None),
            ("fc00::", Some(UniqueLocal)),
            ("fd00::1", Some(UniqueLocal)),
            ("fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", Some(UniqueLocal)),
            ("fe00::", None),
            ("ff00::", Some(Multicast)),
            ("ff02::1", Some(Multicast)),
            ("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", Some(Multicast)),
            ("2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", None),
            ("2001:db8::", Some(Documentation)),
            (
                "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff",
                Some(Documentation),
            ),
            ("2001:db9::", None),
            ("2000:ffff:ffff:ffff:ffff:ffff:ffff:ffff", None),
            ("2001::", Some(Teredo)),
            ("2001:0:ffff:ffff:ffff:ffff:ffff:ffff", Some(Teredo)),
            ("2001:1::", None),
            ("64:ff9b:1::", Some(Nat64LocalUse)),
            ("64:ff9b:1:ffff:ffff:ffff:ffff:ffff", Some(Nat64LocalUse)),
            ("64:ff9b:2::", None),
            ("2400:3200::1", None),
            ("2606:4700:4700::1111", None),
        ];
        for (ip, want) in table {
            assert_eq!(class(ip), *want, "{ip}");
        }
    }

    #[test]
    fn embedded_ipv4_decides() {
        let v4 = |s: &str| s.parse::<Ipv4Addr>().unwrap();
        type Want<'a> = Option<(Class, Embedding, &'a str)>;
        let table: &[(&str, Want)] = &[
            // IPv4-mapped.
            (
                "::ffff:127.0.0.1",
                Some((Loopback, Embedding::Mapped, "127.0.0.1")),
            ),
            (
                "::ffff:10.0.0.1",
                Some((Private, Embedding::Mapped, "10.0.0.1")),
            ),
            (
                "::ffff:169.254.169.254",
                Some((LinkLocal, Embedding::Mapped, "169.254.169.254")),
            ),
            (
                "::ffff:0.0.0.0",
                Some((Unspecified, Embedding::Mapped, "0.0.0.0")),
            ),
            ("::ffff:8.8.8.8", None),
            // IPv4-compatible (deprecated).
            (
                "::10.0.0.1",
                Some((Private, Embedding::Compatible, "10.0.0.1")),
            ),
            (
                "::127.0.0.2",
                Some((Loopback, Embedding::Compatible, "127.0.0.2")),
            ),
            ("::8.8.8.8", None),
            // NAT64 well-known prefix, both sides of the /96.
            (
                "64:ff9b::a00:1",
                Some((Private, Embedding::Nat64, "10.0.0.1")),
            ),
            (
                "64:ff9b::7f00:1",
                Some((Loopback, Embedding::Nat64, "127.0.0.1")),
            ),
            (
                "64:ff9b::6440:1",
                Some((SharedAddress, Embedding::Nat64, "100.64.0.1")),
            ),
            (
                "64:ff9b::a9fe:a9fe",
                Some((LinkLocal, Embedding::Nat64, "169.254.169.254")),
            ),
            ("64:ff9b::808:808", None),
            ("64:ff9a:ffff:ffff:ffff:ffff:a00:1", None),
            ("64:ff9b:0:0:0:1:a00:1", None),
            // 6to4: the IPv4 address follows the 2002::/16 prefix.
            (
                "2002:a00:1::1",
                Some((Private, Embedding::SixToFour, "10.0.0.1")),
            ),
            (
                "2002:c0a8:101::",
                Some((Private, Embedding::SixToFour, "192.168.1.1")),
            ),
            (
                "2002:7f00:1:ffff:ffff:ffff:ffff:ffff",
                Some((Loopback, Embedding::SixToFour, "127.0.0.1")),
            ),
            ("2002:808:808::1", None),
            ("2001:ffff:ffff:ffff:ffff:ffff:a00:1", None),
            ("2003:a00:1::1", None),
        ];
        for (ip, want) in table {
            let got = classify(ip.parse().unwrap());
            let want = want.map(|(class, how, v)| Finding {
                class,
                via: Some((how, v4(v))),
            });
            assert_eq!(got, want, "{ip}");
        }
    }

    #[test]
    fn networks_parse_strictly() {
        for ok in [
            "10.20.0.0/16",
            "127.0.0.0/8",
            "0.0.0.0/0",
            "192.168.1.5",
            "fd12:3456::/48",
            "::1",
            "::/0",
        ] {
            let n = Network::parse(ok).unwrap();
            assert!(!n.to_string().is_empty(), "{ok}");
        }
        assert_eq!(
            Network::parse(" 10.20.0.0/16 ").unwrap().to_string(),
            "10.20.0.0/16"
        );
        for bad in [
            "",
            "10.20.0.0/33",
            "10.20.0.0/",
            "10.20.0.0/-1",
            "10.20.1.0/16",
            "fd00::1/8",
            "example.org",
            "10.20/16",
            "::/129",
        ] {
            assert!(Network::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn networks_contain_their_range_only() {
        let n = Network::parse("10.20.0.0/16").unwrap();
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        assert!(n.contains(ip("10.20.0.0")));
        assert!(n.contains(ip("10.20.255.255")));
        assert!(!n.contains(ip("10.19.255.255")));
        assert!(!n.contains(ip("10.21.0.0")));
        assert!(!n.contains(ip("::ffff:10.20.0.1")));
        let all = Network::parse("0.0.0.0/0").unwrap();
        assert!(all.contains(ip("255.255.255.255")));
        assert!(!all.contains(ip("::1")));
        let ula = Network::parse("fd12:3456::/32").unwrap();
        assert!(ula.contains(ip("fd12:3456:ffff::1")));
        assert!(!ula.contains(ip("fd12:3457::")));
    }

    #[test]
    fn the_allow_list_admits_its_networks_and_nothing_else() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        let allow = [
            Network::parse("10.20.0.0/16").unwrap(),
            Network::parse("fd00:1::/32").unwrap(),
        ];
        assert_eq!(check(ip("8.8.8.8"), &[]), Ok(()));
        assert_eq!(check(ip("2400:3200::1"), &[]), Ok(()));
        assert!(check(ip("10.20.1.1"), &[]).is_err());
        assert_eq!(check(ip("10.20.1.1"), &allow), Ok(()));
        assert_eq!(check(ip("::ffff:10.20.1.1"), &allow), Ok(()));
        assert_eq!(check(ip("64:ff9b::a14:101"), &allow), Ok(()));
        assert_eq!(check(ip("fd00:1::5"), &allow), Ok(()));
        assert_eq!(
            check(ip("10.21.0.1"), &allow),
            Err(Finding {
                class: Private,
                via: None
            })
        );
        assert!(check(ip("127.0.0.1"), &allow).is_err());
        assert!(check(ip("169.254.169.254"), &allow).is_err());
        assert!(check(ip("fd00:2::5"), &allow).is_err());
        assert!(check(ip("64:ff9b::a15:1"), &allow).is_err());
    }
}
