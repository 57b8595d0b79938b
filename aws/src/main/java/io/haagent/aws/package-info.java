/**
 * The one AWS adapter: EC2 clients built one way (url-connection-client, region and endpoint from the
 * config, else the SDK's chains), the SDK's exceptions in words an operator acts on, polls bounded by a
 * deadline on the injected ticker, and this instance's identity from IMDSv2. The address movers, the EC2
 * escalation and the scaler push use it; nothing else in haagent imports the SDK.
 */
package io.haagent.aws;
