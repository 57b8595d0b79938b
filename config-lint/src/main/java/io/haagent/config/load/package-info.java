/**
 * Reading a config file: YAML into a tree with positions, the files its {@code include:} names
 * merged in at the tree level ({@code Includes}; each position names the file it stands in, and
 * included files are read through {@link io.haagent.config.load.IncludeReader}), then the first
 * pass that binds it to the records of {@code io.haagent.config} and reports single-field
 * problems. The pass is a keyword table: {@link io.haagent.config.load.ConfigBinder} walks the top
 * level, one binder per section reads its keys through {@code Fields}, the converters of
 * {@code Values} read single values, and a {@code Variants} table maps each variant's word (a check
 * type, an address mover) to what binds it. Only {@link io.haagent.config.load.ConfigLoader}, its
 * result and the {@code IncludeReader} it is given are for other packages.
 */
package io.haagent.config.load;
