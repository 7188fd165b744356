/*
 * Autobahn fuzzingserver driver for Jetty 9.4's WebSocketClient (Debian's libjetty9-java), run by
 * @wsmatrix/targets as
 *
 *   java -cp BUILD.jar:JETTY_JARS JettyClientDriver [--max-message BYTES] BASE_URL AGENT [--plan]
 *
 * It asks /getCaseCount, then plays one /runCase connection after the other (the next once the last has
 * closed), echoing every message with its type, then asks /updateReports and waits for its close. With --plan
 * it asks wsmatrix's /getCasePlan instead (an extension Autobahn does not have) and plays its phases one after
 * the other, at most `concurrency` cases of a phase open at once.
 *
 * Each connection gets a WebSocketClient of its own (default settings but the message limits). One shared client
 * would send a case's upgrade over a pooled HTTP connection that an earlier case's refused handshake left open,
 * and the fuzzingserver, which plays one case per connection, would never see that case. A client is stopped
 * only once its session is gone (its connection closed): stopping it at the close event would cut Jetty's own
 * close reply short with 1001.
 */
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.eclipse.jetty.util.ajax.JSON;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.api.WebSocketListener;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.eclipse.jetty.websocket.common.WebSocketSession;
import org.eclipse.jetty.websocket.common.WebSocketSessionListener;

public final class JettyClientDriver {
    /** How long the /updateReports connection may take to close (the fuzzingserver writes its reports first). */
    private static final long REPORTS_TIMEOUT_S = 120;
    /** How long /getCaseCount or /getCasePlan may take to answer and close. */
    private static final long QUESTION_TIMEOUT_S = 60;
    /** How long a session may take to be gone after its close event (the peer ends TCP after the handshake). */
    private static final long GONE_TIMEOUT_S = 30;

    private final int maxMessage;
    private final String base;
    private final String agent;
    private int caseCount;

    private JettyClientDriver(int maxMessage, String base, String agent) {
        this.maxMessage = maxMessage;
        this.base = base;
        this.agent = agent;
    }

    /** A connection's events: echoes messages when asked to, keeps the first text, counts its end. */
    public static final class CaseSocket implements WebSocketListener {
        private final boolean echo;
        private final CountDownLatch ended = new CountDownLatch(1);
        private volatile Session session;
        private volatile String firstText;

        CaseSocket(boolean echo) {
            this.echo = echo;
        }

        @Override
        public void onWebSocketConnect(Session session) {
            this.session = session;
        }

        @Override
        public void onWebSocketText(String message) {
            if (firstText == null) firstText = message;
            Session s = session;
            if (!echo || s == null) return;
            try {
                s.getRemote().sendString(message); // blocking: replies stay in order
            } catch (IOException closedMeanwhile) {
                // the case ends the connection; its close event follows
            }
        }

        @Override
        public void onWebSocketBinary(byte[] payload, int offset, int length) {
            Session s = session;
            if (!echo || s == null) return;
            try {
                s.getRemote().sendBytes(ByteBuffer.wrap(payload, offset, length));
            } catch (IOException closedMeanwhile) {
                // as above
            }
        }

        @Override
        public void onWebSocketClose(int statusCode, String reason) {
            ended.countDown();
        }

        @Override
        public void onWebSocketError(Throwable cause) {
            // Once open, Jetty reports the close after an error; a connection that never opened has no close.
            if (session == null) ended.countDown();
        }
    }

    private static String encode(String value) {
        // As encodeURIComponent does for the characters an agent name has: spaces as %20, not '+'.
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20").replace("%7E", "~");
    }

    /** Opens `path`, waits until the connection has ended; returns the socket (null if the upgrade failed). */
    private CaseSocket open(String path, boolean echo, long timeoutS) throws InterruptedException {
        CaseSocket socket = new CaseSocket(echo);
        URI uri = URI.create(base + path);
        WebSocketClient client = new WebSocketClient();
        CountDownLatch gone = new CountDownLatch(1);
        client.addSessionListener(new WebSocketSessionListener() {
            @Override
            public void onSessionClosed(WebSocketSession session) {
                gone.countDown();
            }
        });
        if (maxMessage > 0) {
            client.getPolicy().setMaxTextMessageSize(maxMessage);
            client.getPolicy().setMaxBinaryMessageSize(maxMessage);
        }
        try {
            client.start();
            try {
                Future<Session> connected = client.connect(socket, uri);
                connected.get();
            } catch (ExecutionException e) {
                System.err.println(path + ": " + rootMessage(e));
                // A frame that fails the connection can arrive with the 101 and fail the future too; the session
                // is open all the same, and Jetty's close of it is part of the case.
                if (socket.session == null) return null;
            }
            if (timeoutS > 0) {
                if (!socket.ended.await(timeoutS, TimeUnit.SECONDS)) {
                    System.err.println(path + ": no close after " + timeoutS + " s");
                }
            } else {
                socket.ended.await();
            }
            if (!gone.await(GONE_TIMEOUT_S, TimeUnit.SECONDS)) {
                System.err.println(path + ": the connection was still open " + GONE_TIMEOUT_S + " s after its close");
            }
            return socket;
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            System.err.println(path + ": the client did not start: " + rootMessage(e));
            return null;
        } finally {
            try {
                client.stop();
            } catch (Exception e) {
                System.err.println(path + ": the client did not stop: " + rootMessage(e));
            }
        }
    }

    private static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        return String.valueOf(root).replace('\n', ' ');
    }

    private String ask(String path) throws InterruptedException {
        CaseSocket socket = open(path, false, QUESTION_TIMEOUT_S);
        return socket == null ? null : socket.firstText;
    }

    private void playCase(long n) throws InterruptedException {
        System.out.println("Running test case " + n + "/" + caseCount);
        System.out.flush();
        open("/runCase?case=" + n + "&agent=" + encode(agent), true, 0);
    }

    private void playSequentially() throws InterruptedException {
        for (int n = 1; n <= caseCount; n++) playCase(n);
    }

    /** Each phase: `concurrency` workers, each taking the next case of the phase once its last one closed. */
    private void playPlan(List<long[]> phases, List<Integer> concurrencies) throws Exception {
        for (int p = 0; p < phases.size(); p++) {
            long[] cases = phases.get(p);
            int workers = Math.max(1, Math.min(concurrencies.get(p), cases.length));
            AtomicInteger next = new AtomicInteger();
            ExecutorService pool = Executors.newFixedThreadPool(workers);
            List<Future<?>> running = new ArrayList<>();
            for (int w = 0; w < workers; w++) {
                running.add(pool.submit(() -> {
                    for (int i = next.getAndIncrement(); i < cases.length; i = next.getAndIncrement()) {
                        playCase(cases[i]);
                    }
                    return null;
                }));
            }
            for (Future<?> f : running) f.get();
            pool.shutdown();
        }
    }

    private static void fail(String line) {
        System.err.println(line);
        System.exit(1);
    }

    private static void usage() {
        System.err.println("usage: java JettyClientDriver [--max-message BYTES] BASE_URL AGENT [--plan]");
        System.exit(2);
    }

    public static void main(String[] argv) throws Exception {
        System.setProperty("org.eclipse.jetty.util.log.class", "org.eclipse.jetty.util.log.StdErrLog");
        System.setProperty("org.eclipse.jetty.LEVEL", "WARN");
        System.setProperty("org.eclipse.jetty.util.log.announce", "false");

        List<String> args = new ArrayList<>(List.of(argv));
        boolean planned = !args.isEmpty() && args.get(args.size() - 1).equals("--plan");
        if (planned) args.remove(args.size() - 1);
        int maxMessage = -1; // Jetty's default unless given
        if (args.size() >= 2 && args.get(0).equals("--max-message")) {
            try {
                maxMessage = Integer.parseInt(args.get(1));
            } catch (NumberFormatException e) {
                usage();
            }
            args = args.subList(2, args.size());
        }
        if (args.size() != 2) usage();

        String base = args.get(0).replaceAll("/+$", "");
        JettyClientDriver driver = new JettyClientDriver(maxMessage, base, args.get(1));
        if (planned) {
            String text = driver.ask("/getCasePlan");
            List<long[]> phases = new ArrayList<>();
            List<Integer> concurrencies = new ArrayList<>();
            if (text == null || !parsePlan(text, phases, concurrencies)) {
                fail("no case plan from " + base + "/getCasePlan");
            }
            for (long[] cases : phases) driver.caseCount += cases.length;
            driver.playPlan(phases, concurrencies);
        } else {
            String text = driver.ask("/getCaseCount");
            int count = 0;
            try {
                count = text == null ? 0 : Integer.parseInt(text.trim());
            } catch (NumberFormatException e) {
                count = 0;
            }
            if (count <= 0) fail("no case count from " + base + "/getCaseCount");
            driver.caseCount = count;
            driver.playSequentially();
        }
        if (driver.open("/updateReports?agent=" + encode(driver.agent), false, REPORTS_TIMEOUT_S) == null) {
            fail("could not ask " + base + "/updateReports");
        }
        System.exit(0);
    }

    /** Reads {"phases":[{"cases":[...],"concurrency":N},...]}; false when the text is not such a plan. */
    private static boolean parsePlan(String text, List<long[]> phases, List<Integer> concurrencies) {
        try {
            Object parsed = JSON.parse(text);
            if (!(parsed instanceof Map)) return false;
            Object list = ((Map<?, ?>) parsed).get("phases");
            if (!(list instanceof Object[])) return false;
            for (Object phase : (Object[]) list) {
                if (!(phase instanceof Map)) return false;
                Object cases = ((Map<?, ?>) phase).get("cases");
                Object concurrency = ((Map<?, ?>) phase).get("concurrency");
                if (!(cases instanceof Object[]) || !(concurrency instanceof Number)) return false;
                Object[] numbers = (Object[]) cases;
                long[] ids = new long[numbers.length];
                for (int i = 0; i < numbers.length; i++) {
                    if (!(numbers[i] instanceof Number)) return false;
                    ids[i] = ((Number) numbers[i]).longValue();
                }
                phases.add(ids);
                concurrencies.add(((Number) concurrency).intValue());
            }
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }
}
