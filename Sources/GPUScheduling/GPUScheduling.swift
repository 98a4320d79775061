// GPUScheduling: quotas, fair share, gang scheduling, preemption, topology, cost attribution and a trace-driven simulator.
//
// This module is not built yet: it holds no API, so nothing here can be mistaken for a working
// feature. Its issue fills it in, on top of MLOpsStorage and TensorCore; see
// Documentation/Architecture.md for the dependency rules it will follow.
