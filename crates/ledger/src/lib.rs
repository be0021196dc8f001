//! Pure transparency-log primitives for the tamper-evident record of every step (全过程留痕).
//!
//! - [`hash`]: RFC 9162 §2.1.1 hashing (leaf prefix 0x00, node prefix 0x01, SHA-256);
//! - [`tree`]: the tree over stored complete-subtree hashes, appends, tree heads and proof
//!   generation through a [`tree::HashReader`];
//! - [`proof`]: RFC 9162 §2.1.3.2 / §2.1.4.2 inclusion and consistency verification;
//! - [`note`]: C2SP signed notes (Ed25519, type 0x01) and `cosignature/v1` (type 0x04), key
//!   texts and key IDs;
//! - [`checkpoint`]: C2SP tlog-checkpoint bodies;
//! - [`tiles`]: C2SP tlog-tiles paths and entry bundles;
//! - [`bundle`]: the offline proof bundle (C2SP tlog-proof) and its verifier;
//! - [`witness`]: the C2SP tlog-witness `add-checkpoint` rules;
//! - [`monitor`]: following a log's checkpoints and reporting forks;
//! - [`commitment`]: salted commitments to private records and the leaf entries that carry them;
//! - [`token`]: compact signed records for QR codes that verify offline.
//!
//! No I/O, no clock, no async: callers pass times and storage in.
#![forbid(unsafe_code)]

pub mod b64;
pub mod bundle;
pub mod checkpoint;
pub mod commitment;
pub mod hash;
pub mod monitor;
pub mod note;
pub mod policy;
pub mod proof;
pub mod tiles;
pub mod token;
pub mod tree;
pub mod witness;

pub use checkpoint::Checkpoint;
pub use hash::{HASH_SIZE, Hash, leaf_hash, node_hash};
pub use note::{Note, NoteError, Signer, Verifier, VerifierSet};
pub use proof::ProofError;
