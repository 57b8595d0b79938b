package io.haagent.agent.cli;

import java.io.PrintStream;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * {@code haagent demo}, found at run time: the demo and the redis-server binaries it carries live in
 * the {@code demo} module, which the distribution puts in {@code lib/demo/} and {@code bin/haagent} adds to
 * the class path for this command only, so the daemon's class path holds none of it. The agent therefore
 * does not compile against the demo and calls {@code io.haagent.demo.DemoCommand.run} by name.
 */
final class DemoLauncher {
    static final String DEMO_COMMAND = "io.haagent.demo.DemoCommand";
    static final String NOT_INSTALLED = "haagent demo is not in this installation: it ships in the distribution"
            + " tarball (lib/demo/); or run ./haagent demo from a source checkout";
    /**
     * The Debian package leaves the demo out (its embedded Redis and mail sink have no place on a production
     * host), so installing a redis-server would not bring it back: the tarball, unpacked anywhere, runs it.
     */
    static final String NOT_IN_PACKAGE = "haagent demo is not in the Debian package: it ships in the distribution"
            + " tarball haagent-VERSION.tar.gz, which carries its Redis and mail sink; unpack it anywhere and run"
            + " bin/haagent demo (it needs a JDK 25), or ./haagent demo from a source checkout";
    /** Set by bin/haagent when it runs on the package's own runtime. */
    static final String PACKAGE_PROPERTY = "haagent.package";

    private DemoLauncher() {}

    /** Runs the demo with {@code args} and returns its exit status; 2 when this installation has no demo. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        Class<?> demo;
        try {
            demo = Class.forName(DEMO_COMMAND);
        } catch (ClassNotFoundException e) {
            err.println("deb".equals(System.getProperty(PACKAGE_PROPERTY)) ? NOT_IN_PACKAGE : NOT_INSTALLED);
            return Main.USAGE_ERROR;
        }
        MethodHandle run;
        try {
            run = MethodHandles.publicLookup().findStatic(demo, "run",
                    MethodType.methodType(int.class, String[].class, PrintStream.class, PrintStream.class));
        } catch (NoSuchMethodException | IllegalAccessException e) {
            // lib/demo/ from another build than lib/: not something an operator can fix by a flag
            throw new IllegalStateException(DEMO_COMMAND + " has no public static int run(String[], PrintStream,"
                    + " PrintStream): lib/demo/ does not belong to this build of haagent", e);
        }
        try {
            return (int) run.invokeExact(args, out, err);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e); // run declares no checked exception
        }
    }
}
