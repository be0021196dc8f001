//! C2SP tlog-tiles (v0.1.0) paths and entry bundles.
//!
//! A hash tile at level `L`, index `N` holds the hashes of up to 256 consecutive subtrees of
//! height 8·L; a full tile is 8,192 bytes and never changes. Partial tiles carry `.p/<W>`.
//! Entry bundles (`tile/entries/…`) concatenate big-endian uint16 length-prefixed entries.
use crate::tree::stored_hash_index;

pub const TILE_WIDTH: u64 = 256;
/// Largest entry an entry bundle can carry.
pub const MAX_ENTRY_BYTES: usize = u16::MAX as usize;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TileKind {
    Hashes { level: u8 },
    Entries,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tile {
    pub kind: TileKind,
    pub index: u64,
    /// 1..=256; 256 is a full tile.
    pub width: u16,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TileError {
    #[error("瓦片路径无效")]
    BadPath,
    #[error("瓦片超出当前树的范围")]
    BeyondTree,
}

/// `1234067` → `x001/x234/067`.
pub fn encode_index(n: u64) -> String {
    let mut groups = vec![format!("{:03}", n % 1000)];
    let mut n = n / 1000;
    while n > 0 {
        groups.push(format!("x{:03}", n % 1000));
        n /= 1000;
    }
    groups.reverse();
    groups.join("/")
}

fn decode_index(parts: &[&str]) -> Option<u64> {
    let (last, rest) = parts.split_last()?;
    let mut n: u64 = 0;
    for p in rest {
        let d = p.strip_prefix('x')?;
        n = n.checked_mul(1000)?.checked_add(three_digits(d)?)?;
    }
    n.checked_mul(1000)?.checked_add(three_digits(last)?)
}

fn three_digits(s: &str) -> Option<u64> {
    (s.len() == 3 && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse().ok())?
}

impl Tile {
    pub fn is_full(&self) -> bool {
        self.width as u64 == TILE_WIDTH
    }

    /// The path below the log prefix, e.g. `tile/0/x001/234.p/17` or `tile/entries/000`.
    pub fn path(&self) -> String {
        let head = match self.kind {
            TileKind::Hashes { level } => format!("tile/{level}"),
            TileKind::Entries => "tile/entries".to_string(),
        };
        let mut p = format!("{head}/{}", encode_index(self.index));
        if !self.is_full() {
            p.push_str(&format!(".p/{}", self.width));
        }
        p
    }

    /// Parses the part of a path after `tile/`.
    pub fn parse(path: &str) -> Result<Tile, TileError> {
        let parts: Vec<&str> = path.split('/').collect();
        let (first, rest) = parts.split_first().ok_or(TileError::BadPath)?;
        let kind = if *first == "entries" {
            TileKind::Entries
        } else {
            let level: u8 = first.parse().map_err(|_| TileError::BadPath)?;
            if level > 63 || first.len() > 1 && first.starts_with('0') {
                return Err(TileError::BadPath);
            }
            TileKind::Hashes { level }
        };
        // A partial tile ends in `<last>.p/<W>`.
        let (index_parts, width) = match rest {
            [init @ .., last_p, w] if last_p.ends_with(".p") => {
                let mut v: Vec<&str> = init.to_vec();
                v.push(&last_p[..last_p.len() - 2]);
                let w: u16 = w.parse().map_err(|_| TileError::BadPath)?;
                if !(1..=255).contains(&w) {
                    return Err(TileError::BadPath);
                }
                (v, w)
            }
            _ => (rest.to_vec(), TILE_WIDTH as u16),
        };
        let index = decode_index(&index_parts).ok_or(TileError::BadPath)?;
        let t = Tile { kind, index, width };
        if t.path() != format!("tile/{path}") {
            return Err(TileError::BadPath); // non-canonical spelling
        }
        Ok(t)
    }

    /// Checks that the tile exists in a tree of `size` leaves (a partial tile only at its
    /// exact current width).
    pub fn check_within(&self, size: u64) -> Result<(), TileError> {
        let level = match self.kind {
            TileKind::Hashes { level } => level as u32,
            TileKind::Entries => 0,
        };
        if level * 8 >= 64 {
            return Err(TileError::BeyondTree);
        }
        let units = size >> (8 * level); // complete subtrees of this tile level's height
        let start = self
            .index
            .checked_mul(TILE_WIDTH)
            .ok_or(TileError::BeyondTree)?;
        // The last full tile a 64-bit index allows ends one past u64::MAX (issue 14, point 21).
        let end = start
            .checked_add(self.width as u64)
            .ok_or(TileError::BeyondTree)?;
        if end > units {
            return Err(TileError::BeyondTree);
        }
        if !self.is_full() && end != units {
            return Err(TileError::BeyondTree);
        }
        Ok(())
    }

    /// Stored-hash indexes of a hash tile's entries, left to right.
    pub fn hash_indexes(&self) -> Vec<u64> {
        let level = match self.kind {
            TileKind::Hashes { level } => level as u32 * 8,
            TileKind::Entries => 0,
        };
        (0..self.width as u64)
            .map(|i| stored_hash_index(level, self.index * TILE_WIDTH + i))
            .collect()
    }

    /// Leaf index range of an entry bundle.
    pub fn entry_range(&self) -> std::ops::Range<u64> {
        let start = self.index * TILE_WIDTH;
        start..start + self.width as u64
    }
}

/// Concatenates entries, each prefixed by its big-endian uint16 length.
pub fn encode_entries<'a>(entries: impl IntoIterator<Item = &'a [u8]>) -> Vec<u8> {
    let mut out = Vec::new();
    for e in entries {
        assert!(e.len() <= MAX_ENTRY_BYTES, "entry longer than 65,535 bytes");
        out.extend_from_slice(&(e.len() as u16).to_be_bytes());
        out.extend_from_slice(e);
    }
    out
}

pub fn decode_entries(mut data: &[u8]) -> Option<Vec<Vec<u8>>> {
    let mut out = Vec::new();
    while !data.is_empty() {
        if data.len() < 2 {
            return None;
        }
        let n = u16::from_be_bytes([data[0], data[1]]) as usize;
        data = &data[2..];
        if data.len() < n {
            return None;
        }
        out.push(data[..n].to_vec());
        data = &data[n..];
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_encoding_follows_the_spec() {
        assert_eq!(encode_index(1234067), "x001/x234/067");
        assert_eq!(encode_index(0), "000");
        assert_eq!(encode_index(1000), "x001/000");
        let t = Tile::parse("0/x001/x234/067").unwrap();
        assert_eq!(t.index, 1234067);
        assert!(t.is_full());
        let p = Tile::parse("1/017.p/17").unwrap();
        assert_eq!((p.index, p.width), (17, 17));
        assert_eq!(p.path(), "tile/1/017.p/17");
        assert_eq!(
            Tile::parse("entries/000.p/3").unwrap().kind,
            TileKind::Entries
        );
        for bad in [
            "0/1",
            "0/x1/000",
            "0/000.p/0",
            "0/000.p/256",
            "0/000.p/07",
            "00/000",
            "64/000",
            "a/000",
            "0/000/",
        ] {
            assert!(Tile::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_spec_example_of_size_70000() {
        // 273 full level-0 tiles, a partial of width 112; one full L1, a partial of width 17;
        // a partial L2 of width 1.
        let size = 70_000;
        let t = |level, index, width| Tile {
            kind: TileKind::Hashes { level },
            index,
            width,
        };
        assert!(t(0, 272, 256).check_within(size).is_ok());
        assert!(t(0, 273, 112).check_within(size).is_ok());
        assert!(t(0, 273, 111).check_within(size).is_err());
        assert!(t(0, 273, 256).check_within(size).is_err());
        assert!(t(1, 0, 256).check_within(size).is_ok());
        assert!(t(1, 1, 17).check_within(size).is_ok());
        assert!(t(2, 0, 1).check_within(size).is_ok());
        assert!(t(3, 0, 1).check_within(size).is_err());
        // Tiles whose end lies past the last 64-bit index are beyond every tree, not an overflow.
        let last = u64::MAX / TILE_WIDTH;
        assert!(t(0, last, 256).check_within(u64::MAX).is_err());
        assert!(t(0, last, 255).check_within(u64::MAX).is_ok());
    }

    #[test]
    fn entry_bundles_round_trip() {
        let e: Vec<&[u8]> = vec![b"", b"a", &[0u8; 300]];
        let enc = encode_entries(e.iter().copied());
        assert_eq!(
            decode_entries(&enc).unwrap(),
            e.iter().map(|x| x.to_vec()).collect::<Vec<_>>()
        );
        assert!(decode_entries(&enc[..enc.len() - 1]).is_none());
    }
}
