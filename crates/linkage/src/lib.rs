//! Record linkage over people and cases across all institutions (seed clause 22: 多头、重复和
//! 虚假鉴定; 《司法鉴定程序通则》第十五条第六项): pure functions, no I/O.
//!
//! - [`normalise`]: Chinese names (width, middle dots, traditional and variant characters,
//!   surnames and their readings, homophone reading sets, shape-similar characters), resident
//!   IDs, phone numbers, organisation names;
//! - [`fs`]: Fellegi–Sunter scoring with comparison levels per field, m/u estimation without
//!   labels, term-frequency adjustment, a versioned model and an explanation for every pair;
//! - [`cluster`]: persons as connected components of accepted links, with stable IDs (the
//!   oldest kept on merge) and every merge and split reported;
//! - [`person`]: person records (fields, normalisation, comparison vectors, blocking keys as
//!   keyed hashes); [`dedupe`]: the batch pipeline's steps; [`eval`]: precision, recall and F1
//!   against ground truth; [`synth`]: a synthetic population with ground truth;
//! - [`index`]: the online person index; [`cases`]: the case-level checks (multi-institution,
//!   repeated, volume) on top of person matches.
#![forbid(unsafe_code)]

pub mod cases;
pub mod cluster;
pub mod dedupe;
pub mod eval;
pub mod fs;
pub mod index;
pub mod normalise;
pub mod person;
pub mod rng;
pub mod synth;
