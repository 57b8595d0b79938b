# shellcheck shell=sh
# Sourced, never run: finds a JDK 25 or newer and exports JAVA_HOME and JAVA.
# This is the one place that rule lives. ./mvnw, ./haagent and .ci/run source it from
# here; the distribution's bin/haagent sources the copy packaging puts beside it.
# Callers:  . "$dir/jdk25.sh" || exit 1
#
# Order: $JAVA_HOME if it is 25+; else the newest 25+ JDK in /usr/lib/jvm (or in
# $HAAGENT_JVM_DIR) whose name says 25..39; else the java on PATH if it is 25+.
# The version comes from the JDK's `release` file, read with shell built-ins, because
# starting a JVM just to ask costs ~50 ms on every haagent command; `java -version` is
# only the fallback for a JDK without one. Plain POSIX sh, so dash can source it too.

haagent_jdk_major() { # $1: a JDK home. Prints its feature version (8, 17, 25...), or nothing.
    _hj_ver=
    if [ -r "$1/release" ]; then
        while IFS= read -r _hj_line; do
            case $_hj_line in
                JAVA_VERSION=*) _hj_ver=${_hj_line#JAVA_VERSION=}; break ;;
            esac
        done <"$1/release"
    fi
    if [ -z "$_hj_ver" ] && [ -x "$1/bin/java" ]; then
        # openjdk version "25.0.3" 2026-04-21 LTS
        _hj_ver=$("$1/bin/java" -version 2>&1 | head -n 1)
        case $_hj_ver in *\"*) _hj_ver=${_hj_ver#*\"} ;; *) _hj_ver= ;; esac
    fi
    _hj_ver=${_hj_ver#\"}
    _hj_ver=${_hj_ver%%\"*}
    case $_hj_ver in 1.*) _hj_ver=${_hj_ver#1.} ;; esac # 1.8.0_402 is Java 8
    _hj_ver=${_hj_ver%%[!0-9]*}
    if [ -n "$_hj_ver" ]; then printf '%s\n' "$_hj_ver"; fi
}

haagent_find_jdk25() {
    _hj_found=
    _hj_why=
    # 1. JAVA_HOME, when it is new enough.
    if [ -n "${JAVA_HOME:-}" ]; then
        if [ -x "$JAVA_HOME/bin/java" ]; then
            _hj_major=$(haagent_jdk_major "$JAVA_HOME")
            if [ "${_hj_major:-0}" -ge 25 ]; then
                _hj_found=$JAVA_HOME
            else
                _hj_why="JAVA_HOME=$JAVA_HOME is Java ${_hj_major:-of unknown version}; "
            fi
        else
            _hj_why="JAVA_HOME=$JAVA_HOME has no bin/java; "
        fi
    fi
    # 2. The newest JDK 25+ installed the Debian way (temurin-25-jdk-amd64, java-25-openjdk-amd64...).
    if [ -z "${_hj_found:-}" ]; then
        _hj_best=0
        _hj_dir=${HAAGENT_JVM_DIR:-/usr/lib/jvm}
        for _hj_jdk in "$_hj_dir"/*2[5-9]* "$_hj_dir"/*3[0-9]*; do
            [ -x "$_hj_jdk/bin/java" ] || continue
            _hj_major=$(haagent_jdk_major "$_hj_jdk")
            if [ "${_hj_major:-0}" -ge 25 ] && [ "$_hj_major" -gt "$_hj_best" ]; then
                _hj_best=$_hj_major
                _hj_found=$_hj_jdk
            fi
        done
        [ -n "${_hj_found:-}" ] || _hj_why="${_hj_why}$_hj_dir has no JDK 25+; "
    fi
    # 3. The java on PATH, when it is new enough.
    if [ -z "${_hj_found:-}" ] && _hj_java=$(command -v java 2>/dev/null); then
        _hj_jdk=$(readlink -f "$_hj_java" 2>/dev/null || printf '%s' "$_hj_java")
        _hj_jdk=${_hj_jdk%/bin/java}
        _hj_major=$(haagent_jdk_major "$_hj_jdk")
        if [ "${_hj_major:-0}" -ge 25 ]; then
            _hj_found=$_hj_jdk
        else
            _hj_why="${_hj_why}java on PATH is Java ${_hj_major:-of unknown version}; "
        fi
    fi

    if [ -z "${_hj_found:-}" ]; then
        printf '%s\n' \
            "haagent needs a JDK 25 or newer and found none (${_hj_why%; })." \
            "Install one (apt-get install temurin-25-jdk, or openjdk-25-jdk where your" \
            "distribution has it), or set JAVA_HOME to a JDK 25+." >&2
        unset _hj_why _hj_major _hj_best _hj_dir _hj_jdk _hj_java _hj_line _hj_ver
        return 1
    fi
    JAVA_HOME=$_hj_found
    JAVA=$JAVA_HOME/bin/java
    export JAVA_HOME JAVA
    unset _hj_found _hj_why _hj_major _hj_best _hj_dir _hj_jdk _hj_java _hj_line _hj_ver
}

haagent_find_jdk25
