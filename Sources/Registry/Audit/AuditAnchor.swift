extension RegistryStore {
    /// ``verifyAudit()``, and then whether the log still holds `anchor`: a head recorded earlier
    /// (``auditHead()``) and kept outside the store.
    ///
    /// A hash chain alone cannot show that its newest entries were deleted (what is left is a
    /// valid, shorter chain) or that the whole log was rewritten with fresh hashes; an anchor kept
    /// elsewhere can. The result is broken, naming the anchored entry, when the log ends before
    /// it or holds a different entry there.
    ///
    /// - Throws: ``RegistryError`` (``RegistryError/Code/invalidArgument``) for an anchor no log
    ///   ever had: a negative sequence, or sequence 0 (the empty log) with a hash other than
    ///   ``AuditEntry/genesisHash``.
    public func verifyAudit(anchoredAt anchor: AuditHead) async throws -> AuditVerification {
        if anchor.sequence < 0 || (anchor.sequence == 0 && anchor.hash.lowercased() != AuditEntry.genesisHash) {
            throw RegistryError(
                .invalidArgument, "The anchor (\(anchor.sequence) \(anchor.hash)) is not a head any audit log has: the empty log's head is 0 \(AuditEntry.genesisHash)",
                fix: "pass a head that `mlops audit head` (RegistryStore.auditHead() in Swift) printed.")
        }
        var verification = try await verifyAudit()
        guard verification.isIntact, anchor.sequence > 0 else { return verification }
        let found = try await auditEntries(after: anchor.sequence - 1, limit: 1).first
        let problem: String
        if verification.head.sequence < anchor.sequence {
            problem = "the anchored entry \(anchor.sequence) is missing: the log ends at entry \(verification.head.sequence), so entries from \(verification.head.sequence + 1) on were deleted"
        } else if found?.sequence != anchor.sequence {
            problem = "the log has no entry \(anchor.sequence), the anchored one, though it goes on to \(verification.head.sequence): it was rewritten"
        } else if found?.hash != anchor.hash {
            problem = "entry \(anchor.sequence) has the hash \(found?.hash ?? ""), not the anchored \(anchor.hash): the log up to it was rewritten"
        } else {
            return verification
        }
        verification.firstBadSequence = anchor.sequence
        verification.problem = problem
        // What verified before the anchored entry (the chain itself was intact).
        verification.entries = min(verification.entries, anchor.sequence - 1)
        return verification
    }
}
