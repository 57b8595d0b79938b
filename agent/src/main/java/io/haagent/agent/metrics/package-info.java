/** Prometheus metrics of the agent (Micrometer), all named {@code haagent_*}. */
package io.haagent.agent.metrics;
