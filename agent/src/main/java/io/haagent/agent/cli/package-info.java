/**
 * The {@code haagent} command line: {@link io.haagent.agent.cli.Main} reads the first argument
 * and hands the rest to that command ({@code lint} lives in config-lint, as
 * {@link io.haagent.lint.LintCommand}).
 */
package io.haagent.agent.cli;
