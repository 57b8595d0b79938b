package io.haagent.agent.load;

/** Which EC2 instance this host is, from its instance identity document. */
public record Ec2Instance(String instanceId, String availabilityZone, String instanceType) {}
