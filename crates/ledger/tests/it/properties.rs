//! Laws: any proof from any tree verifies; any single-bit change to a proof, leaf or root fails.
use proptest::prelude::*;
use sijian_ledger::bundle::Bundle;
use sijian_ledger::checkpoint::Checkpoint;
use sijian_ledger::hash::leaf_hash;
use sijian_ledger::note::{KeyKind, Note, Signer};
use sijian_ledger::policy::Policy;
use sijian_ledger::proof::{verify_consistency, verify_inclusion};
use sijian_ledger::tree::MemoryTree;

fn tree(size: u64) -> MemoryTree {
    let mut t = MemoryTree::new();
    for i in 0..size {
        t.append(format!("entry {i}").as_bytes());
    }
    t
}

fn flip(bytes: &mut [u8], bit: usize) {
    bytes[bit / 8] ^= 1 << (bit % 8);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn inclusion_proofs_verify_and_any_bit_flip_fails(size in 1u64..700, i in any::<u64>(), at in any::<u64>(), bit in 0usize..256) {
        let t = tree(size);
        let index = i % size;
        let at_size = index + 1 + at % (size - index);
        let root = t.root_at(at_size).unwrap();
        let leaf = leaf_hash(format!("entry {index}").as_bytes());
        let proof = t.prove_inclusion(index, at_size).unwrap();
        prop_assert!(verify_inclusion(index, at_size, &leaf, &proof, &root).is_ok());

        let mut bad_leaf = leaf;
        flip(&mut bad_leaf, bit);
        prop_assert!(verify_inclusion(index, at_size, &bad_leaf, &proof, &root).is_err());
        let mut bad_root = root;
        flip(&mut bad_root, bit);
        prop_assert!(verify_inclusion(index, at_size, &leaf, &proof, &bad_root).is_err());
        if !proof.is_empty() {
            let mut bad = proof.clone();
            let k = bit % bad.len();
            flip(&mut bad[k], bit);
            prop_assert!(verify_inclusion(index, at_size, &leaf, &bad, &root).is_err());
            prop_assert!(verify_inclusion(index, at_size, &leaf, &proof[1..], &root).is_err());
        }
        if at_size > 1 {
            let other = (index + 1) % at_size;
            prop_assert!(verify_inclusion(other, at_size, &leaf, &proof, &root).is_err());
        }
    }

    #[test]
    fn consistency_proofs_verify_and_any_bit_flip_fails(size in 2u64..700, a in any::<u64>(), bit in 0usize..256) {
        let t = tree(size);
        let m = 1 + a % (size - 1);
        let r1 = t.root_at(m).unwrap();
        let r2 = t.root();
        let proof = t.prove_consistency(m, size).unwrap();
        prop_assert!(verify_consistency(m, size, &proof, &r1, &r2).is_ok());
        let mut bad = proof.clone();
        let k = bit % bad.len();
        flip(&mut bad[k], bit);
        prop_assert!(verify_consistency(m, size, &bad, &r1, &r2).is_err());
        let mut bad_r1 = r1;
        flip(&mut bad_r1, bit);
        prop_assert!(verify_consistency(m, size, &proof, &bad_r1, &r2).is_err());
        let mut bad_r2 = r2;
        flip(&mut bad_r2, bit);
        prop_assert!(verify_consistency(m, size, &proof, &r1, &bad_r2).is_err());
        prop_assert!(verify_consistency(m, size, &proof, &r2, &r1).is_err());
    }

    #[test]
    fn bundles_verify_offline_and_any_changed_byte_fails(size in 1u64..200, i in any::<u64>(), pos in any::<usize>()) {
        let t = tree(size);
        let index = i % size;
        let log = Signer::from_seed("log.example/test", KeyKind::Ed25519, [3; 32]).unwrap();
        let cp = Checkpoint::new("log.example/test", size, t.root());
        let note = Note::sign(&cp.to_text(), &[&log], 0).unwrap();
        let b = Bundle {
            entry: Some(format!("entry {index}").into_bytes()),
            index,
            proof: t.prove_inclusion(index, size).unwrap(),
            checkpoint: note.to_text(),
        };
        let policy = Policy::log_only(vec![log.verifier()]);
        let text = b.to_text();
        prop_assert_eq!(Bundle::parse(&text).unwrap(), b.clone());
        prop_assert!(Bundle::parse(&text).unwrap().verify(&policy).is_ok());
        // Change one character of the bundle text (keeping it ASCII-or-UTF-8): it must not verify.
        let mut bytes = text.clone().into_bytes();
        let p = pos % bytes.len();
        if bytes[p].is_ascii() {
            bytes[p] = if bytes[p] == b'A' { b'B' } else if bytes[p] == b'\n' { b' ' } else { b'A' };
            if let Ok(s) = String::from_utf8(bytes)
                && s != text
                && let Ok(parsed) = Bundle::parse(&s)
            {
                prop_assert!(parsed.verify(&policy).is_err(), "changed at {}: {:?}", p, s);
            }
        }
    }
}
