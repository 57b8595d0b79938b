/**
 * Reading a config file: YAML into a tree with positions, then the first pass that binds it to
 * the records of {@code io.haagent.config} and reports single-field problems. The pass is a
 * keyword table: {@link io.haagent.config.load.ConfigBinder} walks the top level, one binder per
 * section reads its keys through {@code Fields}, the converters of {@code Values} read single
 * values, and a {@code Variants} table maps each variant's word (a check type, an address mover)
 * to what binds it. Only {@link io.haagent.config.load.ConfigLoader} and its result are for other
 * packages.
 */
package io.haagent.config.load;
