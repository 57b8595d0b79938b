/**
 * Lint: the second pass (cross-field, host and fleet rules) over what {@code io.haagent.config.load}
 * bound, and the {@code haagent lint} command. {@link io.haagent.lint.Linter} is what the daemon
 * calls before it applies a config. The rules and findings themselves are in
 * {@code io.haagent.lint.finding}.
 */
package io.haagent.lint;
