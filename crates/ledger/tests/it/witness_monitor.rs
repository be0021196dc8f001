//! The witness's add-checkpoint rules and the monitor's fork detection, including the attacks:
//! forged and replayed checkpoints, rollbacks and split views.
use sijian_ledger::checkpoint::Checkpoint;
use sijian_ledger::monitor::{Fork, Observation, observe};
use sijian_ledger::note::{KeyKind, Note, Signer, VerifierSet};
use sijian_ledger::policy::{Policy, PolicyError};
use sijian_ledger::tree::MemoryTree;
use sijian_ledger::witness::{AddCheckpoint, WitnessError, WitnessState, add_checkpoint};

const ORIGIN: &str = "sijian.example/log";

struct Fixture {
    log: Signer,
    witness: Signer,
    tree: MemoryTree,
}

impl Fixture {
    fn new() -> Self {
        Fixture {
            log: Signer::from_seed(ORIGIN, KeyKind::Ed25519, [1; 32]).unwrap(),
            witness: Signer::from_seed("court.example/w", KeyKind::CosignatureV1, [2; 32]).unwrap(),
            tree: MemoryTree::new(),
        }
    }
    fn grow(&mut self, n: u64) {
        for _ in 0..n {
            let i = self.tree.size();
            self.tree.append(format!("e{i}").as_bytes());
        }
    }
    fn signed(&self, size: u64) -> Note {
        let cp = Checkpoint::new(ORIGIN, size, self.tree.root_at(size).unwrap());
        Note::sign(&cp.to_text(), &[&self.log], 0).unwrap()
    }
    fn request(&self, old: u64, size: u64) -> AddCheckpoint {
        let note = self.signed(size);
        AddCheckpoint {
            old,
            proof: self.tree.prove_consistency(old.min(size), size).unwrap(),
            checkpoint: Checkpoint::parse(&note.text).unwrap(),
            note,
        }
    }
    fn keys(&self) -> VerifierSet {
        VerifierSet::new(vec![self.log.verifier()])
    }
    fn add(
        &self,
        req: &AddCheckpoint,
        state: &WitnessState,
    ) -> Result<(WitnessState, String), WitnessError> {
        let parsed = AddCheckpoint::parse(&req.to_body()).unwrap();
        add_checkpoint(&parsed, &self.keys(), state, &self.witness, 1_800_000_000)
            .map(|(s, sig)| (s, sig.to_line()))
    }
}

#[test]
fn a_witness_cosigns_consistent_growth_and_the_cosignature_satisfies_a_policy() {
    let mut f = Fixture::new();
    f.grow(5);
    let (s1, line) = f.add(&f.request(0, 5), &WitnessState::empty()).unwrap();
    assert_eq!(s1.size, 5);
    let mut note = f.signed(5);
    note.add_signature(sijian_ledger::note::NoteSignature::parse_line(line.trim_end()).unwrap());
    let policy = Policy {
        origin: Some(ORIGIN.into()),
        log_keys: vec![f.log.verifier()],
        witnesses: vec![f.witness.verifier()],
        quorum: 1,
    };
    let t = policy.check(&note.to_text()).unwrap();
    assert_eq!(t.cosigners[0].1, 1_800_000_000);
    // Without the cosignature the quorum fails.
    assert_eq!(
        policy.check(&f.signed(5).to_text()).unwrap_err(),
        PolicyError::NotEnoughWitnesses { want: 1, got: 0 }
    );

    f.grow(9);
    let (s2, _) = f.add(&f.request(5, 14), &s1).unwrap();
    assert_eq!(s2.size, 14);
    // The same checkpoint again is fine (idempotent); a stale "old" is a conflict with the size.
    assert!(f.add(&f.request(14, 14), &s2).is_ok());
    let e = f.add(&f.request(5, 14), &s2).unwrap_err();
    assert_eq!((e.status(), e.clone()), (409, WitnessError::Conflict(14)));
}

#[test]
fn forged_rolled_back_and_inconsistent_checkpoints_are_refused() {
    let mut f = Fixture::new();
    f.grow(8);
    let (state, _) = f.add(&f.request(0, 8), &WitnessState::empty()).unwrap();

    // Forged: signed by a key that is not the log's.
    let mut forged = f.request(8, 8);
    let other = Signer::from_seed(ORIGIN, KeyKind::Ed25519, [9; 32]).unwrap();
    forged.note = Note::sign(&forged.note.text, &[&other], 0).unwrap();
    assert_eq!(f.add(&forged, &state).unwrap_err().status(), 403);

    // Tampered text under the log's signature.
    let mut tampered = f.request(8, 8);
    tampered.note.text = tampered.note.text.replace("\n8\n", "\n9\n");
    tampered.checkpoint.size = 9;
    assert_eq!(f.add(&tampered, &state).unwrap_err().status(), 403);

    // Rollback: an older, genuinely signed checkpoint (a replay) cannot move the witness back.
    let e = f.add(&f.request(8, 4), &state).unwrap_err();
    assert_eq!(e.status(), 400);
    let e = f.add(&f.request(4, 4), &state).unwrap_err();
    assert_eq!(e.status(), 409);

    // Split view: a different tree of the same size signed by the real log key.
    let mut g = Fixture::new();
    for i in 0..8 {
        g.tree.append(format!("other {i}").as_bytes());
    }
    let fork = g.request(0, 8);
    let mut fork_at_8 = fork.clone();
    fork_at_8.old = 8;
    assert_eq!(f.add(&fork_at_8, &state).unwrap_err().status(), 422);

    // A larger fork that does not extend what the witness saw.
    g.grow(4);
    let mut bigger = g.request(8, 12);
    bigger.old = 8;
    assert_eq!(f.add(&bigger, &state).unwrap_err().status(), 422);

    // Non-empty proof from 0, and a size-0 checkpoint with a wrong root.
    let mut from0 = f.request(0, 8);
    from0.proof = f.tree.prove_consistency(4, 8).unwrap();
    assert_eq!(
        f.add(&from0, &WitnessState::empty()).unwrap_err().status(),
        422
    );
    let cp0 = Checkpoint::new(ORIGIN, 0, [0; 32]);
    let n0 = Note::sign(&cp0.to_text(), &[&f.log], 0).unwrap();
    let req0 = AddCheckpoint {
        old: 0,
        proof: vec![],
        checkpoint: cp0,
        note: n0,
    };
    assert_eq!(
        f.add(&req0, &WitnessState::empty()).unwrap_err().status(),
        422
    );
}

#[test]
fn the_monitor_reports_split_views_and_inconsistent_growth() {
    let mut f = Fixture::new();
    f.grow(10);
    let c10 = Checkpoint::new(ORIGIN, 10, f.tree.root_at(10).unwrap());
    assert_eq!(observe(None, &c10, &[]), Ok(Observation::First));
    assert_eq!(observe(Some(&c10), &c10, &[]), Ok(Observation::Unchanged));
    f.grow(7);
    let c17 = Checkpoint::new(ORIGIN, 17, f.tree.root());
    let p = f.tree.prove_consistency(10, 17).unwrap();
    assert_eq!(
        observe(Some(&c10), &c17, &p),
        Ok(Observation::Grew { from: 10, to: 17 })
    );
    assert_eq!(
        observe(Some(&c17), &c10, &p),
        Ok(Observation::Stale { size: 10 })
    );

    let mut other = c10.clone();
    other.root[0] ^= 1;
    assert_eq!(
        observe(Some(&c10), &other, &[]),
        Err(Fork::SplitView { size: 10 })
    );
    assert!(matches!(
        observe(Some(&other), &c17, &p),
        Err(Fork::Inconsistent { .. })
    ));
}
