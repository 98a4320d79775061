import DriftStats
import FeatureParity
import Lineage
import MLOpsStorage
import Registry
import Rollout

/// Every schema this build of swift-mlops knows, in migration order. Each product adds its own.
enum KnownSchemas {
    static var all: [SQLSchema] {
        [
            StorageSchema.schema, LineageSchema.schema, SQLBaselineStore.schema, RegistrySchema.schema, SQLRolloutStore.schema,
            SQLParityLogStore.schema, SQLOnlineFeatureStore.schema,
        ]
    }
}
