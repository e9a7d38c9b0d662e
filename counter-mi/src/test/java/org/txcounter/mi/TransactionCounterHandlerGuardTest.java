package org.txcounter.mi;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The class MI loads must never stop MI: on a JDK older than the counter needs it is Java 8 bytecode that touches
 * nothing newer before its check, logs the one error and lets every message through. No JDK older than 17 can be
 * installed where these tests run, so the check is made to fail by handing it the release an older JDK reports.
 */
class TransactionCounterHandlerGuardTest {

    private static final int JAVA_8 = 52;
    private static final Pattern DESCRIBED = Pattern.compile("L([a-z][\\w/$]+);");

    @Test
    void theClassMiLoadsAndEverythingItTouchesFirstAreJava8Bytecode() throws IOException {
        Set<String> checked = new TreeSet<>();
        List<String> tooNew = new ArrayList<>();
        check("org/txcounter/mi/TransactionCounterHandler", checked, tooNew);
        // Ours and MI's (the Synapse mirror stands for MI's own classes, which are Java 8): every class the guard
        // names in its constant pool, and the classes those name in turn; the JDK's and slf4j's are MI's JDK's.
        assertThat(checked).contains("org/txcounter/mi/TransactionCounterHandler",
                "org/apache/synapse/AbstractExtendedSynapseHandler", "org/apache/synapse/MessageContext");
        assertThat(checked).doesNotContain("org/txcounter/mi/CountingHandler");
        assertThat(tooNew).isEmpty();
    }

    @Test
    void readsTheJavaReleaseOfEveryNamingScheme() {
        assertThat(TransactionCounterHandler.javaRelease("1.8")).isEqualTo(8);
        assertThat(TransactionCounterHandler.javaRelease("11")).isEqualTo(11);
        assertThat(TransactionCounterHandler.javaRelease("17")).isEqualTo(17);
        assertThat(TransactionCounterHandler.javaRelease("21.0.2")).isEqualTo(21);
        assertThat(TransactionCounterHandler.javaRelease(null)).isZero();
    }

    /**
     * Loaded in a class loader of its own (as MI's lib loader would), told it runs on Java 11: it logs the one
     * error, returns true everywhere, and the counting handler and the rest of ours are never loaded.
     */
    @Test
    void onAnOlderJdkItLogsOneErrorLetsMessagesThroughAndLoadsNothingElseOfOurs() throws Exception {
        Logger log = (Logger) LoggerFactory.getLogger(TransactionCounterHandler.class);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        log.addAppender(appender);
        try {
            OursFirst loader = new OursFirst(getClass().getClassLoader());
            Class<?> guard = loader.loadClass("org.txcounter.mi.TransactionCounterHandler");
            Constructor<?> constructor = guard.getDeclaredConstructor(int.class, String.class);
            constructor.setAccessible(true);
            Object handler = constructor.newInstance(11, TransactionCounterHandler.IMPLEMENTATION);

            Class<?> messageContext = Class.forName("org.apache.synapse.MessageContext");
            assertThat(guard.getMethod("handleServerInit").invoke(handler)).isEqualTo(true);
            for (String flow : List.of("handleRequestInFlow", "handleRequestOutFlow", "handleResponseInFlow",
                    "handleResponseOutFlow", "handleError")) {
                assertThat(guard.getMethod(flow, messageContext).invoke(handler, MiFlows.apiRequest("http")))
                        .isEqualTo(true);
            }
            assertThat(guard.getMethod("handleServerShutDown").invoke(handler)).isEqualTo(true);
            Method counting = guard.getDeclaredMethod("counting");
            counting.setAccessible(true);
            assertThat(counting.invoke(handler)).isEqualTo(false);
            assertThat(loader.defined).containsExactly("org.txcounter.mi.TransactionCounterHandler");
        } finally {
            log.detachAppender(appender);
        }
        assertThat(appender.list).hasSize(1);
        assertThat(appender.list.get(0).getLevel()).isEqualTo(Level.ERROR);
        assertThat(appender.list.get(0).getFormattedMessage())
                .startsWith("The transaction counter needs Java 17 or later, and MI runs on Java 11 (")
                .contains("MI's transactions are NOT counted, and MI runs on");
    }

    @Test
    void onThisJdkItHandsEveryCallToTheCountingHandler() {
        TransactionCounterHandler handler = new TransactionCounterHandler(17, TransactionCounterHandler.IMPLEMENTATION);
        assertThat(handler.counting()).isTrue();
        assertThat(handler.delegate()).isInstanceOf(CountingHandler.class);
    }

    /** A counting handler that cannot be loaded (a jar cut short) also leaves MI running. */
    @Test
    void aCountingHandlerThatCannotBeLoadedLeavesMessagesFlowing() {
        TransactionCounterHandler handler = new TransactionCounterHandler(17, "org.txcounter.mi.Missing");
        assertThat(handler.counting()).isFalse();
        assertThat(handler.handleServerInit()).isTrue();
        assertThat(handler.handleRequestInFlow(MiFlows.apiRequest("http"))).isTrue();
    }

    /** Reads a class file's major version and follows the classes of ours and MI's it names. */
    private static void check(String name, Set<String> checked, List<String> tooNew) throws IOException {
        if (!checked.add(name)) {
            return;
        }
        try (InputStream in = TransactionCounterHandlerGuardTest.class.getClassLoader()
                .getResourceAsStream(name + ".class")) {
            assertThat(in).as(name).isNotNull();
            DataInputStream data = new DataInputStream(in);
            assertThat(data.readInt()).isEqualTo(0xCAFEBABE);
            data.readUnsignedShort();
            int major = data.readUnsignedShort();
            if (major > JAVA_8) {
                tooNew.add(name + " (class file version " + major + ")");
            }
            for (String named : classesNamed(data)) {
                if (named.startsWith("org/txcounter/") || named.startsWith("org/apache/synapse/")) {
                    check(named, checked, tooNew);
                }
            }
        }
    }

    /** The CONSTANT_Class entries of a constant pool (JVMS 4.4), read after magic and version. */
    private static List<String> classesNamed(DataInputStream data) throws IOException {
        int count = data.readUnsignedShort();
        String[] utf8 = new String[count];
        List<Integer> classIndexes = new ArrayList<>();
        for (int i = 1; i < count; i++) {
            int tag = data.readUnsignedByte();
            switch (tag) {
                case 1 -> utf8[i] = data.readUTF();
                case 7 -> classIndexes.add(data.readUnsignedShort());
                case 8, 16, 19, 20 -> data.readUnsignedShort();
                case 15 -> {
                    data.readUnsignedByte();
                    data.readUnsignedShort();
                }
                case 3, 4, 9, 10, 11, 12, 17, 18 -> data.readInt();
                case 5, 6 -> {
                    data.readLong();
                    i++;
                }
                default -> throw new IOException("unknown constant pool tag " + tag);
            }
        }
        List<String> names = new ArrayList<>();
        for (int index : classIndexes) {
            names.add(utf8[index]);
        }
        // And the classes named only in method and field descriptors ("(Lorg/apache/synapse/MessageContext;)Z").
        for (String text : utf8) {
            Matcher descriptor = text == null ? null : DESCRIBED.matcher(text);
            while (descriptor != null && descriptor.find()) {
                names.add(descriptor.group(1));
            }
        }
        return names;
    }

    /** Defines classes of ours itself (recording which), leaving the rest to the test's loader. */
    private static final class OursFirst extends ClassLoader {
        private final List<String> defined = new ArrayList<>();

        OursFirst(ClassLoader parent) {
            super(parent);
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            synchronized (getClassLoadingLock(name)) {
                if (!name.startsWith("org.txcounter.")) {
                    return super.loadClass(name, resolve);
                }
                Class<?> loaded = findLoadedClass(name);
                if (loaded == null) {
                    try (InputStream in = getParent().getResourceAsStream(name.replace('.', '/') + ".class")) {
                        if (in == null) {
                            throw new ClassNotFoundException(name);
                        }
                        byte[] bytes = in.readAllBytes();
                        loaded = defineClass(name, bytes, 0, bytes.length);
                        defined.add(name);
                    } catch (IOException e) {
                        throw new ClassNotFoundException(name, e);
                    }
                }
                return loaded;
            }
        }
    }
}
