//! What a security group lets in from the whole internet, weighing accept and drop rules by
//! their precedence as each vendor documents it.
//!
//! A port is world-open when some internet address can reach it: an accepting ingress rule from
//! `0.0.0.0/0` (or `::/0`) covers it and no drop rule from the same whole range that is weighed
//! first covers it too. A drop rule from a narrower range leaves the rest of the internet able to
//! reach the port, so it closes nothing here. IPv4 and IPv6 are weighed apart (a drop from
//! `0.0.0.0/0` does not close what an accept from `::/0` opens), and so are TCP and UDP.
//!
//! Precedence is a rank: lower is weighed first. Where a vendor documents what happens when an
//! accept and a drop share a rank ([`Tie::DropWins`]), that is applied; where no source says
//! ([`Tie::Unknown`]), an overlap at the same rank leaves the group's openness unknown: an error,
//! never a guess.

/// The protocols of a rule, as far as ports go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Proto {
    Tcp,
    Udp,
    /// Every protocol (so every TCP and UDP port).
    Any,
    /// A protocol without ports (ICMP, GRE, ...): it opens and closes no port.
    Portless,
}

/// The ports a rule covers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Span {
    /// Every port.
    All,
    /// Inclusive ranges, each within 1..=65535.
    Ranges(Vec<(u16, u16)>),
}

/// One ingress rule from the whole internet.
#[derive(Clone, Debug)]
pub(crate) struct Rule {
    /// The vendor's rule id, for messages.
    pub id: String,
    /// Precedence (lower is weighed first); `None` when the answer does not carry it.
    pub rank: Option<i64>,
    pub accept: bool,
    /// The source is `::/0` rather than `0.0.0.0/0`.
    pub v6: bool,
    pub proto: Proto,
    pub span: Span,
}

/// What applies when an accept and a drop rule of the same rank cover the same port.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Tie {
    /// The vendor documents that the drop rule wins.
    DropWins,
    /// No source says: the port's state is unknown.
    Unknown,
}

/// The address families (`v6`) whose whole internet is one of `sources` (`(cidr, v6)`).
pub(crate) fn world_families(sources: &[(&str, bool)]) -> Vec<bool> {
    sources
        .iter()
        .filter(|(cidr, _)| super::is_world(cidr))
        .map(|(_, v6)| *v6)
        .collect()
}

/// The address families (false: IPv4, true: IPv6) in which a named set of addresses (a prefix
/// list, an address group, address templates) holds the whole internet, sorted, once each. An
/// address range (`a-b`) is not weighed: the set's reach is then unknown (`Err`, naming it).
pub(crate) fn set_families<'a>(
    addresses: impl IntoIterator<Item = &'a String>,
) -> Result<Vec<bool>, String> {
    let mut sources = Vec::new();
    for a in addresses {
        if a.contains('-') {
            return Err(format!("it holds the range {a}, which is not weighed"));
        }
        sources.push((a.as_str(), a.contains(':')));
    }
    let mut families = world_families(&sources);
    families.sort_unstable();
    families.dedup();
    Ok(families)
}

/// One copy of `rule` per address family in `families`.
pub(crate) fn per_family(rule: Rule, families: &[bool]) -> Vec<Rule> {
    families
        .iter()
        .map(|v6| Rule {
            v6: *v6,
            ..rule.clone()
        })
        .collect()
}

/// [`world_reach`] over the rules `read` finds in each item (an unreadable item is an error).
pub(crate) fn reach_of<T>(
    items: impl IntoIterator<Item = T>,
    read: impl Fn(T) -> Result<Vec<Rule>, String>,
    tie: Tie,
) -> Result<(Vec<u16>, bool), String> {
    let rules = items.into_iter().map(read).collect::<Result<Vec<_>, _>>()?;
    world_reach(&rules.concat(), tie)
}

/// Parses a port range `from<sep>to` or a single port, each within 1..=65535, `from <= to`.
pub(crate) fn port_range(text: &str, sep: char) -> Option<(u16, u16)> {
    let port = |t: &str| t.trim().parse::<u16>().ok().filter(|p| *p >= 1);
    let (from, to) = match text.split_once(sep) {
        Some((a, b)) => (port(a)?, port(b)?),
        None => {
            let p = port(text)?;
            (p, p)
        }
    };
    (from <= to).then_some((from, to))
}

/// A set of ports 0..=65535 (port 0 is never set).
#[derive(Clone)]
struct Ports(Vec<u64>);

impl Ports {
    fn empty() -> Ports {
        Ports(vec![0; 1024])
    }

    fn of(span: &Span) -> Ports {
        let mut p = Ports::empty();
        match span {
            Span::All => p.add(1, 65535),
            Span::Ranges(ranges) => {
                for &(from, to) in ranges {
                    p.add(from, to);
                }
            }
        }
        p
    }

    fn add(&mut self, from: u16, to: u16) {
        for port in from.max(1)..=to {
            self.0[usize::from(port / 64)] |= 1 << (port % 64);
        }
    }

    fn union(&mut self, other: &Ports) {
        for (a, b) in self.0.iter_mut().zip(&other.0) {
            *a |= b;
        }
    }

    fn remove(&mut self, other: &Ports) {
        for (a, b) in self.0.iter_mut().zip(&other.0) {
            *a &= !b;
        }
    }

    fn meets(&self, other: &Ports) -> bool {
        self.0.iter().zip(&other.0).any(|(a, b)| a & b != 0)
    }

    fn is_full(&self) -> bool {
        // Every port 1..=65535: word 0 has all bits but bit 0, the others all bits.
        self.0[0] == !1 && self.0[1..].iter().all(|w| *w == u64::MAX)
    }

    fn iter(&self) -> impl Iterator<Item = u16> + '_ {
        (1..=65535u16).filter(|p| self.0[usize::from(p / 64)] & (1 << (p % 64)) != 0)
    }
}

fn covers(rule: Proto, proto: Proto) -> bool {
    rule == proto || rule == Proto::Any
}

/// `world_open_ports` (sorted, de-duplicated, without the ports of a protocol that is open on
/// every port) and `world_open_all` (every TCP or every UDP port is reachable, from IPv4 or IPv6).
pub(crate) fn world_reach(rules: &[Rule], tie: Tie) -> Result<(Vec<u16>, bool), String> {
    let mut ports = std::collections::BTreeSet::new();
    let mut all = false;
    for v6 in [false, true] {
        for proto in [Proto::Tcp, Proto::Udp] {
            let applies = |r: &&Rule| r.v6 == v6 && covers(r.proto, proto);
            let mut open = Ports::empty();
            for accept in rules.iter().filter(|r| r.accept).filter(applies) {
                let mut reach = Ports::of(&accept.span);
                for drop in rules.iter().filter(|r| !r.accept).filter(applies) {
                    let closed = Ports::of(&drop.span);
                    if !reach.meets(&closed) {
                        continue;
                    }
                    let (Some(a), Some(d)) = (accept.rank, drop.rank) else {
                        return Err(format!(
                            "rules {} (accept) and {} (drop) cover the same port from the \
                             internet and one has no priority in the answer",
                            accept.id, drop.id
                        ));
                    };
                    if d < a || (d == a && tie == Tie::DropWins) {
                        reach.remove(&closed);
                    } else if d == a {
                        return Err(format!(
                            "rules {} (accept) and {} (drop) cover the same port from the \
                             internet at the same priority; which applies is not documented",
                            accept.id, drop.id
                        ));
                    }
                }
                open.union(&reach);
            }
            if open.is_full() {
                all = true;
            } else {
                ports.extend(open.iter());
            }
        }
    }
    Ok((ports.into_iter().collect(), all))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_named_set_reaches_from_the_world_in_the_families_it_holds_it() {
        let set = |v: &[&str]| v.iter().map(|a| (*a).to_owned()).collect::<Vec<_>>();
        assert_eq!(
            set_families(&set(&["::/0", "0.0.0.0/0", "::/0"])),
            Ok(vec![false, true])
        );
        assert_eq!(set_families(&set(&["10.0.0.0/8", "192.0.2.1"])), Ok(vec![]));
        assert!(set_families(&set(&["0.0.0.0/0", "10.0.0.1-10.0.0.9"])).is_err());
    }

    fn rule(id: &str, rank: i64, accept: bool, proto: Proto, span: Span) -> Rule {
        Rule {
            id: id.to_owned(),
            rank: Some(rank),
            accept,
            v6: false,
            proto,
            span,
        }
    }

    fn tcp(from: u16, to: u16) -> Span {
        Span::Ranges(vec![(from, to)])
    }

    #[test]
    fn a_drop_weighed_first_closes_only_the_ports_it_covers() {
        let rules = [
            rule("a", 2, true, Proto::Tcp, tcp(20, 23)),
            rule("d", 1, false, Proto::Tcp, tcp(22, 22)),
        ];
        assert_eq!(
            world_reach(&rules, Tie::DropWins),
            Ok((vec![20, 21, 23], false))
        );
    }

    #[test]
    fn a_drop_weighed_later_closes_nothing() {
        let rules = [
            rule("a", 1, true, Proto::Tcp, tcp(22, 22)),
            rule("d", 5, false, Proto::Tcp, tcp(22, 22)),
        ];
        assert_eq!(world_reach(&rules, Tie::DropWins), Ok((vec![22], false)));
        assert_eq!(world_reach(&rules, Tie::Unknown), Ok((vec![22], false)));
    }

    #[test]
    fn a_tie_is_a_drop_where_documented_and_unknown_elsewhere() {
        let rules = [
            rule("a", 1, true, Proto::Tcp, tcp(3389, 3389)),
            rule("d", 1, false, Proto::Tcp, tcp(3389, 3389)),
        ];
        assert_eq!(world_reach(&rules, Tie::DropWins), Ok((vec![], false)));
        let err = world_reach(&rules, Tie::Unknown).unwrap_err();
        assert!(err.contains("same priority"), "{err}");
    }

    #[test]
    fn a_missing_priority_matters_only_where_rules_meet() {
        let mut rules = vec![
            rule("a", 1, true, Proto::Tcp, tcp(443, 443)),
            rule("d", 1, false, Proto::Tcp, tcp(22, 22)),
        ];
        rules[0].rank = None;
        assert_eq!(world_reach(&rules, Tie::DropWins), Ok((vec![443], false)));
        rules[1].span = tcp(400, 500);
        assert!(world_reach(&rules, Tie::DropWins).is_err());
    }

    #[test]
    fn families_and_protocols_are_weighed_apart() {
        let mut v6 = rule("a6", 2, true, Proto::Tcp, tcp(22, 22));
        v6.v6 = true;
        let rules = [
            v6,
            rule("u", 2, true, Proto::Udp, tcp(53, 53)),
            rule("d", 1, false, Proto::Tcp, Span::All),
        ];
        // The IPv4 TCP drop closes neither the IPv6 accept nor the UDP one.
        assert_eq!(
            world_reach(&rules, Tie::DropWins),
            Ok((vec![22, 53], false))
        );
    }

    #[test]
    fn every_protocol_open_is_all_unless_a_drop_cuts_both_tcp_and_udp() {
        let any = rule("a", 2, true, Proto::Any, Span::All);
        assert_eq!(
            world_reach(std::slice::from_ref(&any), Tie::DropWins),
            Ok((vec![], true))
        );
        let rules = [any.clone(), rule("d", 1, false, Proto::Tcp, Span::All)];
        // UDP is still open on every port.
        assert_eq!(world_reach(&rules, Tie::DropWins), Ok((vec![], true)));
        let rules = [any, rule("d", 1, false, Proto::Any, tcp(1, 65534))];
        assert_eq!(world_reach(&rules, Tie::DropWins), Ok((vec![65535], false)));
    }

    #[test]
    fn portless_rules_open_no_port() {
        let rules = [rule("i", 1, true, Proto::Portless, Span::All)];
        assert_eq!(world_reach(&rules, Tie::DropWins), Ok((vec![], false)));
    }

    #[test]
    fn port_ranges_parse_strictly() {
        assert_eq!(port_range("22/22", '/'), Some((22, 22)));
        assert_eq!(port_range("8000-8002", '-'), Some((8000, 8002)));
        assert_eq!(port_range("443", '-'), Some((443, 443)));
        assert_eq!(port_range("-1/-1", '/'), None);
        assert_eq!(port_range("0", '-'), None);
        assert_eq!(port_range("9-1", '-'), None);
        assert_eq!(port_range("70000", '-'), None);
        assert_eq!(port_range("ssh", '-'), None);
    }
}
