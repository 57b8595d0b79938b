/** Event ids: the one short id an operator greps for across the log, the state file, hooks and mail. */
package io.haagent.event;
