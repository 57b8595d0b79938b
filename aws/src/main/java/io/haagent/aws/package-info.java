/**
 * The one AWS adapter: EC2 clients built one way and every call's SDK exception in words an operator
 * acts on ({@link io.haagent.aws.Ec2Calls}, {@link io.haagent.aws.AwsFailure}, the caller's words in
 * {@link io.haagent.aws.Ec2Hints}), polls bounded by a deadline on the injected ticker
 * ({@link io.haagent.aws.Poll}, waiting by {@code io.haagent.time.Backoff}), and this instance's identity
 * from IMDSv2 ({@link io.haagent.aws.ImdsIdentity}); {@link io.haagent.aws.AwsEdges} is what tests
 * replace. The address movers and the EC2 escalation use it; outside it, haagent touches the SDK only for
 * the EC2 model types a caller reads (an instance's state, an ENI's attachment).
 */
package io.haagent.aws;
