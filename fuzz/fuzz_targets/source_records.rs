//! The records custody keeps in a repository's refs and reads back from any clone:
//! approval statements (refs/custody/attestations) and push log entries
//! (refs/custody/push-log, DSSE envelopes). Never a panic; an approval read back
//! writes the same statement again.
#![no_main]

use custody_git::approvals::Approval;
use custody_git::pushlog::PushEntry;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some(approval) = Approval::from_statement(data) {
        let again = Approval::from_statement(&approval.statement());
        assert_eq!(again.as_ref(), Some(&approval));
    }
    if let Ok(envelope) = custody_crypto::dsse::Envelope::from_json(data) {
        let _ = serde_json::from_slice::<PushEntry>(envelope.payload_unverified());
    }
    let _ = serde_json::from_slice::<PushEntry>(data);
});
