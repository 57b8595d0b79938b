/**
 * {@code haagent demo}: a Redis failover played on loopback with two agents, two Redis and a local
 * mail sink. Kept off the production class path: the launcher adds {@code lib/demo/} only for it.
 */
package io.haagent.demo;
