package io.pontoon.storage;

import java.nio.file.Path;

/** Child process: opens a store on a directory and prints {@code OPENED} or {@code FAILED <message>}. */
public final class OpenStoreMain {
    private OpenStoreMain() {
    }

    public static void main(String[] args) {
        try (ChronicleLogStore store = ChronicleLogStore.open(ChronicleLogStoreOptions.builder(Path.of(args[0]))
            .durability(Durability.PAGE_CACHE).build())) {
            System.out.println("OPENED last=" + store.lastIndex());
        } catch (RuntimeException e) {
            System.out.println("FAILED " + e.getMessage());
        }
        System.out.flush();
    }
}
