/**
 * The one binding to Linux's C library: every native call haagent makes ({@code socket},
 * {@code setsockopt}, {@code bind}, {@code sendto}, {@code recvfrom}, {@code close}, {@code open},
 * {@code setns}, {@code fstat}), the structs they take, the constants, and errno in words — set up in one place,
 * {@link io.haagent.linux.Libc}, so that the downcalls, which could crash the JVM if a prototype were
 * wrong, are audited once. The raw VRRP transport, the gratuitous ARP sender and testkit's namespace
 * threads use it. {@link io.haagent.linux.SearchPath} is how a program name becomes a file, one rule
 * for the supervisor, the command runner and {@code lint --host}. {@link io.haagent.linux.SdNotify} speaks
 * systemd's notify protocol over that binding, and {@link io.haagent.linux.JournalStream} says whether stdout is
 * the journal.
 */
package io.haagent.linux;
