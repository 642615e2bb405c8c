package io.pontoon.runtime;

import io.pontoon.ClusterFabric;

/** The cluster scenario suite over the in-memory fabric. */
class InMemoryClusterScenarioTest extends ClusterScenarioSuite {
    @Override
    protected ClusterFabric newFabric() {
        return ClusterFabric.inMemory();
    }
}
