/**
 * Lint: every rule with its stable id, the second pass (cross-field, host and fleet rules) and
 * the {@code haagent lint} command. {@link io.haagent.lint.Linter} is what the daemon calls before
 * it applies a config.
 */
package io.haagent.lint;
