# Sourced by the benchmarks whose main class lives with the agent tests: builds agent's test classes
# and prints their class path. $1: the benchmark's output directory (gets classpath.txt, build.log).
# Builds agent alone when the other modules are installed in ~/.m2 already; on a fresh clone, with
# them (-am). Env: MAVEN_ARGS (e.g. -o).
agent_test_classpath() {
    local out=$1
    local build=(test-compile dependency:build-classpath -Dmdep.includeScope=test "-Dmdep.outputFile=$PWD/$out/classpath.txt")
    if ! ./mvnw -q -B ${MAVEN_ARGS:-} -pl agent "${build[@]}" 2>"$out/build.log"; then
        echo "building agent alone failed; building it with the modules it needs (see $out/build.log)" >&2
        ./mvnw -q -B ${MAVEN_ARGS:-} -pl agent -am "${build[@]}" >&2
    fi
    echo "agent/target/test-classes:agent/target/classes:$(cat "$out/classpath.txt")"
}
