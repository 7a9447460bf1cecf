package org.trainproof.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trainproof.ExitCode;
import org.trainproof.TrainproofException;

class PickleTest {
    @TempDir
    Path dir;

    private static final String EVIL = String.join("\n",
            "import pickle, sys, os, subprocess, builtins",
            "marker = sys.argv[1]",
            "class OsSystem:",
            "    def __reduce__(self): return (os.system, ('touch ' + marker,))",
            "class Eval:",
            "    def __reduce__(self): return (builtins.eval, (\"open(%r, 'w').close()\" % marker,))",
            "class Popen:",
            "    def __reduce__(self): return (subprocess.Popen, (['touch', marker],))",
            "for proto in (2, 4, 5):",
            "    for name, obj in (('system', OsSystem()), ('eval', Eval()), ('popen', Popen())):",
            "        with open('%s_%d.pkl' % (name, proto), 'wb') as f:",
            "            pickle.dump({'weights': [1.0, 2.0], 'payload': obj}, f, protocol=proto)");

    @Test
    void maliciousPickles_refusedNamingTheGlobal_andSideEffectNeverHappens() throws Exception {
        Py.assumePython();
        Path marker = dir.resolve("pwned");
        Py.run(dir, EVIL, marker.toString());
        Map<String, String> expected = Map.of("system", "posix.system", "eval", "builtins.eval", "popen", "subprocess.Popen");
        int checked = 0;
        for (int proto : new int[] {2, 4, 5}) {
            for (var e : expected.entrySet()) {
                Path f = dir.resolve(e.getKey() + "_" + proto + ".pkl");
                Pickle.PickleRefusedException ex = assertThrows(Pickle.PickleRefusedException.class,
                        () -> Pickle.load(Files.readAllBytes(f), f, Pickle.Policy.TORCH));
                // protocol 2 writes Python-2 module names (fix_imports): __builtin__.eval, commands.Popen
                String refused = proto == 2 ? ex.global().substring(ex.global().lastIndexOf('.')) : ex.global();
                String want = proto == 2 ? e.getValue().substring(e.getValue().lastIndexOf('.')) : e.getValue();
                assertEquals(want, refused, f.toString());
                assertEquals(ExitCode.BAD_INPUT, ex.exitCode());
                assertTrue(ex.getMessage().contains(f.toString()), "message names the file");
                assertFalse(Files.exists(marker), "side effect happened after reading " + f);
                // DCP metadata policy refuses them too
                assertThrows(Pickle.PickleRefusedException.class,
                        () -> Pickle.load(Files.readAllBytes(f), f, Pickle.Policy.DCP_METADATA));
                checked++;
            }
        }
        assertEquals(9, checked);
        // control: the same bytes really are live — Python's own unpickler runs the payload
        Py.run(dir, "import pickle,sys; pickle.load(open(sys.argv[1],'rb'))", dir.resolve("system_2.pkl").toString());
        assertTrue(Files.exists(marker), "control: python's pickle.load must create the marker");
    }

    @Test
    void plainContainers_allProtocols_decodeToTheirValues() throws Exception {
        Py.assumePython();
        Py.run(dir, String.join("\n",
                "import pickle, collections",
                "v = {'a': [1, -2, 2.5, 'x\\u00e9', None, True, False, (1, 2), ()], 'big': 2**70, 'neg': -(2**40),",
                "     'b': b'xy', 's': {3}, 'od': collections.OrderedDict([('k', 1)]), 'i': 70000, 'n': -5}",
                "for p in (2, 3, 4, 5):",
                "    pickle.dump(v, open('plain_%d.pkl' % p, 'wb'), protocol=p)"));
        for (int p = 2; p <= 5; p++) {
            Path f = dir.resolve("plain_" + p + ".pkl");
            @SuppressWarnings("unchecked")
            Map<Object, Object> m = (Map<Object, Object>) Pickle.load(Files.readAllBytes(f), f, Pickle.Policy.TORCH);
            List<?> a = (List<?>) m.get("a");
            assertEquals(1L, a.get(0));
            assertEquals(-2L, a.get(1));
            assertEquals(2.5, a.get(2));
            assertEquals("x\u00e9", a.get(3));
            assertEquals(Pickle.NONE, a.get(4));
            assertEquals(Boolean.TRUE, a.get(5));
            assertEquals(new Pickle.Tuple(List.of(1L, 2L)), a.get(7));
            assertEquals(BigInteger.TWO.pow(70), m.get("big"));
            assertEquals(-(1L << 40), m.get("neg"));
            assertEquals(70000L, m.get("i"));
            assertEquals(-5L, m.get("n"));
            assertEquals(2, ((Pickle.PBytes) m.get("b")).length());
            assertEquals(Map.of("k", 1L), m.get("od"));
        }
    }

    @Test
    void limits_memoStackMarksAndTruncation_areBadInputNotCrashes() {
        // 2,000 nested MARKs against a limit of 1,000
        byte[] marks = new byte[2003];
        marks[0] = (byte) 0x80;
        marks[1] = 2;
        java.util.Arrays.fill(marks, 2, 2002, (byte) '(');
        marks[2002] = '.';
        Pickle.Limits small = new Pickle.Limits(1 << 20, 10, 10_000, 1000, 1 << 20, 64);
        assertEquals(ExitCode.BAD_INPUT, assertThrows(TrainproofException.class,
                () -> Pickle.load(marks, 0, "marks", Pickle.Policy.TORCH, small, null)).exitCode());
        // memo growth beyond 10 entries: ']' MEMOIZE repeated
        byte[] memo = new byte[2 + 2 * 20 + 1];
        memo[0] = (byte) 0x80;
        memo[1] = 4;
        for (int i = 0; i < 20; i++) {
            memo[2 + 2 * i] = ']';
            memo[3 + 2 * i] = (byte) 0x94;
        }
        memo[memo.length - 1] = '.';
        assertEquals(ExitCode.BAD_INPUT, assertThrows(TrainproofException.class,
                () -> Pickle.load(memo, 0, "memo", Pickle.Policy.TORCH, small, null)).exitCode());
        // a BINUNICODE claiming 4 GB in a 10-byte pickle
        byte[] huge = {(byte) 0x80, 2, 'X', (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x7f, 'a', 'b', '.'};
        assertEquals(ExitCode.BAD_INPUT, assertThrows(TrainproofException.class,
                () -> Pickle.load(huge, "huge", Pickle.Policy.TORCH)).exitCode());
        // truncated, no STOP
        byte[] trunc = {(byte) 0x80, 2, ']'};
        assertEquals(ExitCode.BAD_INPUT, assertThrows(TrainproofException.class,
                () -> Pickle.load(trunc, "trunc", Pickle.Policy.TORCH)).exitCode());
    }
}
