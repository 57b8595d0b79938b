/** Test fixtures shared by every module's tests; used at test scope only, depends on no haagent module. */
package io.haagent.testkit;
