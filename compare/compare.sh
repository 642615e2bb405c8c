#!/usr/bin/env bash
# compare/compare.sh: Pontoon side by side with SOFAJRaft 1.4.1 and Apache Ratis 3.3.0 (docs/COMPARISON.md).
#
# Builds the three runner jars (Maven profile `compare`), then runs them one after another, each in its own
# JVM with the same JVM flags and the same runner options, and prints a table and Pontoon/X ratios.
#
#   compare/compare.sh [--durability SYNC,PAGE_CACHE,NONE] [--systems pontoon,sofajraft,ratis]
#                      [--nodes 3] [--payload 128] [--inflight 128] [--rate 0]
#                      [--warmup-seconds 30] [--seconds 30] [--smoke] [--log-dir DIR]
#
# Environment:
#   COMPARE_BUILD_DIR   Maven output folder name (default target; parallel builds in one checkout use target-X)
#   COMPARE_SKIP_BUILD  1 = use the jars already built
#   COMPARE_HEAP        heap of every runner JVM (default 2g; -Xms = -Xmx)
#   COMPARE_JAVA_OPTS   extra JVM flags, given to every runner alike
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
BUILD_DIR="${COMPARE_BUILD_DIR:-target}"
HEAP="${COMPARE_HEAP:-2g}"

systems="pontoon,sofajraft,ratis"
args=()
while [[ $# -gt 0 ]]; do
    case "$1" in
        --systems) systems="$2"; shift 2 ;;
        *) args+=("$1"); shift ;;
    esac
done

modules=""
jars=()
IFS=',' read -r -a names <<<"$systems"
for s in "${names[@]}"; do
    case "$s" in
        pontoon|sofajraft|ratis) ;;
        *) echo "compare.sh: unknown system '$s' (pontoon, sofajraft, ratis)" >&2; exit 2 ;;
    esac
    modules="${modules:+$modules,}compare/$s"
    jars+=(--jar "$s=$ROOT/compare/$s/$BUILD_DIR/compare-$s.jar")
done

if [[ "${COMPARE_SKIP_BUILD:-0}" != 1 ]]; then
    echo "compare.sh: building $modules (mvn -Pcompare, output folder $BUILD_DIR) ..." >&2
    (cd "$ROOT" && mvn -q -B -Pcompare -pl "compare/harness,$modules" -am -Dbuild.dir.name="$BUILD_DIR" package -DskipTests) >&2
fi

# The JVM flags Pontoon needs, read from the one place they are kept (parent pom properties), given to every
# runner so that the three JVMs differ in nothing but the jar. On a 2-core machine the common pool would
# have one thread; Ratis runs async steps there.
# sed quits after the first match itself: no pipe into `head`, which under `pipefail` fails at random (issue 14).
pom_property() { sed -n "/<$1>/{s:.*<$1>\(.*\)</$1>.*:\1:p;q;}" "$ROOT/pom.xml"; }
JVM_FLAGS="-Xms$HEAP -Xmx$HEAP -XX:+UseG1GC -Djava.util.concurrent.ForkJoinPool.common.parallelism=2"
JVM_FLAGS="$JVM_FLAGS $(pom_property agrona.jvm.flags) $(pom_property chronicle.jvm.flags) ${COMPARE_JAVA_OPTS:-}"

harness_jar=""
for jar in "$ROOT"/compare/harness/"$BUILD_DIR"/pontoon-compare-harness-*.jar; do
    [[ -f "$jar" && "$jar" != *-tests.jar ]] && { harness_jar="$jar"; break; }
done
[[ -n "$harness_jar" ]] || { echo "compare.sh: no harness jar in compare/harness/$BUILD_DIR (build failed?)" >&2; exit 1; }
exec java -cp "$harness_jar" io.pontoon.compare.harness.CompareDriver --jvm-flags "$JVM_FLAGS" "${jars[@]}" "${args[@]}"
