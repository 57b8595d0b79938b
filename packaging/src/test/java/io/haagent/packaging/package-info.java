/**
 * Tests of what {@code ./mvnw package} builds in the packaging module: the Debian package (its files, modes,
 * control data and maintainer scripts, read with dpkg-deb), the program it carries run from an unpacked copy
 * on its own Java runtime, and the jlink module list kept in step with the jars. They run in the
 * integration-test phase, after the package exists.
 */
package io.haagent.packaging;
