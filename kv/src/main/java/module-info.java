/**
 * Pontoon's reference application: a replicated key-value store ({@code KvStateMachine}, {@code KvRequestHandler},
 * {@code KvClient}) on the {@code StateMachine} SPI and the client protocol's application requests.
 */
module io.pontoon.kv {
    requires transitive io.pontoon.core;
    requires transitive io.pontoon.transport.netty;

    exports io.pontoon.kv;
}
