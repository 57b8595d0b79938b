package io.haagent.agent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Properties;
import org.junit.jupiter.api.Test;

class BuildInfoTest {

    private static Properties properties(String version, String commit, String dirty) {
        Properties p = new Properties();
        p.setProperty("version", version);
        p.setProperty("commit", commit);
        p.setProperty("dirty", dirty);
        return p;
    }

    @Test
    void cleanCommit_printsVersionAndAbbreviatedCommit() {
        var info = BuildInfo.from(properties("0.1.0-SNAPSHOT", "a1b2c3d", "false"));
        assertEquals("haagent 0.1.0-SNAPSHOT (a1b2c3d)", info.versionLine());
    }

    @Test
    void uncommittedChanges_markTheCommitDirty() {
        var info = BuildInfo.from(properties("0.1.0", "a1b2c3d", "true"));
        assertEquals("haagent 0.1.0 (a1b2c3d-dirty)", info.versionLine());
    }

    @Test
    void placeholdersMavenCouldNotFill_readAsUnknown() {
        // A repository without a commit yet, or a source tree without .git.
        var info = BuildInfo.from(properties("0.1.0", "${git.commit.id.abbrev}", "${git.dirty}"));
        assertEquals("haagent 0.1.0 (unknown)", info.versionLine());
    }

    @Test
    void missingFile_readsAsUnknown() {
        assertEquals("haagent unknown (unknown)", BuildInfo.from(new Properties()).versionLine());
    }
}
