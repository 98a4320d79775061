// Registry: model versions tied to their lineage, aliases, model cards, promotion policies enforced in the store, signed approvals, rollback and a tamper-evident audit log.
//
// This module is not built yet: it holds no API, so nothing here can be mistaken for a working
// feature. Its issue fills it in, on top of MLOpsStorage and TensorCore; see
// Documentation/Architecture.md for the dependency rules it will follow.
