/**
 * What a lint finding is, shared by the loader's first pass and the lint's second: where it is
 * ({@link io.haagent.lint.finding.Location}), which rule it breaks with its stable id and severity
 * ({@link io.haagent.lint.finding.Rule}), the finding itself, and the did-you-mean hint that both
 * passes append. It imports no other haagent package, so that {@code io.haagent.config.load} and
 * {@code io.haagent.lint} can both use it without depending on each other in a circle.
 */
package io.haagent.lint.finding;
