/**
 * How the daemon's log lines look: one sentence per decision, either plain text (the default, for a
 * terminal and the journal) or one JSON object per line with the event id as its own field (for log
 * shippers), chosen with {@code haagent run --log-format} or {@code HAAGENT_LOG_FORMAT}.
 */
package io.haagent.agent.logging;
