/**
 * Reading a config file: YAML into a tree with positions, then the first pass that binds it to
 * the records of {@code io.haagent.config} and reports single-field problems. Only
 * {@link io.haagent.config.load.ConfigLoader} and its result are for other packages.
 */
package io.haagent.config.load;
