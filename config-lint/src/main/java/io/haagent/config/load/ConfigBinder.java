package io.haagent.config.load;

import io.haagent.config.CheckSpec;
import io.haagent.config.HaagentConfig;
import io.haagent.config.MailConfig;
import io.haagent.config.NodeConfig;
import io.haagent.config.ScalerPush;
import io.haagent.config.ServiceSpec;
import io.haagent.config.VrrpInstance;
import io.haagent.config.ZookeeperConfig;
import io.haagent.config.load.YamlNode.Mapping;
import io.haagent.lint.finding.Location;
import io.haagent.lint.finding.Rule;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The first pass: binds the YAML tree to config records and reports every single-field problem
 * (types, ranges, formats, unknown and missing keys). Cross-field rules run afterwards on the
 * result. An object with a missing or bad required value is left out of the result, but its name
 * is still declared, so that references to it are not reported as dangling.
 *
 * <p>This class walks the top level only; each section has its binder, and the binders share the
 * value converters of {@link Values}. A new section is a new binder and one line in {@link #bind}.
 */
final class ConfigBinder {
    private final Binding binding;
    private final Values values;
    private final NodeBinder node;
    private final CheckBinder checks;
    private final ServiceBinder services;
    private final VrrpBinder vrrp;
    private final MailBinder mail;
    private final ScalerBinder scaler;
    private final CoordinationBinder coordination;

    ConfigBinder(Binding binding) {
        this.binding = binding;
        this.values = new Values(binding);
        this.node = new NodeBinder(values);
        this.checks = new CheckBinder(values);
        this.services = new ServiceBinder(values);
        this.vrrp = new VrrpBinder(values);
        this.mail = new MailBinder(values);
        this.scaler = new ScalerBinder(values);
        this.coordination = new CoordinationBinder(values);
    }

    HaagentConfig bind(YamlNode root, boolean reportEmpty) {
        Mapping top = root == null ? new Mapping(Location.START, List.of()) : values.asMapping(root, "", "the top level");
        if (reportEmpty && top != null && top.entries().isEmpty()) {
            binding.findings.add(Rule.CONFIG_EMPTY, top.at(), "the file configures nothing; add checks, services or vrrp");
        }
        if (top == null) {
            top = new Mapping(Location.START, List.of());
        }
        Fields f = new Fields(values, top, "", Location.START);
        NodeConfig nodeConfig = f.opt("node", node::node, null);
        if (nodeConfig == null) {
            nodeConfig = node.node(new Mapping(Location.START, List.of()), "node");
        }
        Map<String, CheckSpec> checkSpecs = f.opt("checks", values.named(binding.declaredChecks, checks::check), Map.of());
        Map<String, ServiceSpec> serviceSpecs =
                f.opt("services", values.named(binding.declaredServices, services::service), Map.of());
        Map<String, VrrpInstance> instances = f.opt("vrrp", values.named(binding.declaredVrrp, vrrp::vrrp), Map.of());
        Optional<MailConfig> mailConfig = f.opt("notify", values.section(nf -> nf.opt("mail", mail::mail)))
                .flatMap(o -> o);
        Optional<ScalerPush> push = f.opt("scaler", values.section(sf -> sf.opt("push", scaler::push))).flatMap(o -> o);
        Optional<ZookeeperConfig> zk = f.opt("coordination", values.section(cf -> cf.opt("zookeeper",
                coordination::zookeeper))).flatMap(o -> o);
        f.finish();
        return new HaagentConfig(nodeConfig, checkSpecs, serviceSpecs, instances, mailConfig, push, zk);
    }
}
