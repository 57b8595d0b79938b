package io.haagent.agent;

import static com.tngtech.archunit.base.DescribedPredicate.describe;
import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.core.domain.properties.HasName.Predicates.name;
import static com.tngtech.archunit.core.domain.properties.HasName.Predicates.nameMatching;
import static com.tngtech.archunit.lang.conditions.ArchConditions.accessTargetWhere;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaAccess;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The boundaries of docs/architecture.md, checked: which module may use which, no package cycles, the
 * internals that stay inside their package, and the decision cores that do no I/O and read no clock. The
 * agent module's test class path sees every production module but demo (which sits above the agent), so
 * the rules run here, over the production classes of all of them.
 */
class ArchitectureTest {

    /** Every production class of haagent on this class path; testkit is test scope, so it is left out. */
    private static final JavaClasses PRODUCTION = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .withImportOption(location -> !location.contains("/io/haagent/testkit/"))
            .importPackages("io.haagent");

    /** The modules by the packages they own, bottom up. */
    private enum Module {
        CORE("io.haagent.time..", "io.haagent.event..", "io.haagent.linux.."),
        CONFIG_LINT("io.haagent.config..", "io.haagent.lint.."),
        CHECKER("io.haagent.checker.."),
        AWS("io.haagent.aws.."),
        FAILOVER("io.haagent.failover.."),
        AGENT("io.haagent.agent.."),
        DEMO("io.haagent.demo.."),
        TESTKIT("io.haagent.testkit..");

        final String[] packages;

        Module(String... packages) {
            this.packages = packages;
        }
    }

    /** A rule that {@code module} depends on no haagent class outside itself and {@code allowed}. */
    private static ArchRule usesOnly(Module module, Module... allowed) {
        String[] own = Stream.concat(Stream.of(module), Arrays.stream(allowed))
                .flatMap(m -> Arrays.stream(m.packages)).toArray(String[]::new);
        return noClasses().that().resideInAnyPackage(module.packages)
                .should().dependOnClassesThat(resideInAPackage("io.haagent..").and(not(resideInAnyPackage(own))));
    }

    /** The class named, and the classes nested in it. */
    private static DescribedPredicate<JavaClass> belongTo(List<String> names) {
        return describe("belong to " + names, c -> names.stream()
                .anyMatch(n -> c.getName().equals(n) || c.getName().startsWith(n + "$")));
    }

    @Test
    void theImportSeesEveryModule() {
        // A rule over classes that were never imported passes for nothing: make sure they are there.
        for (String c : List.of("io.haagent.time.Ticker", "io.haagent.config.HaagentConfig",
                "io.haagent.checker.CheckScheduler", "io.haagent.failover.vrrp.VrrpMachine",
                "io.haagent.failover.zookeeper.ZkCoordination",
                "io.haagent.agent.cli.Main")) {
            assertTrue(PRODUCTION.contain(c), c + " was not imported");
        }
        assertFalse(PRODUCTION.containPackage("io.haagent.testkit"), "testkit is test scope, not production");
    }

    // --- modules --------------------------------------------------------------------------------------

    @Test
    void everyPackageBelongsToAModule() {
        classes().should().resideInAnyPackage(Arrays.stream(Module.values())
                        .flatMap(m -> Arrays.stream(m.packages)).toArray(String[]::new))
                .because("the module rules below are written by package: a package outside them would escape them all; "
                        + "add it to its module here and in docs/architecture.md")
                .check(PRODUCTION);
    }

    @Test
    void coreDependsOnNoOtherModule() {
        usesOnly(Module.CORE)
                .because("core (the ticker, the backoff, event ids) is what every module builds on, testkit included; "
                        + "one import upwards would pull the rest of haagent under all of them")
                .check(PRODUCTION);
    }

    @Test
    void configLintDependsOnlyOnCore() {
        usesOnly(Module.CONFIG_LINT, Module.CORE)
                .because("`haagent lint` and the config records run without the checks, the election or the daemon: "
                        + "an operator lints a config on a machine that runs none of them")
                .check(PRODUCTION);
    }

    @Test
    void checkerDependsOnlyOnConfigAndCore() {
        usesOnly(Module.CHECKER, Module.CONFIG_LINT, Module.CORE)
                .because("the checks observe; failover and the agent act on what they observe, so the arrows point "
                        + "from them to the checker, never back (no AWS, no election, no daemon in a check)")
                .check(PRODUCTION);
    }

    @Test
    void awsDependsOnlyOnConfigAndCore() {
        usesOnly(Module.AWS, Module.CONFIG_LINT, Module.CORE)
                .because("the AWS adapter is an edge that failover and the agent use; it knows nothing of them")
                .check(PRODUCTION);
    }

    @Test
    void failoverDoesNotDependOnTheAgent() {
        usesOnly(Module.FAILOVER, Module.AWS, Module.CHECKER, Module.CONFIG_LINT, Module.CORE)
                .because("failover (the election, its role actions) runs under any daemon, the tests' included; "
                        + "the agent wires it up and listens to it, not the other way round")
                .check(PRODUCTION);
    }

    @Test
    void theAgentDependsOnNothingAboveIt() {
        usesOnly(Module.AGENT, Module.FAILOVER, Module.AWS, Module.CHECKER, Module.CONFIG_LINT, Module.CORE)
                .because("the agent is the top of the production class path; demo and testkit are not on it")
                .check(PRODUCTION);
    }

    @Test
    void nothingInProductionDependsOnTheDemo() {
        noClasses().should().dependOnClassesThat().resideInAPackage("io.haagent.demo..")
                .because("the demo lives in lib/demo/, which the launcher adds only for `haagent demo`: a production "
                        + "class that names one of its classes fails on every other command")
                .check(PRODUCTION);
    }

    @Test
    void nothingInProductionDependsOnTheTestkit() {
        noClasses().should().dependOnClassesThat().resideInAPackage("io.haagent.testkit..")
                .because("testkit is test scope: it is not in the package, so production code that names it fails at run time")
                .check(PRODUCTION);
    }

    @Test
    void onlyTheAwsAdapterImportsTheAwsSdk() {
        noClasses().that().resideOutsideOfPackages("io.haagent.aws..",
                        // the EC2 readers, held to the model types by the rule below
                        "io.haagent.failover.address..", "io.haagent.agent.supervise..")
                .should().dependOnClassesThat().resideInAPackage("software.amazon.awssdk..")
                .because("the SDK's clients, chains and exceptions are handled in one place (built one way, errors in "
                        + "words an operator acts on, polls bounded on the ticker); everyone else asks that place")
                .check(PRODUCTION);
    }

    @Test
    void theEc2ReadersUseOnlyTheModelTypesAndTheAdaptersClient() {
        noClasses().that().resideInAnyPackage("io.haagent.failover.address..", "io.haagent.agent.supervise..")
                .should().dependOnClassesThat(resideInAPackage("software.amazon.awssdk..")
                        .and(not(resideInAPackage("software.amazon.awssdk.services.ec2.model..")))
                        .and(not(name("software.amazon.awssdk.services.ec2.Ec2Client"))))
                .because("the address movers and the EC2 restarter read what EC2 says (an ENI's attachment, an "
                        + "instance's state) and call it through io.haagent.aws.Ec2Calls, which builds the client, "
                        + "translates its exceptions and asks IMDS; they build no client and catch no SDK exception")
                .check(PRODUCTION);
    }

    @Test
    void onlyTheZookeeperEdgeImportsCuratorAndZooKeeper() {
        noClasses().that().resideOutsideOfPackage("io.haagent.failover.zookeeper..")
                .should().dependOnClassesThat().resideInAnyPackage("org.apache.curator..", "org.apache.zookeeper..")
                .because("the one client, its session and ZooKeeper's result codes in words live in one place "
                        + "(ZkCoordination, ZkLease); everyone else sees the lease decision's inputs and actions, and "
                        + "nothing loads Curator's or ZooKeeper's classes unless coordination.zookeeper starts that place")
                .check(PRODUCTION);
    }

    // --- packages -------------------------------------------------------------------------------------

    @Test
    void noPackageCycles() {
        slices().matching("io.haagent.(**)").should().beFreeOfCycles()
                .because("a package is one concept that can be read, tested and moved on its own; two packages that "
                        + "need each other are one concept cut in two, and a module boundary can no longer pass between them")
                .check(PRODUCTION);
    }

    @Test
    void theVrrpWireFormatStaysInsideVrrp() {
        classes().that().resideInAPackage("io.haagent.failover.vrrp.wire..")
                .should().onlyHaveDependentClassesThat().resideInAPackage("io.haagent.failover.vrrp..")
                .because("packets are decoded and admitted per instance (Adverts); everything above the instance sees "
                        + "authenticated facts (Input.AdvertReceived, VrrpEvent), never a packet")
                .check(PRODUCTION);
    }

    @Test
    void healingDecisionsAreUsedOnlyByTheirLoopAndItsReaders() {
        classes().that().resideInAPackage("io.haagent.agent.heal..")
                .should().onlyHaveDependentClassesThat().resideInAnyPackage("io.haagent.agent.heal..",
                        "io.haagent.agent.supervise..", "io.haagent.agent.daemon..", "io.haagent.agent.mail..",
                        "io.haagent.agent.cli..")
                .because("healing is decided in one place and carried out by the supervise package; the daemon feeds it, "
                        + "mail and the command line read its events and states, and nothing else reaches in")
                .check(PRODUCTION);
    }

    /** What of failover.address other packages may use: the contract, its factory and its outcomes. */
    private static final List<String> ADDRESS_ENTRY_TYPES = List.of(
            "io.haagent.failover.address.AddressMover", "io.haagent.failover.address.AddressMovers",
            "io.haagent.failover.address.MoveResult", "io.haagent.failover.address.AddressMoveException");

    @Test
    void addressMoversAreUsedThroughTheirContractOnly() {
        noClasses().that().resideOutsideOfPackage("io.haagent.failover.address..")
                .should().dependOnClassesThat(resideInAPackage("io.haagent.failover.address..")
                        .and(not(belongTo(ADDRESS_ENTRY_TYPES))))
                .because("the three backends (eni, secondary_ip, local) sit behind AddressMover (STYLE §4): the EC2 "
                        + "and IMDS clients, the ip runner and the packet socket are the package's own machinery")
                .check(PRODUCTION);
    }

    @Test
    void addressesMoveOnlyAsARoleAction() {
        classes().that().resideInAPackage("io.haagent.failover.address..")
                .should().onlyHaveDependentClassesThat().resideInAPackage("io.haagent.failover..")
                .because("an address moves because a VRRP instance changed role, in order with the Redis steps, on "
                        + "the role actions' thread (RoleActions); the agent asks RoleActions, never a mover")
                .check(PRODUCTION);
    }

    // --- decision cores -------------------------------------------------------------------------------

    /** The pure classes named one by one; the rest of the cores are whole packages (see {@link #DECISION_CORES}). */
    private static final List<String> CORE_CLASSES = List.of(
            "io.haagent.time.Backoff",
            "io.haagent.checker.RiseFall", "io.haagent.checker.Jitter",
            "io.haagent.failover.redis.PromotionGuard", "io.haagent.failover.redis.Info",
            "io.haagent.agent.daemon.ReloadPlan", "io.haagent.agent.daemon.Handover",
            "io.haagent.agent.mail.Grouper", "io.haagent.agent.admin.RequestRate",
            "io.haagent.agent.systemd.Liveness", "io.haagent.agent.systemd.StatusLine",
            "io.haagent.agent.load.push.PushBacklog");

    /**
     * The decisions and the codec: the VRRP election and its state types, the advert codec, the lease in front of
     * MASTER (the whole package: its Curator edge lives elsewhere), the healing decisions, and the classes of {@link #CORE_CLASSES} (rise/fall, the promotion guard, a reload's plan, the
     * hand-over, the backoff, mail grouping, the admin rate limit, the watchdog's liveness, systemd's status line, the
     * load push's backlog).
     */
    private static final DescribedPredicate<JavaClass> DECISION_CORES = resideInAnyPackage(
            "io.haagent.failover.vrrp", "io.haagent.failover.vrrp.wire", "io.haagent.failover.lease",
            "io.haagent.agent.heal..")
            .or(belongTo(CORE_CLASSES))
            .as("the decision cores (failover.vrrp, failover.vrrp.wire, failover.lease, agent.heal, " + CORE_CLASSES
                    + ")");

    /** The ways out of the process; a value type such as {@code java.nio.file.Path} is not one. */
    private static final DescribedPredicate<JavaClass> IO = resideInAnyPackage("java.net..", "java.nio.channels..",
            "io.netty..", "redis.clients..", "software.amazon..", "org.apache.curator..", "org.apache.zookeeper..")
            .or(nameMatching("java\\.io\\.File.*"))
            .or(name("java.nio.file.Files"))
            .or(name("java.lang.ProcessBuilder"))
            .as("do I/O (java.net, java.nio.channels, java.io.File*, java.nio.file.Files, ProcessBuilder, Netty, Jedis, "
                    + "the AWS SDK, Curator, ZooKeeper)");

    /** Owner -> methods that read the clock or wait. */
    private static final Map<String, Set<String>> CLOCK = Map.of(
            "java.lang.System", Set.of("nanoTime", "currentTimeMillis"),
            "java.time.Instant", Set.of("now"),
            "java.lang.Thread", Set.of("sleep"));

    /** A call or a method reference ({@code System::nanoTime}) to one of {@link #CLOCK}. */
    private static final DescribedPredicate<JavaAccess<?>> READS_THE_CLOCK = describe(
            "System.nanoTime, System.currentTimeMillis, Instant.now or Thread.sleep",
            a -> CLOCK.getOrDefault(a.getTarget().getOwner().getName(), Set.of()).contains(a.getTarget().getName()));

    @Test
    void theNamedDecisionCoresExist() {
        // a class renamed or moved would silently drop out of the two rules below
        for (String c : CORE_CLASSES) {
            assertTrue(PRODUCTION.contain(c), c + " is gone: update CORE_CLASSES and docs/architecture.md");
        }
    }

    @Test
    void decisionCoresDoNoIo() {
        noClasses().that(DECISION_CORES).should().dependOnClassesThat(IO)
                .because("a decision is a function of what was observed and the time it is given (STYLE §3): its tests "
                        + "pass values, and the edges around it (transports, probes, movers, the supervisor) do the I/O")
                .check(PRODUCTION);
    }

    @Test
    void decisionCoresReadNoClock() {
        noClasses().that(DECISION_CORES).should(accessTargetWhere(READS_THE_CLOCK))
                .because("time is an input (STYLE §5): a core takes nowNanos and answers when to wake next, so a test "
                        + "plays hours of timers in microseconds and a loop, not the core, does the waiting")
                .check(PRODUCTION);
    }
}
