/**
 * The haagent config as immutable records, its value types and its defaults. A config that
 * loaded without errors holds only valid values; everything else is a lint finding.
 */
package io.haagent.config;
