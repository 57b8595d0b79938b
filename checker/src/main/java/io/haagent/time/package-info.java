/** Time as an input: the monotonic {@link io.haagent.time.Ticker} every decision core takes. */
package io.haagent.time;
