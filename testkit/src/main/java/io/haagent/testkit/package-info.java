/** Test fixtures shared by every module's tests; used at test scope only, depends on core only (its libc binding). */
package io.haagent.testkit;
