/**
 * Time as an input: the monotonic {@link io.haagent.time.Ticker} every decision core takes, and
 * {@link io.haagent.time.Backoff}, the one exponential backoff (healing's restarts, the mail retries,
 * the EC2 polls).
 */
package io.haagent.time;
